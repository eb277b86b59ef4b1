"""Student changes, notices to advisors, teacher hours and monthly figures."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo
from decimal import Decimal

import pytest

from xgapp.attendance import domain as attendance
from xgapp.changes import domain as changes
from xgapp.classes import domain as classes
from xgapp.classes import figures
from xgapp.classes.models import Enrolment, Lesson, StudentChange
from xgapp.clock import fixed as clock
from xgapp.hours import domain as hours
from xgapp.notices.models import Notice
from xgapp.students.models import Student
from xgapp.timetable import domain as timetable
from xgapp.validation import Invalid
from tests.conftest import campus_today, csrf_from, login, make_user
from tests.factories import advisor, make_class, make_contract, make_student, teacher

D = Decimal
SAT = date(2026, 9, 5)
BEFORE_TERM = datetime(2026, 9, 1, 12, tzinfo=ZoneInfo("Asia/Shanghai"))  # people record these on the day


def _class(n=2, name="数学班", **kw):
    klass = make_class(name=name, **kw)
    pupils = []
    for i in range(n):
        s = make_student(name="%s学生%d" % (name, i))
        make_contract(s, hours="20", subject=klass.subject)
        classes.enrol(None, klass, s, SAT)
        pupils.append(s)
    lessons = timetable.schedule(None, klass, [5], time(9), time(11), SAT, 4)
    return klass, pupils, lessons


def test_a_suspension_takes_the_student_off_the_roll_and_freezes_hours(app):
    klass, (a, b), lessons = _class()
    changes.suspend(None, a, SAT + timedelta(days=7), SAT + timedelta(days=14), "出国旅游")
    assert [s.id for s, _, _ in classes.roster(lessons[0])] == [a.id, b.id]
    assert [s.id for s, _, _ in classes.roster(lessons[1])] == [b.id]
    assert [s.id for s, _, _ in classes.roster(lessons[2])] == [b.id]
    attendance.confirm(None, lessons[1], {b.id: "present"}, today=lessons[1].day)
    assert hours.balance(a) == D("20.0") and hours.balance(b) == D("18.0")
    with pytest.raises(Invalid):
        changes.suspend(None, a, SAT + timedelta(days=10), SAT + timedelta(days=20), "又停")
    with pytest.raises(Invalid) as caught:
        changes.suspend(None, b, SAT + timedelta(days=9), SAT + timedelta(days=8), "倒过来")
    assert "end" in caught.value.errors
    due = changes.resumptions_due(make_user("sup", roles=("supervisor",)), today=SAT + timedelta(days=12))
    assert [s.student_id for s in due] == [a.id]
    suspension = due[0]
    changes.resume(None, suspension, SAT + timedelta(days=13))
    assert a.id in {s.id for s, _, _ in classes.roster(lessons[2])}
    kinds = [c.kind for c in StudentChange.select().where(StudentChange.student == a).order_by(StudentChange.id)]
    assert kinds == ["suspend", "resume"]


def test_moving_one_students_lesson_charges_at_the_new_lesson_only(app):
    maths, (a, b), lessons = _class(name="数学A班")
    other = make_class(name="数学B班", teacher_user=teacher("t2"), classroom=None)
    [sunday] = timetable.schedule(None, other, [6], time(9), time(11), SAT, 1)
    changes.move_student(None, a, lessons[0], sunday, "周六有比赛")
    assert [s.id for s, _, _ in classes.roster(lessons[0])] == [b.id]
    assert [s.id for s, _, _ in classes.roster(sunday)] == [a.id]
    attendance.confirm(None, lessons[0], {b.id: "present"}, today=SAT)
    attendance.confirm(None, sunday, {a.id: "present"}, today=SAT + timedelta(days=1))
    assert hours.balance(a) == D("18.0") and hours.balance(b) == D("18.0")
    english = make_class(name="英语班", subject="英语", teacher_user=teacher("t3"), classroom=None)
    [eng] = timetable.schedule(None, english, [6], time(14), time(16), SAT, 1)
    with pytest.raises(Invalid):
        changes.move_student(None, b, lessons[1], eng, "换科目")


def test_a_make_up_is_free_after_a_charged_absence_and_charged_after_a_free_leave(app):
    klass, (a, b), lessons = _class()
    attendance.report_leave(None, lessons[0], b, "生病", at=lessons[0].starts_at - timedelta(days=2))
    attendance.confirm(None, lessons[0], {a.id: "absent", b.id: "leave"}, today=SAT)
    assert hours.balance(a) == D("18.0") and hours.balance(b) == D("20.0")
    other = make_class(name="补课班", teacher_user=teacher("t2"), classroom=None)
    [slot] = timetable.schedule(None, other, [6], time(9), time(11), SAT, 1)
    missed = {x.student_id: x for x in attendance.marks_of(lessons[0]).values()}
    changes.book_makeup(None, a, missed[a.id], slot)
    changes.book_makeup(None, b, missed[b.id], slot)
    with pytest.raises(Invalid):
        changes.book_makeup(None, a, missed[a.id], slot)  # once only
    attendance.confirm(None, slot, {a.id: "present", b.id: "present"}, today=SAT + timedelta(days=1))
    assert hours.balance(a) == D("18.0") and hours.balance(b) == D("18.0")


def test_transfer_carries_hours_and_respects_capacity(app):
    klass, (a, b), lessons = _class()
    full = make_class(name="满班", teacher_user=teacher("t2"), classroom=None, capacity=1)
    occupant = make_student(name="占位")
    make_contract(occupant, hours="10")
    classes.enrol(None, full, occupant, SAT)
    enrolment = Enrolment.get(Enrolment.student == a, Enrolment.klass == klass)
    with pytest.raises(Invalid):
        changes.transfer(None, enrolment, full, SAT + timedelta(days=7), "想换老师")
    assert Enrolment.get_by_id(enrolment.id).status == "active"  # nothing half-done
    roomy = make_class(name="新班", teacher_user=teacher("t4"), classroom=None)
    changes.transfer(None, enrolment, roomy, SAT + timedelta(days=7), "想换老师")
    assert Enrolment.get_by_id(enrolment.id).left_on == SAT + timedelta(days=7)
    assert [s.id for s, _, _ in classes.roster(lessons[1])] == [b.id]
    assert hours.balance(a) == D("20.0")


def test_ending_a_class_finishes_everyone_and_cancels_the_rest(app):
    klass, (a, b), lessons = _class()
    attendance.confirm(None, lessons[0], {a.id: "present", b.id: "present"}, today=SAT)
    changes.end_class(None, klass, SAT, "提前结课")
    assert [x.status for x in Lesson.select().where(Lesson.klass == klass).order_by(Lesson.day)] == [
        "done", "cancelled", "cancelled", "cancelled"]
    assert {e.status for e in Enrolment.select().where(Enrolment.klass == klass)} == {"finished"}
    assert classes.low_hour_classes(threshold=D("4")) == []  # an ended class is no alert


def test_moving_a_whole_lesson_tells_the_advisors(app):
    klass, (a, b), lessons = _class()
    other = advisor("adv2")
    Student.update(advisor=other).where(Student.id == b.id).execute()
    with clock(BEFORE_TERM):
        timetable.move(klass.teacher, lessons[1], SAT + timedelta(days=8), time(18), time(20), reason="老师出差")
    told = {n.user_id for n in Notice.select()}
    assert told == {klass.advisor_id, other.id}
    assert "老师出差" in Notice.select().first().text


def test_teacher_hours_two_party_confirmation_and_discrepancy(app):
    klass, (a, b), lessons = _class()
    boss = make_user("sup", roles=("supervisor",))
    for lesson in lessons[:2]:
        attendance.confirm(None, lesson, {a.id: "present", b.id: "present"}, today=lesson.day)
    t = klass.teacher
    assert figures.teacher_totals("2026-09") == {t.id: (2, D("4.0"))}
    with pytest.raises(Invalid):
        figures.confirm(boss, t, "2026-09", "teacher")  # only the teacher confirms their own
    figures.confirm(t, t, "2026-09", "teacher")
    figures.confirm(boss, t, "2026-09", "advisor")
    [line] = figures.verification("2026-09")
    assert line["problems"] == []
    attendance.confirm(None, lessons[2], {a.id: "present", b.id: "present"}, today=lessons[2].day)
    [line] = figures.verification("2026-09")
    assert len(line["problems"]) == 2 and all(serious for _, serious in line["problems"])


def test_month_figures(app):
    klass, (a, b), lessons = _class()
    attendance.confirm(None, lessons[0], {a.id: "present", b.id: "absent"}, today=SAT)
    attendance.confirm(None, lessons[1], {a.id: "present", b.id: "present"}, today=lessons[1].day)
    numbers = figures.month_figures("2026-09")
    assert (numbers["lessons"], numbers["students"], numbers["teachers"], numbers["average_size"]) == (2, 2, 1, 1.5)
    assert numbers["hours"] == D("8.0")  # roll calls count in their lessons' month, whenever they were confirmed
    assert numbers["per_advisor"][0]["classes"] == 1


def test_changes_page_records_a_suspension_and_shows_errors_beside_fields(app, client):
    klass, (a, b), lessons = _class()
    login(client, "adv1")
    url = "/changes/student/%d" % a.id
    token = csrf_from(client.get(url).get_data(as_text=True))
    with clock(BEFORE_TERM):
        bad = client.post(url + "/suspend", data={"csrf_token": token, "start": "2026-09-20",
                                     "end": "2026-09-10", "reason": "旅游"})
        assert bad.status_code == 422 and 'id="err-suspend-end"' in bad.get_data(as_text=True)
        ok = client.post(url + "/suspend", data={"csrf_token": token, "start": "2026-09-10",
                                    "end": "2026-09-20", "reason": "旅游"})
    assert ok.status_code == 303
    assert "旅游" in client.get(url).get_data(as_text=True)
    other = app.test_client()
    login(other, "t1")
    assert other.get(url).status_code == 403  # teachers do not change student files


def test_a_one_lesson_booking_checks_clashes_and_suspension(app):
    klass, (a, b), lessons = _class(name="甲班")
    other = make_class(name="乙班", teacher_user=teacher("t2"), classroom=None)
    [same_time] = timetable.schedule(None, other, [5], time(10), time(12), SAT, 1)
    with pytest.raises(Invalid) as caught:
        classes.book_one_lesson(None, same_time, a, "makeup")
    assert "甲班" in caught.value.errors["student"]
    changes.move_student(None, a, lessons[0], same_time, "换到乙班这节")  # moving away from the clash is fine
    changes.suspend(None, b, SAT + timedelta(days=7), SAT + timedelta(days=8), "请长假")
    [later] = timetable.schedule(None, other, [6], time(9), time(11), SAT + timedelta(days=7), 1)
    with pytest.raises(Invalid):
        classes.book_one_lesson(None, later, b, "makeup")


def test_leave_is_recorded_as_a_student_change(app):
    klass, (a, b), lessons = _class()
    attendance.report_leave(None, lessons[0], a, "发烧", at=lessons[0].starts_at - timedelta(days=2))
    change = StudentChange.get(StudentChange.student == a)
    assert change.kind == "leave" and change.lesson_id == lessons[0].id and change.hours_effect


def test_ending_a_class_on_a_lesson_day_keeps_that_lesson(app):
    klass, (a, b), lessons = _class()
    changes.end_class(None, klass, lessons[1].day, "提前结课")
    assert {s.id for s, _, _ in classes.roster(lessons[1])} == {a.id, b.id}
    attendance.confirm(None, lessons[1], {a.id: "present", b.id: "present"}, today=lessons[1].day)
    assert Lesson.get_by_id(lessons[2].id).status == "cancelled"


def test_changing_the_teacher_moves_the_planned_lessons_and_the_subject_locks(app):
    klass, (a, b), lessons = _class()
    first_teacher = klass.teacher_id
    attendance.confirm(None, lessons[0], {a.id: "present", b.id: "present"}, today=SAT)
    data = {"name": klass.name, "subject": "英语", "grade": klass.grade, "kind": "group", "teacher": teacher("t9"),
            "advisor": klass.advisor, "classroom": klass.classroom, "capacity": "15", "planned_lessons": "16",
            "lesson_hours": "2", "start_on": klass.start_on, "status": "running"}
    with pytest.raises(Invalid) as caught:
        classes.update(None, klass, data)
    assert "subject" in caught.value.errors
    with pytest.raises(Invalid) as caught:
        classes.update(None, klass, data | {"subject": "数学", "status": "ended"})
    assert "status" in caught.value.errors
    classes.update(None, klass, data | {"subject": "数学"})
    assert {x.teacher_id for x in Lesson.select().where(Lesson.klass == klass, Lesson.status == "planned")} == {
        teacher("t9").id}
    assert Lesson.get_by_id(lessons[0].id).teacher_id == first_teacher  # the held lesson keeps its teacher


def test_teacher_month_rejects_a_repeat_confirmation(app):
    klass, (a, b), lessons = _class()
    attendance.confirm(None, lessons[0], {a.id: "present", b.id: "present"}, today=SAT)
    t = klass.teacher
    figures.confirm(t, t, "2026-09", "teacher")
    with pytest.raises(Invalid):
        figures.confirm(t, t, "2026-09", "teacher")
    with pytest.raises(ValueError):
        figures.confirm(t, t, "2026-09", "bogus")


def test_a_students_timetable_follows_the_transfer(app, client):
    klass, (a, b), lessons = _class(name="旧班")
    new = make_class(name="新班", teacher_user=teacher("t2"), classroom=None)
    timetable.schedule(None, new, [6], time(9), time(11), SAT, 4)
    changes.transfer(None, Enrolment.get(Enrolment.student == a), new, SAT + timedelta(days=7), "换班")
    login(client, "adv1")
    first = client.get("/timetable/?student=%d&week=2026-08-31" % a.id).get_data(as_text=True)
    later = client.get("/timetable/?student=%d&week=2026-09-14" % a.id).get_data(as_text=True)
    assert "<strong>旧班</strong>" in first and "<strong>新班</strong>" not in first  # in the new class from the 12th
    assert "<strong>旧班</strong>" not in later and "<strong>新班</strong>" in later


def test_odd_input_is_a_message_or_ignored_never_a_500(app, client):
    klass, (a, b), lessons = _class()
    login(client)
    for url in ("/timetable/?week=0001-01-01", "/timetable/?week=9999-12-31", "/attendance/?day=0001-01-01",
                "/classes/teachers?month=0001-01", "/classes/figures?month=2026-13"):
        assert client.get(url).status_code == 200, url
    url = "/changes/student/%d" % a.id
    token = csrf_from(client.get(url).get_data(as_text=True))
    bad = client.post(url + "/leave", data={"csrf_token": token,
                                 "enrolment": Enrolment.get(Enrolment.student == a).id, "on": "2026-13-45",
                                 "reason": "搬家"})
    assert bad.status_code == 422 and 'id="err-class-on"' in bad.get_data(as_text=True)
    assert Enrolment.get(Enrolment.student == a).status == "active"
    move = client.post(url + "/move", data={"csrf_token": token, "from_lesson": lessons[1].id,
                                  "to_lesson": 99999, "reason": "x"})
    assert move.status_code == 422
    page = client.get("/classes/%d" % klass.id)
    token = csrf_from(page.get_data(as_text=True))
    zoned = client.post("/classes/%d/schedule" % klass.id, data={
        "csrf_token": token, "weekdays": ["6"], "first_day": "2026-09-06", "start": "10:00+08:00", "end": "11:00",
        "count": "1"})
    assert zoned.status_code == 422


def test_front_desk_cannot_open_a_class_or_a_roll_call(app, login_as):
    klass, (a, b), lessons = _class()
    client = login_as("frontdesk")
    assert client.get("/classes/%d" % klass.id).status_code == 403
    assert client.get("/attendance/lesson/%d" % lessons[0].id).status_code == 403


def test_an_advisor_opens_classes_only_for_herself(app):
    me, other = advisor("adv1"), advisor("adv2")
    klass = make_class(advisor_user=other, classroom=None, by=me)
    assert klass.advisor_id == me.id


def test_a_suspension_recorded_ahead_pauses_the_student_on_its_first_day(app):
    from xgapp.scheduler import run_jobs

    klass, (a, b), lessons = _class()
    today = campus_today()
    changes.suspend(None, a, today + timedelta(days=3), today + timedelta(days=10), "下周出国")
    assert Student.get_by_id(a.id).status == "active"
    assert changes.start_due_suspensions(today + timedelta(days=2)) == []
    assert [s.id for s in changes.start_due_suspensions(today + timedelta(days=3))] == [a.id]
    assert Student.get_by_id(a.id).status == "paused"
    assert changes.start_due_suspensions(today + timedelta(days=4)) == []  # once
    run_jobs(app)  # the server's daily job runs it too, without error
