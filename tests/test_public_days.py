"""China's public holidays as proposals the principal confirms, and warnings when lessons fall on them."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from tests.conftest import csrf_from, login
from tests.factories import make_class
from xgapp.classes import public_days
from xgapp.classes.models import Holiday, Lesson
from xgapp.clock import fixed as clock
from xgapp.timetable import domain as timetable


def test_the_library_knows_2026_and_says_it_does_not_know_2027_yet():
    assert public_days.knows(2026)
    found = {d: (name, kind) for d, name, kind in public_days.days(date(2026, 9, 20), date(2026, 10, 10))}
    assert found[date(2026, 10, 1)] == ("国庆节", "holiday") and found[date(2026, 10, 7)] == ("国庆节", "holiday")
    assert found[date(2026, 9, 20)] == ("国庆节", "workday") and found[date(2026, 10, 10)] == ("国庆节", "workday")
    assert found[date(2026, 9, 25)] == ("中秋节", "holiday")
    if not public_days.knows(2027):  # chinese-calendar 1.11.0: data up to 2026 only
        assert public_days.unknown_years(date(2026, 12, 5), date(2027, 3, 20)) == [2027]
        assert public_days.days(date(2027, 2, 1), date(2027, 2, 28)) == []


def test_proposals_are_confirmed_with_edited_names_and_lessons_skip_them(app):
    proposed, workdays = public_days.proposals(date(2026, 9, 1))
    assert (date(2026, 10, 1), "国庆节", False) in proposed and (date(2026, 10, 10), "国庆节") in workdays
    picked = public_days.confirm(None, [date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 11)],
                                 {date(2026, 10, 1): "国庆节放假"}, date(2026, 9, 1))
    assert picked == [date(2026, 10, 1), date(2026, 10, 2)]  # 10-11 is no public holiday: not offered
    assert [(h.day, h.name) for h in Holiday.select().order_by(Holiday.day)] == [
        (date(2026, 10, 1), "国庆节放假"), (date(2026, 10, 2), "国庆节")]
    assert (date(2026, 10, 1), "国庆节", True) in public_days.proposals(date(2026, 9, 1))[0]
    klass = make_class(start_on=date(2026, 9, 28))
    lessons = timetable.schedule(None, klass, [3, 4], time(18), time(20), date(2026, 9, 28), 2)
    assert [x.day for x in lessons] == [date(2026, 10, 8), date(2026, 10, 9)]  # the 1st and 2nd are skipped


def test_scheduling_over_a_public_holiday_or_an_unknown_year_warns(app):
    said = [str(w) for w in public_days.warnings([date(2026, 10, 3), date(2026, 10, 10), date(2026, 10, 17)])]
    assert any("2026-10-03" in w and "国庆节" in w for w in said)
    assert any("2026-10-10" in w for w in said)  # a 调休 Saturday: the students are at school
    assert not any("2026-10-17" in w for w in said)
    Holiday.create(day=date(2026, 10, 3), name="国庆节")
    assert not any("2026-10-03" in str(w) for w in public_days.warnings([date(2026, 10, 3)]))
    if not public_days.knows(2027):
        saturdays = [date(2026, 12, 5)] + [date(2027, 2, 6)]
        assert any("2027" in str(w) for w in public_days.warnings(saturdays))


def test_the_holidays_page_proposes_and_the_schedule_form_warns(app, client):
    login(client)  # the principal
    page = client.get("/classes/rooms").get_data(as_text=True)
    assert 'id="public-days"' in page and "chinese-calendar" in page
    klass = make_class(name="周六数学班", start_on=date(2026, 12, 5))
    token = csrf_from(page)
    with clock(datetime(2026, 11, 30, 12, tzinfo=ZoneInfo("Asia/Shanghai"))):  # planned the week before
        response = client.post("/classes/%d/schedule" % klass.id, data={
            "csrf_token": token, "weekdays": ["5"], "first_day": "2026-12-05", "start": "09:00", "end": "11:00",
            "count": "16"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert Lesson.select().where(Lesson.klass == klass).count() == 16
    if not public_days.knows(2027):
        assert "还没有 2027 年的法定节假日" in html and "春节" in html


def test_opening_a_class_that_runs_into_an_unknown_year_warns(app, client):
    from tests.factories import advisor, teacher

    login(client)
    token = csrf_from(client.get("/classes/new").get_data(as_text=True))
    response = client.post("/classes/new", data={
        "csrf_token": token, "name": "周六数学班", "kind": "group", "subject": "数学", "grade": "初二",
        "teacher": teacher().id, "advisor": advisor().id, "classroom": "", "capacity": "12", "start_on": "2026-09-05",
        "planned_lessons": "16", "lesson_hours": "2"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "国庆节" in html and "尚未设为假日" in html  # 16 weeks from 5 September run through National Day
