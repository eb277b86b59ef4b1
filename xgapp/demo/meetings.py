"""Demo briefings, first-lesson feedback, parent meetings and stage tests."""


from xgapp.clock import fixed as clock


SYLLABI = {"数学": "函数与方程、几何证明、统计初步", "英语": "语法时态、阅读理解、写作模板", "语文": "现代文阅读、古诗文、作文审题",
           "物理": "运动和力、压强浮力、电学基础", "化学": "物质构成、化学方程式、酸碱盐"}


def briefings(rng, teachers, today):
    """Every class that has started had its briefing two days before (recorded, paper filed); two new classes start
    soon: one whose briefing was held last night and waits for its record, one with no briefing yet."""
    from datetime import datetime, time, timedelta

    from xgapp.classes import domain as classes
    from xgapp.classes.models import Classroom, SchoolClass
    from xgapp.clock import zone as campus_zone
    from xgapp.meetings import briefings
    from xgapp.students.models import Student
    from xgapp.timetable import domain as timetable
    from xgapp.validation import Invalid

    zone = campus_zone()
    now = datetime.now(zone)
    for klass in SchoolClass.select().order_by(SchoolClass.id):
        lesson = briefings.first_lesson(klass)
        if lesson is None or lesson.starts_at > now:
            continue
        at = datetime.combine(lesson.day - timedelta(days=2), time(19), tzinfo=zone)
        with clock(at - timedelta(days=3)):
            briefing = briefings.schedule(klass.advisor, klass, at, klass.classroom.name if klass.classroom_id else "",
                                          now=at - timedelta(days=3))
        came = {row["key"]: "yes" if i < 2 or rng.random() < 0.85 else "no"
                for i, row in enumerate(briefings.expected(briefing))}
        with clock(at + timedelta(hours=2)):
            briefings.record(klass.advisor, briefing, {
                "syllabus": SYLLABI.get(klass.subject, "本期课程大纲"), "sessions": str(klass.planned_lessons),
                "goals": "学完能独立完成本学期重点题型", "qa": "问：作业量大吗？答：每次课一份，约40分钟"}, came,
                now=at + timedelta(hours=2))
        with clock(at + timedelta(days=1)):
            briefings.mark_paper(klass.advisor, briefing, now=at + timedelta(days=1))
    rooms = list(Classroom.select().order_by(Classroom.id))
    pool = list(Student.select().where(Student.status == "active").order_by(Student.id))
    for n, (days_ahead, briefed) in enumerate(((2, True), (6, False))):
        first = today + timedelta(days=days_ahead)
        subject = ["数学", "英语"][n]
        klass = classes.create(None, {
            "name": "新班%s冲刺班（%s开课）" % (subject, first.strftime("%m-%d")), "subject": subject, "grade": "初三",
            "kind": "group", "teacher": teachers[n], "advisor": pool[n].advisor, "classroom": None, "capacity": "12",
            "planned_lessons": "12", "lesson_hours": "2", "start_on": first})
        for hour in (13, 10, 15, 8):
            for room in rooms:
                try:
                    timetable.schedule(None, klass, [first.weekday()], time(hour), time(hour + 2), first, 12,
                                       classroom=room)
                except Invalid:
                    continue
                break
            else:
                continue
            break
        for student in rng.sample(pool, 40):
            if len(classes.members(klass)) >= 8:
                break
            try:
                classes.enrol(klass.advisor, klass, student, first)
            except Invalid:
                continue
        if briefed and briefings.first_lesson(klass) is not None:
            at = now - timedelta(hours=18)
            with clock(at - timedelta(days=2)):
                briefings.schedule(klass.advisor, klass, at, rooms[0].name, now=at - timedelta(days=2))


def meetings_and_tests(rng, today):
    """A monthly stage test with scores for every class, a parent meeting after eight weeks with its minutes and the
    revised teaching plan (handed in, reviewed, put in effect); one meeting held two hours ago waits for its minutes."""
    from datetime import datetime, time, timedelta

    from xgapp.classes import domain as classes
    from xgapp.classes.models import SchoolClass
    from xgapp.clock import zone as campus_zone
    from xgapp.meetings import briefings, parents
    from xgapp.scores import domain as scores

    zone = campus_zone()
    now = datetime.now(zone)
    director = parents.role_users("director")[0]
    waiting = None
    for klass in SchoolClass.select().order_by(SchoolClass.id):
        lesson = briefings.first_lesson(klass)
        if lesson is None or lesson.day >= today:
            continue
        for week in range(4, 17, 4):
            on = lesson.day + timedelta(weeks=week)
            if on >= today:
                break
            members = classes.members(klass, day=on)
            if not members:
                continue
            at = datetime.combine(on, time(20), tzinfo=zone)
            with clock(at):
                test = scores.create(klass.teacher, klass, "第%d周阶段测试" % week, on, "100", now=at)
                scores.save_scores(klass.teacher, test, {
                    e.student_id: (str(rng.randrange(55, 100)), rng.choice(["", "计算要细心", "进步明显", "基础题稳定"]))
                    for e in members}, now=at)
        held_on = lesson.day + timedelta(weeks=8)
        if held_on >= today - timedelta(days=1):
            if klass.status != "ended" and waiting is None:
                waiting = klass
            continue
        at = datetime.combine(held_on, time(19), tzinfo=zone)
        with clock(at - timedelta(days=5)):
            meeting = parents.schedule(klass.advisor, klass, None, at, klass.classroom.name if klass.classroom_id
                                       else "", prep={"prep_topics": "期中学习情况、寒暑假安排"}, now=at - timedelta(days=5))
        rows = parents.expected(meeting)
        came = {row["key"]: "yes" if i < 2 or rng.random() < 0.8 else "no" for i, row in enumerate(rows)}
        with clock(at + timedelta(hours=2)):
            parents.record(klass.advisor, meeting, {
                "teacher_report": "本阶段完成了前八次课，大部分同学基础题掌握较好", "advisor_report": "出勤稳定，作业完成率高",
                "parent_questions": "问：孩子在家不愿意做练习怎么办？", "problems": "个别同学计算粗心",
                "solutions": "每次课增加五分钟计算训练", "parents_to_do": "每天督促完成十道计算题"}, came,
                now=at + timedelta(hours=2))
        plan = meeting.plans.get()
        steps = [(5, lambda when: parents.submit_plan(klass.teacher, plan, "增加计算专项训练，每周一次小测", now=when)),
                 (6, lambda when: parents.review_plan(director, plan, "approve", "", now=when)),
                 (7, lambda when: parents.make_effective(klass.advisor, plan, now=when))]
        for days, step in steps:
            when = at + timedelta(days=days)
            if when > now:
                break
            with clock(when):
                step(when)
    if waiting is not None:
        at = now - timedelta(hours=2)
        with clock(at - timedelta(days=3)):
            parents.schedule(waiting.advisor, waiting, None, at, "家长会议室", prep={"prep_topics": "期中总结"},
                             now=at - timedelta(days=3))
