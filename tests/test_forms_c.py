"""Every form of classes, timetable, attendance, scores and the study room reports all its errors in one answer.

Each test posts everything wrong at once and checks, through the page's HTML, that every wrong field carries its
message in the one 422 response, and that nothing was saved.
"""

from datetime import datetime, time, timedelta, timezone

import pytest

from tests import html
from tests.conftest import campus_today, csrf_from, login, make_user
from tests.factories import make_class, make_contract, make_student
from xgapp import clock as campus_clock
from xgapp.classes import domain as classes
from xgapp.classes.models import Classroom, Enrolment, Holiday, LeaveNotice, Lesson, SchoolClass, TeacherMonth
from xgapp.clock import fixed as clock
from xgapp.scores import domain as scores
from xgapp.scores.models import Score, StageTest
from xgapp.selfstudy import domain as selfstudy
from xgapp.selfstudy.models import Question, Visit, VisitExit
from xgapp.timetable import domain as timetable

LONG = "长" * 300


def _page(client, url):
    return csrf_from(client.get(url).get_data(as_text=True))


def _refused(response, *fields):
    """The page of a refused form: 422, and a message beside every one of `fields`."""
    assert response.status_code == 422, response.status_code
    page = html.parse(response)
    found = html.errors(page)
    assert set(fields) <= set(found), "missing: %s (found %s)" % (set(fields) - set(found), found)
    assert all(found[name] for name in fields)
    return page, found


def _class_with_lesson():
    klass = make_class()
    kid = make_student(name="学生甲")
    make_contract(kid, hours="10")
    classes.enrol(None, klass, kid, campus_today() - timedelta(days=7))
    [lesson] = timetable.schedule(None, klass, [(campus_today() + timedelta(days=7)).weekday()], time(9), time(11),
                                  campus_today() + timedelta(days=7), 1)
    return klass, kid, lesson


# --- classes -------------------------------------------------------------------------------------------------------

BAD_CLASS = {"name": "", "kind": "big", "subject": " ", "grade": "大一", "teacher": "abc", "advisor": "999999",
             "classroom": "999999", "capacity": "0", "start_on": "2026-02-30", "planned_lessons": "500",
             "lesson_hours": "1.25"}


def test_a_new_class_reports_every_wrong_field_at_once(app, client):
    login(client)
    token = _page(client, "/classes/new")
    response = client.post("/classes/new", data=BAD_CLASS | {"csrf_token": token})
    page, found = _refused(response, "name", "kind", "subject", "grade", "teacher", "advisor", "classroom",
                           "capacity", "start_on", "planned_lessons", "lesson_hours")
    assert found["lesson_hours"] == "课时须为 0.5 的整数倍。"
    assert SchoolClass.select().count() == 0


def test_editing_a_class_reports_every_wrong_field_at_once(app, client):
    klass = make_class()
    login(client)
    token = _page(client, "/classes/%d/edit" % klass.id)
    response = client.post("/classes/%d/edit" % klass.id, data=BAD_CLASS | {"csrf_token": token, "status": "ended"})
    _refused(response, "name", "kind", "subject", "grade", "teacher", "advisor", "classroom", "capacity",
             "start_on", "planned_lessons", "lesson_hours", "status")
    assert SchoolClass.get_by_id(klass.id).name == klass.name


def test_a_classroom_and_a_holiday_report_every_wrong_field_at_once(app, client):
    login(client)
    token = _page(client, "/classes/rooms")
    room = client.post("/classes/rooms/room", data={"csrf_token": token, "name": "", "seats": "0"})
    _refused(room, "name", "seats")
    holiday = client.post("/classes/rooms/holiday", data={"csrf_token": token, "day": "2026-13-01",
                                                          "holiday_name": LONG})
    _refused(holiday, "day", "holiday_name")
    public = client.post("/classes/rooms/public-days", data={"csrf_token": token, "public_day": "someday"})
    _refused(public, "public_days")
    assert Classroom.select().count() == 0 and Holiday.select().count() == 0


def test_the_class_page_forms_report_every_wrong_field_at_once(app, client):
    klass, kid, lesson = _class_with_lesson()
    login(client)
    url = "/classes/%d" % klass.id
    token = _page(client, url)
    enrolled, planned = Enrolment.select().count(), Lesson.select().count()
    enrol = client.post(url + "/enrol", data={"csrf_token": token, "student": "没有这个人", "on": "明天"})
    _refused(enrol, "student", "on")
    trial = client.post(url + "/trial", data={"csrf_token": token, "trial_student": "", "trial_lesson": "abc"})
    _refused(trial, "trial_student", "trial_lesson")
    schedule = client.post(url + "/schedule", data={"csrf_token": token, "weekdays": ["8"], "first_day": "0000-00-00",
                                                    "start": "25:00", "end": "nan", "count": "0"})
    _refused(schedule, "weekdays", "first_day", "start", "end", "count")
    end = client.post(url + "/end", data={"csrf_token": token, "on": "2026-02-30", "reason": LONG})
    _refused(end, "end-on", "end-reason")  # the end form's own fields (its date is named "on" as the enrol form's)
    assert (Enrolment.select().count(), Lesson.select().count()) == (enrolled, planned)
    assert SchoolClass.get_by_id(klass.id).status != "ended"


