"""Demo paperwork: signed copies received for what was printed."""


from xgapp.clock import fixed as clock


FIRST_LESSON_WORDS = [("老师讲得清楚，例题听懂了", "上课专注，回答问题积极，计算还要加强", "孩子回家说喜欢这个老师"),
                      ("有点快，最后一道题没跟上", "基础稍弱，课后单独讲了十分钟", "希望多留一点练习"),
                      ("同学都很友好，想继续上", "学习意愿强，作业完成认真", "孩子主动整理了笔记，很满意")]


def paperwork(rng, desk, today):
    """First-lesson feedback for the recent classes, a few suspensions and a transfer, and the signed copies of
    the study-room logs and parent-meeting minutes already filed."""
    from datetime import datetime, time, timedelta

    from xgapp.changes import domain as changes
    from xgapp.classes import domain as classes
    from xgapp.classes.models import Enrolment, SchoolClass
    from xgapp.clock import zone as campus_zone
    from xgapp.meetings import briefings
    from xgapp.meetings.models import ParentMeeting
    from xgapp.prints import domain as prints
    from xgapp.selfstudy.models import Visit
    from xgapp.validation import Invalid

    zone = campus_zone()
    for klass in SchoolClass.select().order_by(SchoolClass.id):
        lesson = briefings.first_lesson(klass)
        if lesson is None or not today - timedelta(days=120) <= lesson.day < today:
            continue
        at = datetime.combine(lesson.day + timedelta(days=1), time(15), tzinfo=zone)
        for enrolment in classes.members(klass, day=lesson.day):
            if rng.random() < 0.8:
                words = rng.choice(FIRST_LESSON_WORDS)
                with clock(at):
                    briefings.save_feedback(klass.advisor, klass, enrolment.student, dict(zip(
                        ("from_student", "from_teacher", "from_parent"), words)), now=at)
    running = list(Enrolment.select().join(SchoolClass).where(SchoolClass.status == "running",
                                                              Enrolment.status == "active").order_by(Enrolment.id))
    suspended = 0
    for enrolment in rng.sample(running, min(len(running), 12)):
        student = enrolment.student
        if suspended < 2:
            start = today + timedelta(days=rng.randrange(3, 10))
            try:
                changes.suspend(student.advisor, student, start, start + timedelta(days=13),
                                rng.choice(["外出参加比赛两周", "生病住院，医生建议休息两周"]))
                suspended += 1
            except Invalid:
                pass
            continue
        others = (SchoolClass.select().where(SchoolClass.status == "running", SchoolClass.subject ==
                                             enrolment.klass.subject, SchoolClass.id != enrolment.klass_id))
        for target in others:
            try:
                changes.transfer(student.advisor, enrolment, target, today, "上课时间与学校补课冲突，换班")
                break
            except Invalid:
                continue
        else:
            continue
        break
    days = [d for (d,) in Visit.select(Visit.day).where(Visit.day < today - timedelta(days=1)).distinct().tuples()]
    for day in days:
        at = datetime.combine(day + timedelta(days=1), time(10), tzinfo=zone)
        with clock(at):
            prints.mark_received(desk, "selfstudy-log", day.isoformat(), "%s 学员自习登记表" % day, now=at)
    for meeting in ParentMeeting.select().where(ParentMeeting.status == "held").order_by(ParentMeeting.id):
        at = meeting.starts_at + timedelta(days=1)
        if at < datetime.now(zone) - timedelta(days=2):
            with clock(at):
                prints.mark_received(meeting.host, "parent-meeting", meeting.id, "家长会记录表", now=at)
