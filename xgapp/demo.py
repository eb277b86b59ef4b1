"""A realistic, deterministic demo campus (seeded), used for trying xgapp out and for benchmarks."""

import random
import secrets
from datetime import timedelta

from xgapp.i18n import campus_today
from xgapp import audit, campus
from xgapp.accounts import domain as accounts
from xgapp.db import clock, utcnow, write

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = ("子涵 欣怡 梓萱 浩然 宇轩 一诺 雨桐 俊杰 思远 嘉怡 博文 诗涵 梓轩 佳琪 晨曦 明轩 若曦 天佑 子墨 雅婷 "
         "文博 可馨 皓宇 紫萱 家豪 欣妍 泽宇 雨萱 思彤 俊熙 晓明 丽华 建国 秀英 志强 海燕 国栋 玉兰 建华 春梅").split()

# username, roles, count; display names are generated.
STAFF = [
    ("principal", ["principal"], 1),
    ("supervisor", ["supervisor", "advisor"], 1),
    ("advisor", ["advisor"], 4),
    ("director", ["director"], 1),
    ("teacher", ["teacher"], 6),
    ("frontdesk", ["frontdesk"], 1),
    ("finance", ["finance"], 1),
]


GIVEN_CHARS = "子涵欣怡梓萱浩然宇轩一诺雨桐俊杰思远嘉博文诗佳琪晨曦明若天佑墨雅婷可馨皓紫家豪妍泽彤熙晓丽华建国秀英志强海燕栋兰春梅昊阳"


class Names:
    """Deterministic Chinese names from a seed, never the same name twice (~180,000 possible)."""

    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def person(self):
        """A new two- or three-character Chinese name."""
        while True:
            if self.rng.random() < 0.5:
                given = self.rng.choice(GIVEN)
            else:
                given = "".join(self.rng.choice(GIVEN_CHARS) for _ in range(self.rng.choice((1, 2))))
            name = self.rng.choice(SURNAMES) + given
            if name not in self.used:
                self.used.add(name)
                return name


SCHOOLS = ["海淀实验小学", "中关村第一小学", "人大附中", "北大附中", "清华附中", "十一学校", "育英学校", "首师大附中",
           "八一学校", "理工附中"]
STUDENTS_PER_YEAR = 300