def test_confirming_a_teachers_month_reports_every_problem_at_once(app, client):
    login(client)
    token = _page(client, "/classes/teachers")
    response = client.post("/classes/teachers", data={"csrf_token": token, "teacher": "abc", "side": "both",
                                                      "note": LONG})
    assert response.status_code == 422
    banner = html.text(html.parse(response), "p.error.banner")
    assert banner.count("请从给出的选项中选择。") == 2 and "请不要超过 200 个字。" in banner  # teacher, side, note
    assert TeacherMonth.select().count() == 0


# --- timetable -------------------------------------------------------------------------------------------------------

def test_moving_and_cancelling_a_lesson_report_every_wrong_field_at_once(app, client):
    klass, kid, lesson = _class_with_lesson()
    login(client)
    url = "/timetable/lesson/%d" % lesson.id
    token = _page(client, url + "/move")
    move = client.post(url + "/move", data={"csrf_token": token, "day": "9999-12-31", "start": "abc", "end": "",
                                            "classroom": "999999", "reason": ""})
    _refused(move, "day", "start", "end", "classroom", "reason")
    cancel = client.post(url + "/cancel", data={"csrf_token": token, "reason": " "})
    _refused(cancel, "reason")
    again = Lesson.get_by_id(lesson.id)
    assert (again.day, again.status, again.starts_at) == (lesson.day, "planned", lesson.starts_at)


# --- attendance ------------------------------------------------------------------------------------------------------

def test_the_roll_call_and_a_leave_report_every_problem_at_once(app, client):
    klass = make_class()
    kids = [make_student(name="学生%d" % i) for i in range(2)]
    for kid in kids:
        make_contract(kid, hours="10")
        classes.enrol(None, klass, kid, campus_today() - timedelta(days=7))
    [lesson] = timetable.schedule(None, klass, [campus_today().weekday()], time(9), time(11), campus_today(), 1)
    with clock(lesson.starts_at + timedelta(minutes=30)):  # the roll call is open
        login(client)
        url = "/attendance/lesson/%d" % lesson.id
        token = _page(client, url)
        response = client.post(url, data={"csrf_token": token, "mark-%d" % kids[1].id: "maybe",
                                          "overdraft_reason": LONG})
        page, found = _refused(response, "overdraft_reason")
        for kid in kids:  # each roll-call row carries its own message
            assert html.text(page, "#err-mark-%d" % kid.id) == "请为 %s 点名。" % kid.name
        leave = client.post(url + "/leave", data={"csrf_token": token, "leave_student": "999999", "leave_reason": ""})
        _refused(leave, "leave_student", "leave_reason")
    assert Lesson.get_by_id(lesson.id).status == "planned" and LeaveNotice.select().count() == 0


# --- scores ----------------------------------------------------------------------------------------------------------

def test_a_test_and_its_scores_report_every_wrong_field_at_once(app, client):
    klass, kid, lesson = _class_with_lesson()
    other = make_student(name="学生乙")
    make_contract(other, hours="10")
    classes.enrol(None, klass, other, campus_today() - timedelta(days=7))
    login(client)
    token = _page(client, "/scores/class/%d" % klass.id)
    new = client.post("/scores/class/%d" % klass.id, data={"csrf_token": token, "name": "", "on": "abc",
                                                            "full_score": "1e309"})
    _refused(new, "name", "on", "full_score")
    assert StageTest.select().count() == 0
    test = scores.create(None, klass, "月测", campus_today(), "100")
    response = client.post("/scores/test/%d" % test.id, data={
        "csrf_token": token, "score-%d" % kid.id: "101", "analysis-%d" % kid.id: "",
        "score-%d" % other.id: "88", "analysis-%d" % other.id: "长" * 501})
    _refused(response, "score-%d" % kid.id, "analysis-%d" % other.id)
    assert Score.select().count() == 0


# --- the study room --------------------------------------------------------------------------------------------------

@pytest.fixture
def desk(client):
    make_user("desk", roles=("frontdesk",))
    login(client, "desk")
    return client


def test_a_pickup_by_someone_not_on_file_reports_every_wrong_field_at_once(app, desk):
    kid = make_student(name="张小明")
    visit = selfstudy.sign_in(None, kid)
    token = _page(desk, "/selfstudy/kiosk")
    response = desk.post("/selfstudy/kiosk/out/%d" % visit.id, data={
        "csrf_token": token, "kind": "other", "name": "王" * 41, "relation": "", "phone": "12345"})
    _refused(response, "pickup_name", "pickup_relation", "pickup_phone")
    assert Visit.get_by_id(visit.id).left_at is None


def _overnight(kid):
    yesterday = campus_today() - timedelta(days=1)
    arrived = datetime.combine(yesterday, time(17), tzinfo=campus_clock.zone()).astimezone(timezone.utc)
    with clock(arrived):
        return selfstudy.sign_in(None, kid, now=arrived)


