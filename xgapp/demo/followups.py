"""Demo follow-ups: calls and visits over the history, then the engine sweep for today."""


from xgapp.clock import fixed as clock


FOLLOW_CONTENT = [
    ("routine", "phone", "parent", "妈妈说最近作业完成得比较及时，数学计算还要加强", "每天加练10道计算题"),
    ("routine", "wechat", "parent", "发了本周课堂表现，家长回复会督促背单词", "周末检查单词默写"),
    ("routine", "face", "student", "课间聊了学校月考情况，物理进步明显", "保持错题本习惯"),
    ("routine", "face", "student", "下课后在教室门口聊了这周的学习，状态不错", "继续保持"),
    ("routine", "face", "parent", "家长接孩子时当面沟通了最近的作业和考试", "家长在家督促复习"),
    ("routine", "phone", "teacher", "老师反馈上课注意力不太集中，作业正确率一般", "和家长沟通作息时间"),
    ("renewal", "phone", "parent", "课时剩余不多，家长考虑寒假继续报名", "下周带孩子来校面谈续费"),
    ("complaint", "phone", "parent", "家长反映上周调课通知太晚，已道歉并说明原因", "以后提前两天通知"),
]


def followups(rng, today):
    """A year of follow-ups by each active student's advisor (about one a month, more this month), then the tasks."""
    from datetime import datetime, time, timedelta

    from xgapp.followups import domain as followups
    from xgapp.followups import engine
    from xgapp.clock import zone as campus_zone
    from xgapp.students.models import Student

    zone = campus_zone()
    now = datetime.now(zone)
    for student in Student.select().where(Student.status == "active", Student.advisor.is_null(False)).order_by(
            Student.id):
        for back in range(330, -1, -rng.choice([21, 28, 35])):
            day = today - timedelta(days=back + rng.randrange(0, 5))
            at = datetime.combine(day, time(rng.randrange(9, 20), rng.randrange(60)), tzinfo=zone)
            if at > now or day < student.status_since - timedelta(days=330):
                continue
            kind, channel, whom, content, result = rng.choice(FOLLOW_CONTENT)
            with clock(at):
                followups.log(student.advisor, student, {
                    "kind": kind, "channel": channel, "whom": whom, "at": at, "purpose": followups.PURPOSES[kind],
                    "content": content, "result": result, "escalate": kind == "complaint" and rng.random() < 0.3},
                    now=at + timedelta(minutes=10))
    with clock(now):
        engine.generate(today)
    from xgapp.followups.models import FollowTask

    done_content = {"course_end": "结课回访：孩子近况良好，家长考虑下学期续报，已邀请来校自习",
                    "pre_class": "已和家长确认首课时间、教室和要带的资料",
                    "first_lesson": "首课后先问了学员，再问老师，已把老师的评价反馈给家长"}
    for task in FollowTask.select().where(FollowTask.status == "open", FollowTask.due_on < today).order_by(
            FollowTask.id):
        if rng.random() < 0.15:
            continue  # left overdue: the to-do list shows them in red
        at = datetime.combine(task.due_on, time(rng.randrange(10, 19)), tzinfo=zone)
        with clock(at):
            followups.log(task.student.advisor, task.student, {
                "kind": task.kind, "channel": "phone", "whom": "parent", "at": at,
                "purpose": followups.PURPOSES[task.kind], "content": done_content.get(task.kind, "已回访")},
                task=task, now=at + timedelta(minutes=10))