def _students(rng, names, advisors, principal, years, today):
    """Students over `years` with guardians, contracts of every kind, split payments, consumption, refunds."""
    from datetime import timedelta
    from decimal import Decimal
    from itertools import count

    from xgapp.contracts import domain as contracts
    from xgapp.hours import domain as hours
    from xgapp.leads import domain as leads
    from xgapp.students import domain as students

    receipts = count(1)  # a receipt number is unique per campus

    supervisor = next(a for a in advisors if "supervisor" in a.role_set)
    mobiles = rng.sample(range(13000000000, 19999999999), STUDENTS_PER_YEAR * years * 2)
    start = today - timedelta(days=365 * years)
    made = []
    for n in range(STUDENTS_PER_YEAR * years):
        opened = start + timedelta(days=rng.randrange(365 * years))
        name = names.person()
        referrer = rng.choice(made) if made and rng.random() < 0.1 else None
        data = {"name": name, "gender": rng.choice("MF"), "school": rng.choice(SCHOOLS),
                "grade": rng.choice(students.GRADES), "advisor": rng.choice(advisors),
                "source": "referral" if referrer else rng.choice(["hotline", "walkin", "street", "event", "online"]),
                "referrer": referrer, "special_attention": rng.random() < 0.05,
                "attention_note": "花生过敏" if rng.random() < 0.5 else "需家长亲自接送"}
        parent = rng.choice(["爸爸", "妈妈"])
        rng.choice(["父亲", "母亲"])  # drawn and unused: keeps every later draw (and so the demo) as it was
        guardians = [{"name": name[0] + parent, "relation": {"爸爸": "父亲", "妈妈": "母亲"}[parent],
                      "mobile": str(mobiles[2 * n]), "can_pickup": True}]
        if rng.random() < 0.5:
            guardians.append({"name": name[0] + "奶奶", "relation": "奶奶", "mobile": str(mobiles[2 * n + 1]),
                              "can_pickup": rng.random() < 0.7})
        with clock(_at(opened)):
            student = students.create(data["advisor"], data, guardians, today=opened)
        made.append(student)
        subject = rng.choice(["数学", "英语", "语文", "物理", "化学"])
        lead = leads.record_inquiry(data["advisor"], data["advisor"], data["source"], {}, guardians[0],
                                    subject=subject, today=opened, attach_to=student,
                                    note=rng.choice(["问小班课时间", "想补数学基础", "咨询一对一价格", "朋友推荐来的"]))
        path = rng.random()
        steps = ["invited", "visited", "trial"] if path < 0.75 else rng.choice([[], ["invited"], ["invited", "visited"]])
        for day, stage in enumerate(steps, start=1):
            if opened + timedelta(days=day) <= today:
                leads.advance(data["advisor"], lead, stage, opened + timedelta(days=day))
        if path >= 0.75 or rng.random() < 0.2:  # did not sign (yet)
            if rng.random() < 0.5 or opened < today - timedelta(days=60):
                leads.lose(data["advisor"], lead, rng.choice(["价格太高", "距离太远", "选择了其他机构", "时间不合适"]),
                           min(opened + timedelta(days=len(steps) + 2), today))
            else:
                leads.contact(data["advisor"], lead, "家长考虑中",
                              min(opened + timedelta(days=len(steps) + rng.randrange(2, 10)), today + timedelta(days=7)),
                              on=opened)
            continue
        signed = opened + timedelta(days=rng.randrange(4, 20))
        for round_ in range(rng.choice([1, 1, 2, 3])):
            if signed >= today:
                break
            if round_ and rng.random() < 0.35:  # 扩科: a subject the family has not bought yet
                taken = {c.subject for c in student.contracts}
                subject = rng.choice([x for x in ["数学", "英语", "语文", "物理", "化学"] if x not in taken])
            kind = contracts.suggested_kind(student, subject)
            bought = Decimal(rng.choice([20, 30, 40, 60]))
            price = Decimal(rng.choice([120, 150, 180, 200]))
            discount = Decimal(rng.choice([0, 0, 200, 500]))
            amount = bought * price - discount
            if rng.random() < 0.2:
                first = (amount * Decimal("0.6")).quantize(Decimal("1"))
                payments = [{"amount": str(first), "method": "wechat"},
                            {"amount": str(amount - first), "method": rng.choice(["cash", "card", "alipay"])}]
            else:
                payments = [{"amount": str(amount), "method": rng.choice(list(contracts.METHODS)),
                             "receipt_no": "R%06d-%d" % (rng.randrange(10**6), next(receipts))}]
            with clock(_at(signed)):
                contract = contracts.create(data["advisor"], student, {
                    "kind": kind, "subject": subject, "hours": str(bought), "unit_price": str(price),
                    "discount": str(discount), "free_hours": rng.choice(["0", "0", "2", "4"]),
                    "referrer": student.referrer if kind == "referral" else None}, payments, today=signed)
            left = hours.balance(student, contract=contract)
            month, used = 0, Decimal(0)
            # monthly consumption until a year ago; the last year's hours are used in classes (see _classes)
            while used < left and signed + timedelta(days=30 * (month + 1)) < today - timedelta(weeks=CLASS_WEEKS):
                take = min(Decimal(rng.choice([6, 8, 8, 10])), left - used)
                month_end = signed + timedelta(days=30 * (month + 1))
                with clock(_at(month_end)):
                    hours.consume(data["advisor"], student, subject, take, "%s 月课消" % month_end.strftime("%Y-%m"),
                                  "demo")
                used += take
                month += 1
            if rng.random() < 0.03 and used < left:
                figures = contracts.refundable(contract)
                refund = contracts.request_refund(data["advisor"], contract, figures["hours_left"],
                                                  figures["refundable"], "transfer", "家庭搬迁")
                with clock(_at(signed + timedelta(days=60))):
                    decider = principal if refund.requested_by_id == supervisor.id else supervisor
                    contracts.decide_refund(decider, refund, True, "同意", today=signed + timedelta(days=60))
                break
            signed = signed + timedelta(days=30 * max(month, 1))
        student = type(student).get_by_id(student.id)
        if student.status == "active" and hours.balance(student) <= 0:
            students.change_status(data["advisor"], student, "finished", signed, "课时用完")
        elif student.status == "active" and rng.random() < 0.1:
            students.change_status(data["advisor"], student, "paused", today - timedelta(days=rng.randrange(60)),
                                   "暑假停课")
    return made


