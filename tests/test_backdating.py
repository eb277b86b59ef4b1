"""Back-dating (补录与更正): how far back a change may go, who may make it, never before the student existed,
no roll call before its lesson starts. Every test runs on a fixed campus clock, so the hour it runs at is moot."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import csrf_from, login, make_user
from tests.factories import advisor, make_class, make_contract, make_student, teacher
from xgapp.attendance import domain as attendance
from xgapp.changes import domain as changes
from xgapp.classes import domain as classes
from xgapp.classes.models import Lesson, Suspension
from xgapp.clock import fixed as clock
from xgapp.hours import domain as hours
from xgapp.timetable import domain as timetable
from xgapp.validation import Invalid

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ZONE)  # a Friday morning on campus
ON = NOW.date()


def days(n):
    return ON + timedelta(days=n)


@pytest.fixture
def campus(app):
    """A supervisor, an advisor, a student on file for a month with 40 hours, and a class she is in."""
    with clock(NOW - timedelta(days=30)):
        adv = advisor("adv1")
        kid = make_student(name="张小明", advisor_user=adv)
        make_contract(kid, hours="40", today=days(-30))
        klass = make_class(name="数学A班", advisor_user=adv, start_on=days(-30))
        classes.enrol(None, klass, kid, days(-30))
    sup = make_user("sup", roles=("supervisor",), name="主管")
    return adv, sup, kid, klass


def test_no_suspension_before_the_student_was_on_file(campus):
    adv, sup, _, _ = campus
    with clock(NOW):
        newcomer = make_student(name="李新来", advisor_user=adv)  # created today
        with pytest.raises(Invalid) as caught:
            changes.suspend(sup, newcomer, days(-50), days(-31), "出国")
        assert "since %s" % ON.isoformat() in str(caught.value.errors["start"])
        assert Suspension.select().count() == 0
        assert changes.resumptions_due(sup, today=ON) == []


def test_a_past_suspension_is_a_supervisors_correction_within_a_week_with_a_reason(campus):
    adv, sup, kid, _ = campus
    with clock(NOW):
        with pytest.raises(Invalid) as advisors:
            changes.suspend(adv, kid, days(-1), days(10), "生病住院")
        assert "start" in advisors.value.errors
        with pytest.raises(Invalid) as too_old:
            changes.suspend(sup, kid, days(-10), days(10), "生病住院")
        assert "7" in str(too_old.value.errors["start"])
        changes.suspend(sup, kid, days(-3), days(10), "家长周一电话请的长假，补录")
        changes.suspend(adv, kid, days(20), days(25), "旅游")  # today or later: anyone who may edit the file
    assert Suspension.select().count() == 2


def test_only_a_running_suspension_resumes_today(campus, client):
    adv, sup, kid, _ = campus
    with clock(NOW - timedelta(days=20)):
        ended = changes.suspend(adv, kid, days(-20), days(-15), "比赛集训")
    with clock(NOW):
        running = changes.suspend(sup, kid, days(-2), days(3), "发烧，补录")
        coming = changes.suspend(adv, kid, days(10), days(12), "旅游")
        assert [changes.resumable(s, ON) for s in (ended, running, coming)] == ["planned", "today", None]
        with pytest.raises(Invalid):
            changes.resume(adv, coming)  # it has not begun
        login(client, "adv1")
        page = client.get("/changes/student/%d" % kid.id).get_data(as_text=True)
        rows = page.split('id="suspensions"')[1].split("</section>")[0].split("<li")[1:]
        by_start = {s.start_on.isoformat(): row for s in (ended, running, coming)
                    for row in rows if s.start_on.isoformat() in row}
        assert "今天复课" in by_start[running.start_on.isoformat()]
        assert "今天复课" not in by_start[ended.start_on.isoformat()]
        assert "今天复课" not in by_start[coming.start_on.isoformat()]
        assert "<button" not in by_start[coming.start_on.isoformat()]
        changes.resume(adv, ended)
        changes.resume(adv, running)
    assert Suspension.get_by_id(ended.id).resumed_on == days(-14)  # back as planned, the day after it ended
    assert Suspension.get_by_id(running.id).resumed_on == ON


def test_no_move_into_a_lesson_of_last_month(campus):
    adv, sup, kid, klass = campus
    other = make_class(name="数学B班", teacher_user=teacher("t2"), classroom=None, start_on=days(-30))
    with clock(NOW - timedelta(days=30)):
        [old] = timetable.schedule(None, other, [days(-25).weekday()], time(9), time(11), days(-25), 1)
        [mine] = timetable.schedule(None, klass, [days(1).weekday()], time(15), time(17), days(1), 1)
        [later] = timetable.schedule(None, other, [days(2).weekday()], time(9), time(11), days(2), 1)
    with clock(NOW):
        for who in (adv, sup):
            with pytest.raises(Invalid) as caught:
                changes.move_student(who, kid, mine, old, "换到上个月那节")
            assert "to_lesson" in caught.value.errors
        with pytest.raises(Invalid):
            timetable.move(adv, later, days(-25), time(9), time(11), reason="老师调课")
        changes.move_student(adv, kid, mine, later, "周六有比赛")
    assert Lesson.get_by_id(later.id).day == days(2)


def test_a_new_class_is_not_scheduled_weeks_back(campus):
    adv, sup, _, _ = campus
    boss = make_user("boss2", roles=("principal",), name="校长")
    with clock(NOW):
        klass = make_class(name="新开物理班", subject="物理", advisor_user=adv, teacher_user=teacher("t3"),
                           classroom=None, start_on=days(-21))
        weekday = days(-21).weekday()
        with pytest.raises(Invalid) as weeks:
            timetable.schedule(boss, klass, [weekday], time(9), time(11), days(-21), 10, reason="补录")
        assert "first_day" in weeks.value.errors
        with pytest.raises(Invalid) as advisors:
            timetable.schedule(adv, klass, [days(-1).weekday()], time(9), time(11), days(-1), 10)
        assert "first_day" in advisors.value.errors
        with pytest.raises(Invalid) as no_reason:
            timetable.schedule(boss, klass, [days(-1).weekday()], time(9), time(11), days(-1), 10)
        assert "schedule_reason" in no_reason.value.errors
        assert Lesson.select().where(Lesson.klass == klass).count() == 0
        made = timetable.schedule(boss, klass, [days(-1).weekday()], time(9), time(11), days(-1), 10,
                                  reason="昨天已开课，今天补录课表")
        assert made[0].day == days(-1)
        timetable.schedule(adv, klass, [days(1).weekday()], time(15), time(17), days(1), 2)  # ahead: anyone


def test_no_roll_call_before_the_lesson_starts(campus):
    adv, _, kid, klass = campus
    with clock(NOW - timedelta(days=30)):
        [lesson] = timetable.schedule(None, klass, [ON.weekday()], time(9, 13), time(11), ON, 1)
        [old] = timetable.schedule(None, klass, [days(-10).weekday()], time(15), time(17), days(-10), 1)
    with clock(datetime.combine(ON, time(9, 12), tzinfo=ZONE)):
        with pytest.raises(Invalid) as early:
            attendance.confirm(klass.teacher, lesson, {kid.id: "present"})
        assert "09:13" in str(early.value.errors["lesson"])
    assert hours.balance(kid) == Decimal("40.0") and Lesson.get_by_id(lesson.id).status == "planned"
    with clock(datetime.combine(ON, time(9, 13), tzinfo=ZONE)):
        attendance.confirm(klass.teacher, lesson, {kid.id: "present"})
        with pytest.raises(Invalid) as stale:
            attendance.confirm(klass.teacher, old, {kid.id: "present"})  # ten days ago: no longer
        assert "7" in str(stale.value.errors["lesson"])
    assert hours.balance(kid) == Decimal("38.0")


def test_the_roll_call_page_says_when_it_opens(campus, client):
    _, _, kid, klass = campus
    with clock(NOW - timedelta(days=30)):
        [lesson] = timetable.schedule(None, klass, [ON.weekday()], time(15), time(17), ON, 1)
    login(client, "adv1")
    with clock(NOW):  # 10:00, the lesson is at 15:00
        page = client.get("/attendance/lesson/%d" % lesson.id).get_data(as_text=True)
        assert 'id="opens-at"' in page and "15:00" in page and 'id="confirm"' not in page
        refused = client.post("/attendance/lesson/%d" % lesson.id, data={
            "csrf_token": csrf_from(page), "mark-%d" % kid.id: "present"})
        assert refused.status_code == 422
    assert Lesson.get_by_id(lesson.id).status == "planned"