def test_closing_a_visit_left_open_reports_every_wrong_field_at_once(app, desk):
    kid = make_student(name="张小明")
    visit = _overnight(kid)
    token = _page(desk, "/selfstudy/kiosk")
    kiosk = desk.post("/selfstudy/kiosk/resolve/%d" % visit.id, data={
        "csrf_token": token, "note": LONG, "left_day": "2026-02-30", "left_time": "12:00"})
    _refused(kiosk, "note", "left_at")
    page = desk.post("/selfstudy/visit/%d/resolve" % visit.id, data={
        "csrf_token": token, "note": "", "left_day": visit.day.isoformat(), "left_time": "16:00"})  # before arriving
    _refused(page, "note", "left_at")
    assert Visit.get_by_id(visit.id).left_at is None


def test_the_visit_record_and_leaving_the_room_report_every_wrong_field_at_once(app, desk):
    kid = make_student(name="张小明")
    visit = selfstudy.sign_in(None, kid)
    url = "/selfstudy/visit/%d" % visit.id
    token = _page(desk, url)
    record = desk.post(url, data={"csrf_token": token, "subjects": ["体育"], "homework_checked": "maybe",
                                  "teacher": "abc", "homework_note": LONG, "behaviour_note": LONG,
                                  "parent_note": LONG + LONG})
    _refused(record, "subjects", "homework_checked", "teacher", "homework_note", "behaviour_note", "parent_note")
    out = desk.post(url + "/out", data={"csrf_token": token, "reason": "长" * 101})
    _refused(out, "reason")
    saved = Visit.get_by_id(visit.id)
    assert (saved.subjects, saved.homework_note) == ("", "") and VisitExit.select().count() == 0


def test_a_question_and_its_answer_report_every_wrong_field_at_once(app, desk):
    kid = make_student(name="张小明")
    selfstudy.sign_in(None, kid)
    token = _page(desk, "/selfstudy/questions")
    response = desk.post("/selfstudy/questions", data={
        "csrf_token": token, "student": "abc", "subject": "体育", "question": "", "status": "handed",
        "handed_to": "99999999999999999999999"})
    _refused(response, "student", "subject", "question", "handed_to")
    assert Question.select().count() == 0
    maths = make_user("tmath", roles=("teacher",), name="数学刘老师")
    from xgapp.selfstudy import questions

    handed = questions.record(None, kid, {"subject": "数学", "question": "二次函数顶点", "status": "handed",
                                          "handed_to": maths.id})
    teacher_client = app.test_client()
    login(teacher_client, "tmath")
    token = _page(teacher_client, "/selfstudy/questions")
    close = teacher_client.post("/selfstudy/questions/%d/close" % handed.id, data={"csrf_token": token, "answer": " "})
    _refused(close, "close-%d" % handed.id)
    assert Question.get_by_id(handed.id).status == "handed"


# --- who may (policy, section of classes, timetable, attendance, scores, study room) --------------------------------

def test_who_may_change_a_class_take_its_roll_call_and_enter_its_scores(app):
    from xgapp import policy
    from tests.factories import advisor, teacher

    klass = make_class()
    other_advisor = make_user("adv2", roles=("advisor",))
    director = make_user("dir", roles=("director",))
    desk = make_user("desk2", roles=("frontdesk",))
    [lesson] = timetable.schedule(None, klass, [campus_today().weekday()], time(9), time(11), campus_today(), 1)
    assert policy.CLASS_MANAGERS == {"principal", "supervisor", "director"}
    assert policy.may_manage_class(advisor(), klass) and not policy.may_manage_class(other_advisor, klass)
    assert policy.may_manage_class(other_advisor)  # an advisor opens classes of her own
    assert policy.may_manage_class(director, klass) and not policy.may_manage_class(teacher(), klass)
    assert policy.may_take_roll_call(teacher(), lesson) and not policy.may_take_roll_call(other_advisor, lesson)
    assert policy.may_enter_scores(teacher(), klass) and not policy.may_enter_scores(desk, klass)
    assert list(policy.classes_visible_to(desk)) == [klass]  # the desk sees every class, changes none
    assert not policy.may_manage_class(desk, klass)
    assert list(policy.classes_visible_to(other_advisor)) == []
    assert not policy.may_correct_past(director) and policy.may_correct_past(None)


def test_who_may_close_a_study_room_visit_or_question(app):
    from xgapp import policy
    from tests.factories import advisor

    kid = make_student(name="张小明", advisor_user=advisor())
    visit = selfstudy.sign_in(None, kid)
    own, other = kid.advisor, make_user("adv3", roles=("advisor",))
    assert policy.may_resolve_visit(make_user("desk3", roles=("frontdesk",)), visit)
    assert policy.may_resolve_visit(own, visit) and not policy.may_resolve_visit(other, visit)
    maths = make_user("tmath2", roles=("teacher",))
    english = make_user("teng", roles=("teacher",))
    question = Question(status="handed", handed_to_id=maths.id)
    assert policy.may_close_question(maths, question) and not policy.may_close_question(english, question)
    assert policy.may_close_question(make_user("dir2", roles=("director",)), question)
    assert not policy.may_close_question(maths, Question(status="resolved", handed_to_id=maths.id))
