"""Student files without HTTP: validation, duplicates, pinyin search, visibility, status history."""

from datetime import date

import pytest

from xgapp import policy, validation
from xgapp.students import handover
from xgapp.accounts.models import User
from xgapp.students import domain
from xgapp.students.models import Guardian, Student
from xgapp.validation import Invalid
from tests.conftest import campus_today, make_user
from tests.factories import advisor, make_student


@pytest.mark.parametrize("raw,ok", [("13812345678", "13812345678"), ("138 1234 5678", "13812345678"),
                                    ("+8613812345678", "13812345678"), ("12812345678", None),
                                    ("1381234567", None), ("010-12345678", None), ("", None)])
def test_mainland_mobile_numbers(raw, ok):
    if ok:
        assert validation.mobile(raw) == ok
    else:
        with pytest.raises(ValueError):
            validation.mobile(raw)


@pytest.mark.parametrize("raw", ["-1", "12.345", "abc", "NaN", "1e400"])
def test_bad_amounts_are_rejected(raw):
    with pytest.raises(ValueError):
        validation.money(raw)


@pytest.mark.parametrize("raw", ["0", "-2", "1.25", "0.3", "x"])
def test_hours_must_be_positive_multiples_of_half(raw):
    with pytest.raises(ValueError):
        validation.hours(raw)


def test_create_student_with_guardian_and_history(app):
    student = make_student(name="张小明", mobile="13900001111")
    assert student.status == "prospect" and student.guardians.count() == 1
    assert [c.status for c in student.status_changes] == ["prospect"]
    assert "zhangxiaoming" in student.search_text and "zxm" in student.search_text


def test_bad_guardian_mobile_names_the_field_and_saves_nothing(app):
    with pytest.raises(Invalid) as caught:
        domain.create(None, {"name": "李雷", "advisor": advisor()},
                      [{"name": "李爸爸", "relation": "父亲", "mobile": "12345"}])
    assert "guardians-0-mobile" in caught.value.errors
    assert Student.select().count() == 0 and Guardian.select().count() == 0


def test_duplicate_family_is_warned_then_saved_when_confirmed(app):
    first = make_student(name="王一", mobile="13700002222")
    rows = [{"name": "王妈妈", "relation": "母亲", "mobile": "137 0000 2222"}]
    with pytest.raises(Invalid) as caught:
        domain.create(None, {"name": "王二", "advisor": advisor()}, rows)
    assert caught.value.warning and "王一" in str(caught.value.errors["guardians-0-mobile"])
    second = domain.create(None, {"name": "王二", "advisor": advisor()}, rows, confirm_duplicate=True)
    assert second.id != first.id and Student.select().count() == 2  # a sibling, not merged


def test_pinyin_search_by_initials_full_pinyin_phone_tail_and_school(app):
    make_student(name="张小明", mobile="13911112222", school="人大附中")
    make_student(name="曾乐乐", mobile="13933334444")
    boss = User.get(User.username == "boss")
    for term in ("张小明", "zxm", "zhangxiaoming", "ZXM", "2222", "人大附中", "xiaoming"):
        assert [s.name for s in domain.search(boss, term)] == ["张小明"], term
    assert [s.name for s in domain.search(boss, "zll")] == ["曾乐乐"]  # surname 曾 read zeng
    assert domain.search(boss, "22") == []  # tails need 3+ digits


def test_advisors_see_only_their_students_others_by_role(app):
    mine, theirs = advisor("adv1"), advisor("adv2")
    a = make_student(name="甲同学", advisor_user=mine)
    b = make_student(name="乙同学", advisor_user=theirs)
    assert [s.name for s in policy.students_visible_to(mine)] == ["甲同学"]
    assert policy.student_access(mine, b) == set() and policy.student_access(mine, a) == {"view", "edit", "money"}
    desk = make_user("desk", roles=("frontdesk",))
    teacher = make_user("teach", roles=("teacher",))
    finance = make_user("fin", roles=("finance",))
    assert policy.student_access(desk, a) == {"view"} and policy.student_access(teacher, a) == {"view"}
    assert policy.student_access(finance, a) == {"view", "money"}
    assert policy.students_visible_to(desk).count() == 2


def test_status_changes_are_dated_and_kept(app):
    student = make_student()
    domain.change_status(None, student, "trial", date(2026, 9, 1))
    domain.change_status(None, student, "active", date(2026, 9, 8), reason="签约")
    student = Student.get_by_id(student.id)
    assert (student.status, student.status_since) == ("active", date(2026, 9, 8))
    assert [(c.status, c.effective) for c in student.status_changes.order_by("id")] == [
        ("prospect", campus_today()), ("trial", date(2026, 9, 1)), ("active", date(2026, 9, 8))]


