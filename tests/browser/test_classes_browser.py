"""Classes in a real browser at tablet size: the roll call, moving a lesson into a clash, the hour alert."""

import sqlite3
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, log_in


def _today():
    return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


def _db(server):
    return sqlite3.connect(server.data / "xgapp.sqlite3")


def test_a_teacher_takes_attendance_for_15_students_in_under_20_taps(page, demo_campus):
    with _db(demo_campus) as conn:
        lesson_id, class_name, username = conn.execute(
            "SELECT lesson.id, school_class.name, user.username FROM lesson "
            "JOIN school_class ON school_class.id = lesson.class_id JOIN user ON user.id = lesson.teacher_id "
            "WHERE lesson.day = ? AND lesson.status = 'planned' AND "
            "(SELECT count(*) FROM enrolment e WHERE e.class_id = school_class.id AND e.left_on IS NULL) = 15",
            (_today(),)).fetchone()
        # the roll call opens when the lesson starts: let this one have started a moment ago, whatever the hour
        zone = ZoneInfo("Asia/Shanghai")
        midnight = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        started = max(datetime.now(timezone.utc) - timedelta(minutes=30), midnight.astimezone(timezone.utc))
        conn.execute("UPDATE lesson SET starts_at = ? WHERE id = ?",
                     (started.isoformat(timespec="microseconds"), lesson_id))
    log_in(page, demo_campus, username)
    taps = 0
    page.click("#mainnav a:text-is('点名')")
    taps += 1
    page.click(".lesson-list a:has-text('%s')" % class_name)
    taps += 1
    rows = page.locator("ul.rollcall > li")
    expect(rows).to_have_count(15)
    before = [Decimal(t.split()[1]) for t in rows.locator(".balance").all_inner_texts()]  # "余 12.0 课时"
    page.screenshot(path=str(ARTIFACTS / "rollcall-empty.png"), full_page=True)
    page.click("#all-present")  # one tap: everyone present ...
    taps += 1
    rows.nth(3).locator("label.mark-leave").click()  # ... then the exceptions
    rows.nth(7).locator("label.mark-absent").click()
    taps += 2
    page.screenshot(path=str(ARTIFACTS / "rollcall-marked.png"), full_page=True)
    page.click("#confirm")
    taps += 1
    expect(page.locator("#confirmed")).to_be_visible()
    assert taps < 20
    after = [Decimal(t) for t in page.locator("#confirmed td.balance").all_inner_texts()]
    # a 2-hour lesson: everyone is charged (leave reported on the spot is too late to be free)
    assert after == [b - 2 for b in before]
    page.screenshot(path=str(ARTIFACTS / "rollcall-confirmed.png"), full_page=True)
    with _db(demo_campus) as conn:
        assert conn.execute("SELECT status FROM lesson WHERE id = ?", (lesson_id,)).fetchone()[0] == "done"
        assert conn.execute("SELECT count(*) FROM hour_entry WHERE source = ?",
                            ("lesson:%d" % lesson_id,)).fetchone()[0] == 15


def test_moving_a_lesson_onto_the_teachers_other_lesson_explains_the_clash(page, demo_campus):
    with _db(demo_campus) as conn:
        mine, other, other_class, day, start, end = conn.execute(
            "SELECT a.id, b.id, cb.name, b.day, b.starts_at, b.ends_at FROM lesson a "
            "JOIN lesson b ON b.teacher_id = a.teacher_id AND b.class_id != a.class_id "
            "JOIN school_class cb ON cb.id = b.class_id "
            "WHERE a.status = 'planned' AND b.status = 'planned' AND a.day > ? AND b.day > ? LIMIT 1",
            (_today(), _today())).fetchone()
        original = conn.execute("SELECT day, starts_at FROM lesson WHERE id = ?", (mine,)).fetchone()
    local = ZoneInfo("Asia/Shanghai")
    log_in(page, demo_campus, "supervisor")
    page.goto(demo_campus.url + "/timetable/lesson/%d/move" % mine)
    page.fill("#day", day)
    page.fill("#start", datetime.fromisoformat(start).astimezone(local).strftime("%H:%M"))
    page.fill("#end", datetime.fromisoformat(end).astimezone(local).strftime("%H:%M"))
    page.fill("#reason", "老师外出培训")
    page.click("#move-form button.primary")
    conflicts = page.locator("#conflicts")
    expect(conflicts).to_contain_text("冲突")
    expect(conflicts).to_contain_text(other_class)
    page.screenshot(path=str(ARTIFACTS / "move-conflict.png"), full_page=True)
    with _db(demo_campus) as conn:
        assert conn.execute("SELECT day, starts_at FROM lesson WHERE id = ?", (mine,)).fetchone() == original
    assert other


def test_the_supervisor_home_lists_a_class_with_4_hours_left(page, demo_campus):
    with _db(demo_campus) as conn:
        name = conn.execute(
            "SELECT school_class.name FROM school_class JOIN lesson ON lesson.class_id = school_class.id "
            "WHERE lesson.status = 'planned' GROUP BY school_class.id HAVING sum(lesson.hours) = 40").fetchone()[0]
    log_in(page, demo_campus, "supervisor")
    alert = page.locator("#low-classes")
    expect(alert).to_contain_text(name)
    expect(alert.locator("li", has_text=name)).to_contain_text("剩 4.0 课时")
    page.screenshot(path=str(ARTIFACTS / "home-supervisor-alerts.png"), full_page=True)


def test_the_week_timetable_and_class_page_on_a_tablet(page, demo_campus):
    log_in(page, demo_campus, "advisor1")
    page.click("#mainnav a:text-is('课表')")
    expect(page.locator(".week .day")).to_have_count(7)
    page.screenshot(path=str(ARTIFACTS / "timetable-week.png"), full_page=True)
    page.click("#mainnav a:text-is('班级')")
    page.locator("#class-list tbody a").first.click()
    expect(page.locator("#lessons tbody tr")).to_have_count(16)
    page.screenshot(path=str(ARTIFACTS / "class-page.png"), full_page=True)


def test_student_changes_teacher_hours_and_figures_pages_on_a_tablet(page, demo_campus):
    with _db(demo_campus) as conn:
        student = conn.execute("SELECT student_id FROM enrolment WHERE status = 'active' AND kind = 'regular' "
                               "ORDER BY id LIMIT 1").fetchone()[0]
    log_in(page, demo_campus, "supervisor")
    page.goto(demo_campus.url + "/changes/student/%d" % student)
    page.evaluate("document.getElementById('suspend-start').type = 'text'")  # as an old browser without a picker
    page.fill("#suspend-start", "2026-13-01")
    page.fill("#suspend-reason", "出国")
    page.click("#form-suspend button")
    expect(page.locator("#err-suspend-start")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "student-changes.png"), full_page=True)
    page.goto(demo_campus.url + "/classes/teachers")
    expect(page.locator("#teacher-months tbody tr").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "teacher-hours.png"), full_page=True)
    page.goto(demo_campus.url + "/classes/figures")
    expect(page.locator("#month-figures .tile")).to_have_count(5)
    page.screenshot(path=str(ARTIFACTS / "teaching-figures.png"), full_page=True)
    page.goto(demo_campus.url + "/classes/rooms")
    page.screenshot(path=str(ARTIFACTS / "rooms.png"), full_page=True)
