"""The advisor's day in numbers (学管师日工作轴): a hand-built day for two advisors, counted exactly."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import make_user
from tests.factories import advisor, make_class, make_contract, make_student, teacher
from tests.test_queries import count_queries
from xgapp.attendance import domain as attendance
from xgapp.changes import domain as changes
from xgapp.classes import domain as classes
from xgapp.contracts import domain as contracts
from xgapp.clock import fixed as clock
from xgapp.followups import domain as followups
from xgapp.hours import domain as hours
from xgapp.hours.models import HourEntry
from xgapp.leads import domain as leads
from xgapp.numbers import daily, manual
from xgapp.timetable import domain as timetable

ZONE = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 11)  # the day counted
BEFORE, AFTER = DAY - timedelta(days=1), DAY + timedelta(days=1)
EVERY_DAY = list(range(7))


def at(day, hhmm):
    """A campus-local instant."""
    hh, mm = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=ZONE)


def money(text):
    return Decimal(text).quantize(Decimal("0.01"))


def hrs(text):
    return Decimal(text).quantize(Decimal("0.1"))


def kinds(new=(0, "0"), renewal=(0, "0"), expansion=(0, "0"), referral=(0, "0")):
    """The contract cells: under "contracts" and under each kind's own key."""
    given = {"new": new, "renewal": renewal, "expansion": expansion, "referral": referral}
    cells = {kind: {"count": n, "amount": money(amount)} for kind, (n, amount) in given.items()}
    return {"contracts": cells, **cells}


_mobiles = iter(range(13900000001, 13900000999))


def inquiry(adv, name, day, channel="hotline"):
    with clock(at(day, "09:00")):
        return leads.record_inquiry(adv, adv, channel, {"name": name},
                                    {"name": name[0] + "妈妈", "relation": "母亲", "mobile": str(next(_mobiles))},
                                    subject="数学", today=day)


def advance(adv, lead, stage, day):
    with clock(at(day, "09:30")):
        leads.advance(adv, lead, stage, day)


def sign(student, day, subject="数学", hours_="20", price="100", kind=None, payments=None, **data):
    with clock(at(day, "11:00")):
        if not data:
            return make_contract(student, subject=subject, hours=hours_, unit_price=price, kind=kind,
                                 payments=payments, today=day)
        data.update(kind=kind, subject=subject, hours=hours_, unit_price=price)
        return contracts.create(None, student, data, payments or [], today=day)


def pay(contract, amount, day, method="cash"):
    with clock(at(day, "12:00")):
        contracts.add_payment(None, contract, amount, method, today=day)


def follow_up(by, student, when):
    with clock(when + timedelta(minutes=1)):
        return followups.log(by, student, {"kind": "routine", "channel": "phone", "whom": "parent", "at": when,
                                           "purpose": "了解近期作业情况", "content": "妈妈说作业完成得不错"})


def running_class(name, adv, teacher_name, start, count, members, first=BEFORE, subject="数学"):
    """A class with `count` daily lessons from `first` at `start`:00 (two hours); the first roll call makes it run."""
    klass = make_class(name=name, subject=subject, teacher_user=teacher(teacher_name), advisor_user=adv,
                       start_on=first)
    for student in members:
        classes.enrol(None, klass, student, first)
    lessons = timetable.schedule(None, klass, EVERY_DAY, time(start), time(start + 2), first, count)
    if members:
        roll_call(lessons[0], {s.id: "present" for s in members}, lessons[0].day, "%02d:10" % (start + 2))
    return klass, lessons


def roll_call(lesson, marks, day, hhmm):
    with clock(at(day, hhmm)):
        attendance.confirm(None, lesson, marks, today=day)


def consume(student, amount, when):
    with clock(when):
        return hours.consume(None, student, "数学", amount, "一对一补差")