def test_reassign_is_audited(app):
    from xgapp.audit.models import AuditLog

    student = make_student(advisor_user=advisor("adv1"))
    handover.reassign(User.get(User.username == "boss"), student, advisor("adv2"))
    assert Student.get_by_id(student.id).advisor.username == "adv2"
    assert AuditLog.get(AuditLog.action == "reassign").table == "student"


def test_an_over_long_name_is_refused_with_a_message_not_cut(app):
    data = {"name": "张" * 41, "advisor": advisor()}
    guardians = [{"name": "妈" * 41, "relation": "母亲", "mobile": "13912345678", "can_pickup": True}]
    with pytest.raises(Invalid) as refused:
        domain.create(None, data, guardians)
    assert set(refused.value.errors) == {"name", "guardians-0-name"}
    assert "40" in str(refused.value.errors["name"]) and Student.select().count() == 0
    made = domain.create(None, dict(data, name="张" * 40), [dict(guardians[0], name="妈" * 40)])
    assert made.name == "张" * 40 and made.guardians.get().name == "妈" * 40


def test_over_long_room_holiday_and_class_names_are_refused(app):
    from xgapp.classes import domain as classes
    from xgapp.classes.models import Classroom, Holiday
    with pytest.raises(Invalid) as room:
        classes.save_classroom(None, "教" * 41, "15")
    with pytest.raises(Invalid) as holiday:
        classes.add_holiday(None, date(2026, 10, 1), "假" * 41)
    assert set(room.value.errors) == {"name"} and set(holiday.value.errors) == {"holiday_name"}
    assert Classroom.select().count() == 0 and Holiday.select().count() == 0


def test_the_newest_events_of_a_long_file_are_the_first_of_the_whole_timeline(app):
    from datetime import datetime, timedelta, timezone

    from tests.factories import make_contract
    from xgapp.clock import fixed
    from xgapp.followups import domain as followups
    from xgapp.hours import domain as hours
    from xgapp.students import timeline

    me = advisor("adv1")
    kid = make_student(advisor_user=me)
    start = datetime(2026, 9, 1, 2, 0, tzinfo=timezone.utc)
    with fixed(start):
        make_contract(kid, hours="40")
    for n in range(12):  # two areas whose events interleave in time
        with fixed(start + timedelta(days=n, hours=1)):
            hours.consume(me, kid, "数学", "1", "第%d次" % n)
        with fixed(start + timedelta(days=n, hours=3 if n % 2 else 0)):
            followups.log(me, kid, {"kind": "routine", "channel": "phone", "whom": "parent",
                                    "at": start + timedelta(days=n, hours=3 if n % 2 else 0, minutes=-1),
                                    "purpose": "回访%d" % n, "content": "c"})
    everything = timeline.events(kid)
    for limit in (1, 2, 5, 13, len(everything), len(everything) + 3):
        assert timeline.events(kid, limit=limit) == everything[:limit]
    without_money = timeline.events(kid, money=False)
    assert without_money and all(kind not in timeline.MONEY_KINDS for _, kind, _, _ in without_money)
    assert timeline.events(kid, money=False, limit=4) == without_money[:4]


def test_the_timeline_read_page_by_page_is_the_whole_timeline_even_where_events_share_an_instant(app):
    from datetime import datetime, timedelta, timezone

    from tests.factories import make_contract
    from xgapp.clock import fixed
    from xgapp.followups import domain as followups
    from xgapp.students import timeline

    me = advisor("adv1")
    kid = make_student(advisor_user=me)
    start = datetime(2026, 9, 1, 2, 0, tzinfo=timezone.utc)
    with fixed(start):
        make_contract(kid, hours="40")  # the contract and its payment: two areas, one instant
    for n in range(9):  # runs of follow-ups logged for the very same instant
        at = start + timedelta(days=n // 3, hours=1)
        with fixed(at):
            followups.log(me, kid, {"kind": "routine", "channel": "phone", "whom": "parent", "at": at,
                                    "purpose": "回访%d" % n, "content": "c"})
    everything = timeline.events(kid)
    assert len(everything) >= 12 and len({e[0] for e in everything}) < len(everything)
    for size in (1, 2, 3, 4, 5, 7):
        pages, before, skip = [], None, 0
        while True:
            page = timeline.events(kid, limit=size + 1, before=before, skip=skip)
            pages += page[:size]
            if len(page) <= size:
                break
            before, skip = timeline.next_page(page[:size], before, skip)
        assert pages == everything, size