ROOMS = ["101教室", "102教室", "103教室", "201教室", "202教室", "203教室"]
CLASS_SUBJECTS = ["数学", "英语", "语文", "物理", "化学"]
TERM = 16  # lessons per class, one a week; classes of a track follow each other back to back
CLASS_WEEKS = 52  # a year of timetable and roll calls


def _at(day, hour=18):
    """An instant on a campus day (demo history is stamped when it happened, not when the demo was built)."""
    from datetime import datetime, time

    from xgapp.i18n import campus_zone

    return datetime.combine(day, time(hour), tzinfo=campus_zone())


def _tracks(today):
    """Fourteen weekly slots (two a day, so every day has lessons) and the first day of each slot's classes."""
    from datetime import time, timedelta

    start = today - timedelta(weeks=CLASS_WEEKS)
    start -= timedelta(days=start.weekday())
    tracks = []
    for i in range(14):
        weekday, slot = i % 7, i // 7
        clock = ((time(18), time(20)), (time(18, 30), time(20, 30)))[slot] if weekday < 5 else \
            ((time(9), time(11)), (time(14), time(16)))[slot]
        first = start + timedelta(days=weekday)
        if i == 13:  # this track's current class is near its end: 2 lessons (4 hours) left, on the renewal alert
            coming = today + timedelta(days=(weekday - today.weekday()) % 7)  # its next lesson, today or later
            current = coming - timedelta(weeks=TERM - 2)
            first = current - timedelta(weeks=TERM * ((current - first).days // (7 * TERM)))
        tracks.append((i, weekday, slot, clock, first))
    return tracks


def _classes(rng, teachers, advisors, principal, today):
    """A year of classes on 14 weekly tracks, simulated day by day: each class is filled at its start (families
    without enough hours renew for the term), every past lesson gets its roll call (hours consumed through the
    ledger), and a class ends after its last lesson. Today's and later lessons stay planned."""
    from datetime import timedelta

    from xgapp.classes import domain as classes
    from xgapp.timetable import domain as timetable

    rooms = [classes.save_classroom(principal, name, rng.choice([15, 18, 20])) for name in ROOMS]
    for month_day, name in (((1, 1), "元旦"), ((5, 1), "劳动节"), ((10, 1), "国庆节")):
        day = today.replace(month=month_day[0], day=month_day[1])
        day = day if day > today else day.replace(year=day.year + 1)
        classes.add_holiday(principal, day, name)
    made, starts = [], {}
    for i, weekday, slot, (begin, finish), first in _tracks(today):
        subject = CLASS_SUBJECTS[i % len(CLASS_SUBJECTS)]
        term = 0
        while first <= today:
            term += 1
            grade = rng.choice(["五年级", "六年级", "初一", "初二", "初三"])
            klass = classes.create(principal, {
                "name": "%s%s班（周%s%s）%d期" % (grade, subject, "一二三四五六日"[weekday],
                                             "上下"[slot] if weekday >= 5 else "AB"[slot], term),
                "subject": subject, "grade": grade, "kind": "group",
                "teacher": teachers[(weekday + slot) % len(teachers)], "advisor": rng.choice(advisors),
                "classroom": rooms[(weekday + slot) % len(rooms)], "capacity": "15", "planned_lessons": str(TERM),
                "lesson_hours": "2", "start_on": first})
            with clock(_at(first) - timedelta(days=14)):  # a term is planned before it starts
                lessons = timetable.schedule(principal, klass, [weekday], begin, finish, first, TERM)
            klass.want = 15 if slot == 0 else rng.randrange(8, 13)  # every day has one full class
            starts.setdefault(first, []).append(klass)
            made.append((klass, lessons[-1].day))
            first = lessons[-1].day + timedelta(weeks=1)
    ends = {}
    for klass, last in made:
        if last < today:
            ends.setdefault(last, []).append(klass)
    day = min(starts)
    while day < today + timedelta(days=1):
        with clock(_at(day, 20) if day < today else utcnow()):
            _simulate_day(rng, day, today, starts, ends)
        day += timedelta(days=1)
    return [klass for klass, _ in made]


def _simulate_day(rng, day, today, starts, ends):
    """One day of the demo's classes: new classes filled, the day's roll calls, finished classes ended."""
    from datetime import datetime, timedelta, timezone

    from xgapp.attendance import domain as attendance
    from xgapp.changes import domain as changes
    from xgapp.classes.models import Lesson

    for klass in starts.get(day, []):
        _fill(rng, klass, day, today)
    if day < today:
        for lesson in Lesson.select().where(Lesson.day == day, Lesson.status == "planned").order_by(
                Lesson.starts_at):
            _renew_or_leave(rng, lesson, day)
            marks = {}
            for student, _, _ in attendance.roster(lesson):
                roll = rng.random()
                mark = "present" if roll < 0.85 else "late" if roll < 0.9 else "leave" if roll < 0.95 else "absent"
                if mark == "leave":
                    early = rng.random() < 0.5
                    at = lesson.starts_at - timedelta(hours=48 if early else 3)
                    attendance.report_leave(lesson.klass.advisor, lesson, student,
                                            "生病请假" if early else "临时有事",
                                            at=max(at, datetime(2000, 1, 1, tzinfo=timezone.utc)))
                marks[student.id] = mark
            if marks:
                attendance.confirm(lesson.teacher, lesson, marks, today=day)
        for klass in ends.get(day, []):
            changes.end_class(klass.advisor, klass, day, "学期结束")


def _renew_or_leave(rng, lesson, day):
    """Before a roll call: a student out of hours renews (most families) or leaves the class."""
    from decimal import Decimal

    from xgapp.attendance import domain as attendance
    from xgapp.changes import domain as changes
    from xgapp.classes.models import Enrolment
    from xgapp.contracts import domain as contracts
    from xgapp.hours import domain as hours

    klass = lesson.klass
    expected = [(s, kind) for s, kind, _ in attendance.roster(lesson) if kind in ("regular", "join")]
    balances = hours.balances_for([s.id for s, _ in expected]) if expected else {}
    for student, _ in expected:
        if balances.get(student.id, {}).get(klass.subject, Decimal(0)) >= lesson.hours:
            continue
        if rng.random() < 0.75:
            price = rng.choice([150, 180])
            contracts.create(klass.advisor, student, {
                "kind": contracts.suggested_kind(student, klass.subject), "subject": klass.subject,
                "hours": str(2 * TERM), "unit_price": str(price), "discount": "0", "free_hours": "0"},
                [{"amount": str(2 * TERM * price), "method": rng.choice(list(contracts.METHODS))}], today=day)
        else:
            enrolment = Enrolment.get(Enrolment.klass == klass, Enrolment.student == student,
                                      Enrolment.status == "active", Enrolment.kind.in_(["regular", "join"]))
            changes.leave_class(klass.advisor, enrolment, day, "课时用完，暂不续费")


def _fill(rng, klass, day, today):
    """Enrol students at a class's start: families with a contract on file; those short of hours renew."""
    from datetime import timedelta
    from decimal import Decimal

    from xgapp.classes import domain as classes
    from xgapp.contracts import domain as contracts
    from xgapp.contracts.models import Contract
    from xgapp.hours import domain as hours
    from xgapp.students.models import Student
    from xgapp.validation import Invalid

    signed = Contract.select(Contract.student).where(Contract.signed_on <= day)
    pool = list(Student.select().where(Student.id.in_(signed), Student.status != "refunded"))
    rng.shuffle(pool)
    balances = hours.balances_for([st.id for st in pool]) if pool else {}
    for student in pool:
        if len(classes.members(klass)) >= klass.want:
            break
        joined = day if rng.random() < 0.85 else day + timedelta(weeks=rng.randrange(1, 4))
        joined = min(joined, today)
        if balances.get(student.id, {}).get(klass.subject, Decimal(0)) < Decimal(2 * TERM):
            price = rng.choice([150, 180])  # the family renews for the term
            try:
                with_clash = classes._clashes_for(klass, student, joined)
                if with_clash:
                    continue
                contracts.create(klass.advisor, student, {
                    "kind": contracts.suggested_kind(student, klass.subject), "subject": klass.subject,
                    "hours": str(2 * TERM), "unit_price": str(price), "discount": "0", "free_hours": "0"},
                    [{"amount": str(2 * TERM * price), "method": rng.choice(list(contracts.METHODS))}],
                    today=joined)
            except Invalid:
                continue
        try:
            classes.enrol(klass.advisor, klass, student, joined)
        except Invalid:  # clashes with the student's other class, or already in it
            continue


SYLLABI = {"数学": "函数与方程、几何证明、统计初步", "英语": "语法时态、阅读理解、写作模板", "语文": "现代文阅读、古诗文、作文审题",
           "物理": "运动和力、压强浮力、电学基础", "化学": "物质构成、化学方程式、酸碱盐"}


def _briefings(rng, teachers, today):
    """Every class that has started had its briefing two days before (recorded, paper filed); two new classes start
    soon: one whose briefing was held last night and waits for its record, one with no briefing yet."""
    from datetime import datetime, time, timedelta

    from xgapp.classes import domain as classes
    from xgapp.classes.models import Classroom, SchoolClass
    from xgapp.i18n import campus_zone
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


def _meetings_and_tests(rng, today):
    """A monthly stage test with scores for every class, a parent meeting after eight weeks with its minutes and the
    revised teaching plan (handed in, reviewed, put in effect); one meeting held two hours ago waits for its minutes."""
    from datetime import datetime, time, timedelta

    from xgapp.classes import domain as classes
    from xgapp.classes.models import SchoolClass
    from xgapp.i18n import campus_zone
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


def _followups(rng, today):
    """A year of follow-ups by each active student's advisor (about one a month, more this month), then the tasks."""
    from datetime import datetime, time, timedelta

    from xgapp.followups import domain as followups
    from xgapp.followups import engine
    from xgapp.i18n import campus_zone
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


STUDY_DAYS = 365
STUDY_SUBJECTS = ["数学", "英语", "语文", "物理", "化学"]
QUESTIONS = [("数学", "二次函数的顶点怎么求", "配方法化成顶点式"), ("英语", "现在完成时和一般过去时的区别", "看是否强调对现在的影响"),
             ("物理", "浮力为什么和排开液体的重量相等", "用阿基米德原理和受力分析讲解"),
             ("语文", "议论文的论据怎么选", "选贴近论点的事实论据，再补一条道理论据"),
             ("化学", "配平氧化还原方程式", "用得失电子守恒配平"), ("数学", "相似三角形的判定", "两角对应相等即可")]


def _selfstudy(rng, desk, teachers, today):
    """A year of study-room visits: arrivals after school, pickups from the file, notes, exits, questions."""
    from datetime import datetime, time, timedelta

    from xgapp.i18n import campus_zone
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

    def at(day, minutes):
        return datetime.combine(day, time(0), tzinfo=zone) + timedelta(minutes=minutes)

    for back in range(STUDY_DAYS, -1, -1):
        day = today - timedelta(days=back)
        if day.weekday() == 6:
            continue
        count = rng.randrange(14, 22) if day.weekday() == 5 else rng.randrange(8, 16)
        for student in rng.sample(regulars, count):
            arrive = at(day, (9 * 60 if day.weekday() == 5 else 16 * 60) + rng.randrange(0, 150))
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
                morning = at(day + timedelta(days=1), 9 * 60)
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


FIRST_LESSON_WORDS = [("老师讲得清楚，例题听懂了", "上课专注，回答问题积极，计算还要加强", "孩子回家说喜欢这个老师"),
                      ("有点快，最后一道题没跟上", "基础稍弱，课后单独讲了十分钟", "希望多留一点练习"),
                      ("同学都很友好，想继续上", "学习意愿强，作业完成认真", "孩子主动整理了笔记，很满意")]


def _paperwork(rng, desk, today):
    """First-lesson feedback for the recent classes, a few suspensions and a transfer, and the signed copies of
    the study-room logs and parent-meeting minutes already filed."""
    from datetime import datetime, time, timedelta

    from xgapp.changes import domain as changes
    from xgapp.classes import domain as classes
    from xgapp.classes.models import Enrolment, SchoolClass
    from xgapp.i18n import campus_zone
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


def build(password=None, years=1, seed=2024, campus_name="阳光教育 海淀校区", campus_code="BJ-HD01", today=None):
    """Create the demo campus in the bound (empty) database; return (accounts, password)."""
    if not campus.needs_setup():
        raise ValueError("this data folder already holds a campus; use an empty folder for the demo")
    password = password or secrets.token_urlsafe(9)
    rng = random.Random(seed)
    names = Names(rng)
    made = []
    with write():
        first = "principal"
        _, principal = campus.setup(campus_name, campus_code, first, names.person(), password)
        made.append((principal, ["principal"], None))
        for prefix, roles, count in STAFF[1:]:
            for n in range(1, count + 1):
                username = prefix if count == 1 else "%s%d" % (prefix, n)
                pin = None
                if "teacher" in roles or "frontdesk" in roles:
                    pin = "%06d" % rng.randrange(100000, 999999)
                    while accounts.pin_problem(pin):
                        pin = "%06d" % rng.randrange(100000, 999999)
                user = accounts.create_user(principal, username, names.person(), password, roles, pin=pin)
                made.append((user, roles, pin))
        advisors = [user for user, roles, _ in made if "advisor" in roles]
        for user in advisors:
            user.__dict__.pop("_role_set", None)
        today = today or campus_today()
        from xgapp.followups import engine

        with engine.deferred():  # history: the tasks due now are made once, by the sweep in _followups
            _students(rng, names, advisors, principal, years, today)
            _classes(rng, [user for user, roles, _ in made if "teacher" in roles], advisors, principal, today)
            _briefings(random.Random(seed + 4), [user for user, roles, _ in made if "teacher" in roles], today)
            _meetings_and_tests(random.Random(seed + 7), today)
        _followups(random.Random(seed + 5), today)
        _selfstudy(random.Random(seed + 6), [user for user, roles, _ in made if "frontdesk" in roles][0],
                   [user for user, roles, _ in made if "teacher" in roles], today)
        _paperwork(random.Random(seed + 8), [user for user, roles, _ in made if "frontdesk" in roles][0], today)
        from xgapp.notices.models import Notice

        # Notices of the simulated past were read back then; only the last two days' are still new.
        Notice.update(read_at=Notice.at).where(Notice.at < utcnow() - timedelta(days=2),
                                               Notice.read_at.is_null()).execute()
        audit.record(principal, "create", "campus", None, summary="demo campus, %d year(s), seed %d" % (years, seed))
    return made, password