@pytest.fixture
def world(app):
    """Two advisors' activity on DAY, and on the days before and after it, recorded through the domain."""
    w = SimpleNamespace()
    w.a1, w.a2 = advisor("adv1", name="学管A"), advisor("adv2", name="学管B")
    w.a3 = advisor("adv3", name="学管C")  # an advisor with nothing on any day
    w.sup = make_user("sup", roles=("supervisor",), name="主管")
    s1, s2, s3 = (make_student(name=n, advisor_user=w.a1) for n in ("甲一", "甲二", "甲三"))
    s4, s5, s6 = (make_student(name=n, advisor_user=w.a2) for n in ("乙四", "乙五", "乙六"))
    w.students = (s1, s2, s3, s4, s5, s6)

    # --- the day before --------------------------------------------------------------------------------
    old_math = sign(s2, BEFORE, hours_="20", price="100")  # 2000 paid
    w.part_paid = sign(s3, BEFORE, hours_="10", price="100", payments=[{"amount": "500", "method": "cash"}])
    sign(s5, BEFORE, hours_="20", price="100")  # 2000 paid
    l3, l4 = inquiry(w.a1, "丙三", BEFORE), inquiry(w.a1, "丙四", BEFORE)
    l7 = inquiry(w.a2, "丁七", BEFORE)
    inquiry(w.a2, "丁八", BEFORE)
    # classes (created out of name order: the list is ordered by lessons left, then by name)
    w.k3, _ = running_class("数学C班", w.a1, "t3", 10, 5, [s3])  # BEFORE .. DAY+3: 3 after DAY
    w.k1, k1_lessons = running_class("数学A班", w.a1, "t1", 18, 6, [s2, s5])  # BEFORE .. DAY+4
    w.k2, _ = running_class("数学B班", w.a1, "t2", 8, 7, [s3])  # 5 lessons after DAY: not low
    w.k4, _ = running_class("数学D班", w.a2, "t4", 13, 2, [s5])  # BEFORE, DAY: none after DAY
    w.k6, _ = running_class("数学F班", w.a2, "t6", 15, 3, [s5])  # ended on DAY: not listed
    w.k7, _ = running_class("数学G班", w.a2, "t7", 8, 6, [s5])  # BEFORE .. DAY+4: exactly 4 after DAY
    w.k5, _ = running_class("英语E班", w.a1, "t5", 15, 2, [], first=AFTER, subject="英语")  # still enrolling
    consume(s5, "1", at(BEFORE, "23:30"))  # 23:30 is still the day before
    w.f0 = follow_up(w.a1, s1, at(BEFORE, "23:30"))

    # --- the day ---------------------------------------------------------------------------------------
    inquiry(w.a1, "丙一", DAY)
    l2 = inquiry(w.a1, "丙二", DAY)
    advance(w.a1, l2, "invited", DAY)
    advance(w.a1, l2, "visited", DAY)
    advance(w.a1, l3, "invited", DAY)
    advance(w.a1, l4, "visited", BEFORE)
    advance(w.a1, l4, "trial", DAY)
    with clock(at(DAY, "16:00")):
        leads.contact(w.a1, l2, "约好周末再来", on=DAY)  # a contact is none of the funnel counts
    inquiry(w.a2, "丁六", DAY, channel="walkin")
    advance(w.a2, l7, "visited", DAY)

    sign(s1, DAY, hours_="40", price="150")  # new, 6000 paid in cash
    sign(s2, DAY, hours_="30", price="100", discount="200", kind="renewal",
         payments=[{"amount": "1000", "method": "wechat"}, {"amount": "800", "method": "alipay"}])  # 2800, 1800 paid
    sign(s2, DAY, subject="英语", hours_="10", price="120", kind="expansion", payments=[])  # 1200, none paid
    sign(s4, DAY, hours_="20", price="150", kind="referral", referrer=s1,
         payments=[{"amount": "3000", "method": "wechat"}])  # adv2's 转介绍
    pay(w.part_paid, "300", DAY)  # on a contract signed the day before
    with clock(at(DAY, "14:00")):
        refund = contracts.request_refund(w.a1, old_math, "2", "200", "cash", "搬家，少上两次课")
        contracts.decide_refund(w.sup, refund, True, today=DAY)  # −200 on the day

    consume(s3, "1.5", at(DAY, "07:30"))  # 07:30 local is the day before in UTC: still this day
    lesson_row = HourEntry.get(HourEntry.student == s2, HourEntry.source == "lesson:%d" % k1_lessons[0].id)
    with clock(at(DAY, "12:00")):
        hours.correct(w.a1, lesson_row, "0.5", "迟到半小时，多扣了")  # gives 0.5 back: the day consumed less

    w.f1 = follow_up(w.a1, s1, at(DAY, "07:30"))
    w.f2 = follow_up(w.a1, s2, at(DAY, "10:00"))
    w.f7 = follow_up(w.sup, s1, at(DAY, "11:00"))  # a supervisor's call: the campus's, no advisor's
    w.f5 = follow_up(w.a2, s5, at(DAY, "15:00"))
    w.f3 = follow_up(w.a1, s3, at(DAY, "23:30"))  # late evening: this day, not the next

    with clock(at(DAY, "20:00")):
        changes.end_class(None, w.k6, DAY, "课程结束")
        timetable.cancel(None, k1_lessons[5], "老师请假")  # DAY+4: one lesson fewer left

    # --- the day after ---------------------------------------------------------------------------------
    w.f4 = follow_up(w.a1, s1, at(AFTER, "00:30"))  # the same UTC date as DAY, but the next local day
    consume(s3, "1", at(AFTER, "00:30"))
    roll_call(k1_lessons[1], {s2.id: "present", s5.id: "absent"}, AFTER, "08:30")  # DAY's lesson, confirmed late
    roll_call(k1_lessons[2], {s2.id: "present", s5.id: "present"}, AFTER, "20:10")
    pay(w.part_paid, "200", AFTER)
    sign(s6, AFTER, hours_="10", price="100")  # 1000 paid
    inquiry(w.a1, "丙五", AFTER)
    advance(w.a1, l3, "visited", AFTER)
    w.f6 = follow_up(w.a2, s5, at(AFTER, "09:00"))
    for delta in (1, 1, 1, -1):  # a1 counted two hotline calls by hand on DAY (three taps, one taken back)
        manual.tap(w.a1, w.a1, DAY, "hotline", delta, today=DAY)
    manual.tap(w.a1, w.a1, AFTER, "hotline", 1, today=AFTER)
    return w


