"""Demo complaints: a year of them (one or two a month), most handled and closed, a few still open, one late."""

from datetime import datetime, time, timedelta

from xgapp.clock import fixed as clock

# (about, channel, severity, what was said, steps, resolution, the family's answer)
CASES = [
    ("teacher", "phone", "normal", "孩子说数学老师上课经常拖堂十几分钟，影响后面的安排。",
     ["已向家长致歉，转告授课老师", "与老师沟通，约定按时下课"], "老师已调整课堂节奏，此后按时下课", "satisfied"),
    ("service", "wechat", "normal", "调课通知发得太晚，家长临时请不了假接孩子。",
     ["电话向家长说明原因并道歉"], "以后调课至少提前两天通知，并电话确认", "accepted"),
    ("fees", "visit", "normal", "资料费没有提前说明，家长觉得不合理。",
     ["查对收费记录", "向家长解释资料内容"], "退回资料费，今后报名时书面说明", "satisfied"),
    ("environment", "visit", "normal", "教室空调太冷，孩子上课感冒了。",
     ["检查空调设定温度"], "空调统一设为 26 度，前台每节课前检查", "satisfied"),
    ("advisor", "phone", "normal", "学管师一个多月没有回访，家长不了解孩子情况。",
     ["主管与学管师谈话", "学管师当天电话回访"], "每月至少两次回访，主管抽查", "accepted"),
    ("teaching", "letter", "normal", "孩子反映物理课讲得太快，听不懂。",
     ["与教学主任沟通", "安排一次课后答疑"], "调整进度，增加每周一次答疑", "satisfied"),
    ("safety", "phone", "serious", "下课时孩子在走廊追跑摔倒，膝盖擦伤，家长不满老师没有及时告知。",
     ["当天电话致歉并说明经过", "校长与家长面谈"], "加强课间巡查，受伤当场通知家长", "accepted"),
    ("teacher", "online", "normal", "网上评价说老师批改作业不认真。",
     ["核对近期作业批改记录"], "老师补充批改并向家长反馈", "unsatisfied"),
]
OPEN = [  # still being handled today: (days ago, about, severity, what was said, a first step or None)
    (2, "service", "normal", "前台电话总是占线，找不到人。", "已登记家长的联系时间"),
    (0, "teacher", "serious", "家长说老师在课上批评孩子的话太重，孩子不愿意来上课了。", None),
]


def complaints(rng, today):
    """Complaints of the last year from the families of active students, handled by the supervisor."""
    from xgapp.accounts.models import User, UserRole
    from xgapp.clock import zone as campus_zone
    from xgapp.complaints import domain
    from xgapp.students.models import Guardian, Student

    zone = campus_zone()
    now = datetime.now(zone)
    kids = list(Student.select().where(Student.status == "active", Student.advisor.is_null(False))
                .order_by(Student.id))
    if not kids:
        return
    teachers = list(User.select().join(UserRole).where(UserRole.role == "teacher").order_by(User.id))
    owner = domain.default_owner()

    def family(kid):
        guardian = Guardian.select().where(Guardian.student == kid).order_by(Guardian.position).first()
        return ("%s%s" % (kid.name, guardian.relation)) if guardian else kid.name

    def about_whom(about, kid):
        return rng.choice(teachers) if about == "teacher" and teachers else kid.advisor if about == "advisor" else None

    for back in range(330, 14, -rng.choice([20, 30, 40])):
        kid = rng.choice(kids)
        about, channel, severity, said, steps, resolution, answer = rng.choice(CASES)
        at = datetime.combine(today - timedelta(days=back), time(rng.randrange(9, 20), rng.randrange(60)), tzinfo=zone)
        with clock(at):
            complaint = domain.receive(kid.advisor, {
                "student": kid, "complainant": family(kid), "complainant_kind": "guardian", "about": about,
                "about_user": about_whom(about, kid), "channel": channel, "content": said, "severity": severity,
                "received_at": at, "owner": owner})
        when = at
        for text in steps:
            when += timedelta(hours=rng.randrange(1, 20))
            with clock(when):
                domain.add_step(owner, complaint, text, now=when)
        when += timedelta(days=rng.randrange(1, 4))
        with clock(when):
            domain.close(owner, complaint, resolution, answer, "", now=when)
    for days_ago, about, severity, said, step in OPEN:
        kid = rng.choice(kids)
        at = min(now - timedelta(hours=2), datetime.combine(today - timedelta(days=days_ago), time(10), tzinfo=zone))
        with clock(at):
            complaint = domain.receive(kid.advisor, {
                "student": kid, "complainant": family(kid), "complainant_kind": "guardian", "about": about,
                "about_user": about_whom(about, kid), "channel": "phone", "content": said, "severity": severity,
                "received_at": at, "owner": owner})
        if step:
            with clock(at + timedelta(hours=1)):
                domain.add_step(owner, complaint, step, now=at + timedelta(hours=1))
