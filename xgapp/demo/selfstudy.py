"""Demo study room: a year of visits, sign-outs and questions."""


from xgapp import audit
from xgapp.clock import fixed as clock


STUDY_DAYS = 365
STUDY_SUBJECTS = ["数学", "英语", "语文", "物理", "化学"]
QUESTIONS = [("数学", "二次函数的顶点怎么求", "配方法化成顶点式"), ("英语", "现在完成时和一般过去时的区别", "看是否强调对现在的影响"),
             ("物理", "浮力为什么和排开液体的重量相等", "用阿基米德原理和受力分析讲解"),
             ("语文", "议论文的论据怎么选", "选贴近论点的事实论据，再补一条道理论据"),
             ("化学", "配平氧化还原方程式", "用得失电子守恒配平"), ("数学", "相似三角形的判定", "两角对应相等即可")]


def selfstudy(rng, desk, teachers, today):
    """A year of study-room visits: arrivals after school, pickups from the file, notes, exits, questions."""
    from datetime import datetime, time, timedelta

    from xgapp.clock import zone as campus_zone
    from xgapp.selfstudy import domain as selfstudy
    from xgapp.selfstudy import questions
    from xgapp.students.models import Guardian, Student

    pool = list(Student.select().where(Student.status.in_(("active", "paused", "finished"))).order_by(Student.id))
    older = [s for s in pool if s.grade.startswith(("初", "高"))]
    alone = {s.id for s in older if rng.random() < 0.5 and not (s.special_attention and "接送" in s.attention_note)}
    if alone:
        Student.update(may_leave_alone=True).where(Student.id.in_(list(alone))).execute()
        audit.record(desk, "update", "student", None, summary="demo: %d families allow going home alone" % len(alone))
    pickups = {}
    for guardian in Guardian.select().where(Guardian.can_pickup == True).order_by(Guardian.position):  # noqa: E712
        pickups.setdefault(guardian.student_id, []).append(guardian)
    regulars = rng.sample(pool, min(len(pool), 60))  # the same children come most evenings
    zone = campus_zone()
    now = datetime.now(zone)

    def instant(day, minutes):
        return datetime.combine(day, time(0), tzinfo=zone) + timedelta(minutes=minutes)

    for back in range(STUDY_DAYS, -1, -1):
        day = today - timedelta(days=back)
        if day.weekday() == 6:
            continue
        count = rng.randrange(14, 22) if day.weekday() == 5 else rng.randrange(8, 16)
        for student in rng.sample(regulars, count):
            arrive = instant(day, (9 * 60 if day.weekday() == 5 else 16 * 60) + rng.randrange(0, 150))
            if arrive > now:
                continue
            with clock(arrive):
                visit = selfstudy.sign_in(desk, student, now=arrive)
            student.may_leave_alone = student.id in alone
            leave = arrive + timedelta(minutes=rng.randrange(60, 200))
            if rng.random() < 0.05:
                step = arrive + timedelta(minutes=rng.randrange(10, 40))
                with clock(step):
                    selfstudy.step_out(desk, visit, rng.choice(["去买文具", "接电话", "去洗手间太久"]), now=step)
                with clock(step + timedelta(minutes=15)):
                    selfstudy.come_back(desk, visit, now=step + timedelta(minutes=15))
            if rng.random() < 0.6:
                with clock(leave - timedelta(minutes=5)):
                    selfstudy.update_record(desk, visit, {
                        "subjects": rng.sample(STUDY_SUBJECTS, rng.choice([1, 1, 2])),
                        "homework_checked": rng.choice(["yes", "yes", "no"]),
                        "homework_note": rng.choice(["", "作业已完成", "数学还差两题"]),
                        "behaviour_note": rng.choice(["", "", "安静认真", "和同桌说话，已提醒"]),
                        "parent_note": rng.choice(["", "", "英语单词需在家复习"]), "teacher": desk.id})
            if rng.random() < 0.2:
                subject, question, answer = rng.choice(QUESTIONS)
                handed = rng.random() < 0.2 and teachers
                asked = arrive + timedelta(minutes=30)
                with clock(asked):
                    row = questions.record(desk, student, {
                        "subject": subject, "question": question, "answer": "" if handed else answer,
                        "status": "handed" if handed else "resolved",
                        "handed_to": rng.choice(teachers).id if handed else None}, now=asked)
                if handed and back > 2:
                    with clock(asked + timedelta(days=1)):
                        questions.close(row.handed_to, row, answer, now=asked + timedelta(days=1))
            if leave > now:
                continue  # still in the room as the demo opens
            if back > 0 and rng.random() < 0.005:  # forgotten at the desk: closed next morning with a note
                morning = instant(day + timedelta(days=1), 9 * 60)
                with clock(morning):
                    selfstudy.resolve(desk, visit, "前台忘记签退，已电话确认由家长接回", leave, now=morning)
                continue
            if student.id in alone and rng.random() < 0.6:
                pickup = {"kind": "alone"}
            elif pickups.get(student.id) and rng.random() < 0.97:
                pickup = {"kind": "guardian", "guardian": rng.choice(pickups[student.id]).id}
            else:
                pickup = {"kind": "other", "name": rng.choice(["王阿姨", "李叔叔", "刘姑姑"]),
                          "relation": rng.choice(["邻居", "姑姑", "同学家长"])}
            with clock(leave):
                selfstudy.sign_out(desk, visit, pickup, now=leave)