def without_rows(figures):
    return {k: v for k, v in figures.items() if k not in ("low_classes", "followup_rows", "by_advisor")}


def test_an_advisors_day_is_counted_exactly(world):
    w = world
    one = daily.advisor_day(w.a1, DAY)
    assert without_rows(one) == {
        "day": DAY, "advisor": w.a1,
        "inquiries": 2, "invitations": 2, "visits": 1, "trials": 1, "followups": 3,
        **kinds(new=(1, "6000"), renewal=(1, "2800"), expansion=(1, "1200")),
        "contracts_count": 3, "contracts_amount": money("10000"),
        "revenue": money("7900"),  # 6000 + 1000 + 800 + 300 − 200
        "hours_consumed": hrs("3.0"),  # 2 (DAY's lesson) + 1.5 (manual, 07:30) − 0.5 (correction)
        "manual": {"hotline": 2}, "new_students": 1,  # 甲一's first contract; 甲二's renewal and expansion are not
    }
    assert one["renewal"] is one["contracts"]["renewal"]
    assert [(k.id, n) for k, n in one["low_classes"]] == [(w.k1.id, 3), (w.k3.id, 3)]
    assert [f.id for f in one["followup_rows"]] == [w.f1.id, w.f2.id, w.f3.id]
    assert [f.student.name for f in one["followup_rows"]] == ["甲一", "甲二", "甲三"]

    two = daily.advisor_day(w.a2, DAY)
    assert without_rows(two) == {
        "day": DAY, "advisor": w.a2,
        "inquiries": 0, "invitations": 0, "visits": 2, "trials": 0, "followups": 1,  # 丁六 walked in: no call
        **kinds(referral=(1, "3000")), "contracts_count": 1, "contracts_amount": money("3000"),
        "revenue": money("3000"),
        "hours_consumed": hrs("2.0"),  # 乙五 absent from DAY's 数学A班 lesson (a1's class, a2's student)
        "manual": {"hotline": 0}, "new_students": 1,  # a referred family's first contract is a new student too
    }
    assert [(k.id, n) for k, n in two["low_classes"]] == [(w.k4.id, 0), (w.k7.id, 4)]
    assert [f.id for f in two["followup_rows"]] == [w.f5.id]


def test_the_campus_day_sums_everyone_and_lists_each_advisor(world):
    w = world
    campus = daily.campus_day(DAY)
    assert without_rows(campus) == {
        "day": DAY, "advisor": None,
        "inquiries": 2, "invitations": 2, "visits": 3, "trials": 1, "followups": 5,
        **kinds(new=(1, "6000"), renewal=(1, "2800"), expansion=(1, "1200"), referral=(1, "3000")),
        "contracts_count": 4, "contracts_amount": money("13000"),
        "revenue": money("10900"), "hours_consumed": hrs("5.0"), "manual": {"hotline": 2}, "new_students": 2,
    }
    assert [(k.id, n) for k, n in campus["low_classes"]] == [(w.k4.id, 0), (w.k1.id, 3), (w.k3.id, 3), (w.k7.id, 4)]
    assert [f.id for f in campus["followup_rows"]] == [w.f1.id, w.f2.id, w.f7.id, w.f5.id, w.f3.id]
    assert campus["followup_rows"][2].advisor.display_name == "主管"
    assert [(a.id, figures["advisor"].id) for a, figures in campus["by_advisor"]] == \
        [(w.a1.id, w.a1.id), (w.a2.id, w.a2.id), (w.a3.id, w.a3.id)]  # active advisors by name; not the supervisor
    for adv, figures in campus["by_advisor"][:2]:
        assert figures == daily.advisor_day(adv, DAY)
    assert campus["by_advisor"][2][1] == daily.blank(DAY, w.a3)


def test_inquiry_calls_count_phone_leads_and_walk_ins_count_as_visits(app):
    a = advisor("adv1", name="学管A")
    inquiry(a, "戊一", DAY)  # a phone call
    inquiry(a, "戊二", DAY, channel="walkin")  # walked in: a visit, not a call
    inquiry(a, "戊三", DAY, channel="referral")  # a referral: neither
    advance(a, inquiry(a, "戊四", DAY, channel="walkin"), "visited", DAY)  # walked in and 已上门 the same day: once
    invited = inquiry(a, "戊五", BEFORE)
    advance(a, invited, "invited", BEFORE)
    advance(a, invited, "visited", DAY)  # called and invited yesterday, came today
    figures = daily.advisor_day(a, DAY)
    assert (figures["inquiries"], figures["visits"]) == (1, 3)
    assert (daily.campus_day(DAY)["inquiries"], daily.campus_day(DAY)["visits"]) == (1, 3)
    assert daily.advisor_day(a, BEFORE)["inquiries"] == 1


def test_the_days_around_are_counted_on_their_own_local_days(world):
    w = world
    before1, before2 = daily.advisor_day(w.a1, BEFORE), daily.advisor_day(w.a2, BEFORE)
    assert (before1["inquiries"], before1["contracts"]["new"], before1["revenue"], before1["hours_consumed"]) == \
        (2, {"count": 2, "amount": money("3000")}, money("2500"), hrs("6.0"))
    assert [f.id for f in before1["followup_rows"]] == [w.f0.id]  # 23:30 the day before
    # 乙五: four lessons and one hour booked at 23:30 the day before
    assert (before2["inquiries"], before2["revenue"], before2["hours_consumed"]) == (2, money("2000"), hrs("9.0"))
    after1, after2 = daily.advisor_day(w.a1, AFTER), daily.advisor_day(w.a2, AFTER)
    assert (after1["inquiries"], after1["visits"], after1["revenue"], after1["hours_consumed"]) == \
        (1, 1, money("200"), hrs("3.0"))  # 2 (its own lesson) + 1 (00:30)
    assert [f.id for f in after1["followup_rows"]] == [w.f4.id]
    assert (after2["contracts_count"], after2["revenue"], after2["hours_consumed"], after2["followups"]) == \
        (1, money("1000"), hrs("2.0"), 1)


def test_money_and_hours_are_decimals(world):
    campus = daily.campus_day(DAY)
    for figures in [campus] + [f for _, f in campus["by_advisor"]]:
        assert all(type(figures[k]) is Decimal for k in ("revenue", "contracts_amount", "hours_consumed"))
        assert all(type(cell["amount"]) is Decimal for cell in figures["contracts"].values())
        assert all(type(figures[k]) is int for k in daily.COUNTS)


def test_a_day_with_nothing_gives_zeros(app):
    adv = advisor("adv1", name="学管A")
    empty = dict(daily.blank(DAY, adv))
    assert daily.advisor_day(adv, DAY) == empty
    assert empty["contracts"] == kinds()["contracts"] and empty["new"] == {"count": 0, "amount": money("0")}
    assert (empty["revenue"], empty["hours_consumed"], empty["low_classes"]) == (money("0"), hrs("0"), [])
    campus = daily.campus_day(DAY)
    assert campus.pop("by_advisor") == [(adv, empty)]
    assert campus == daily.blank(DAY)


def read(figures):
    """Everything a page shows of the figures (the follow-ups' student and advisor are loaded with them)."""
    return [(f.student.name, f.advisor.display_name) for f in figures["followup_rows"]] + \
        [(k.name, n) for k, n in figures["low_classes"]]


def test_the_campus_day_takes_as_many_queries_with_more_advisors(world):
    with count_queries() as seen:
        read(daily.campus_day(DAY))
    few = len(seen)
    for n in range(4, 8):
        adv = advisor("adv%d" % n, name="学管%d" % n)
        kid = make_student(name="学生%d" % n, advisor_user=adv)
        sign(kid, DAY, hours_="10", price="100")
        follow_up(adv, kid, at(DAY, "09:00"))
    with count_queries() as seen:
        campus = daily.campus_day(DAY)
        assert len(read(campus)) == 9 + 4  # every follow-up (the supervisor's too) and the low classes
        assert sum(len(read(figures)) for _, figures in campus["by_advisor"]) == 8 + 4
    assert len(seen) == few and campus["contracts"]["new"]["count"] == 5 and campus["followups"] == 9
    with count_queries() as seen:
        read(daily.advisor_day(world.a1, DAY))
    assert len(seen) == few - 1  # the same queries, without the list of advisors


def test_a_period_is_the_sum_of_its_days(world):
    """A week or a month is counted by the same queries over a range: it equals the sum of its days."""
    from datetime import timedelta

    w = world
    first, last = DAY - timedelta(days=1), DAY + timedelta(days=1)
    for person in (w.a1, w.a2):
        period = daily.advisor_period(person, first, last)
        days = [daily.advisor_day(person, first + timedelta(days=i)) for i in range(3)]
        for name in daily.COUNTS + daily.SUMS:
            assert period[name] == sum((d[name] for d in days), type(period[name])(0)), (person.id, name)
        assert period["manual"]["hotline"] == sum(d["manual"]["hotline"] for d in days)
        assert period["followup_rows"] == [] and period["followups"] == sum(len(d["followup_rows"]) for d in days)
    campus = daily.campus_day(first, last)
    assert campus["followups"] == sum(daily.campus_day(first + timedelta(days=i))["followups"] for i in range(3))
