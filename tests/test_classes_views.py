"""Class, timetable and roll-call pages over HTTP: forms, conflicts beside the form, each role's reach."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo
from decimal import Decimal

from xgapp.classes import domain as classes
from xgapp.classes.models import Lesson, SchoolClass
from xgapp.clock import fixed as clock
from xgapp.hours import domain as hours
from xgapp.timetable import domain as timetable
from tests.conftest import campus_today, csrf_from, login, make_user
from tests.factories import advisor, make_class, make_contract, make_student, teacher


BEFORE_TERM = datetime(2026, 9, 1, 12, tzinfo=ZoneInfo("Asia/Shanghai"))  # the term is planned before it starts


def _token(client, url="/"):
    return csrf_from(client.get(url).get_data(as_text=True))


def _form(**kw):
    data = {"name": "初三物理冲刺班", "kind": "group", "subject": "物理", "grade": "初三",
            "teacher": teacher().id, "advisor": advisor().id, "classroom": "", "capacity": "12",
            "start_on": "2026-09-05", "planned_lessons": "16", "lesson_hours": "2"}
    data.update(kw)
    return data


def test_a_supervisor_opens_a_class_and_bad_input_stays_beside_the_fields(app, client):
    make_user("sup", roles=("supervisor",))
    login(client, "sup")
    token = _token(client, "/classes/new")
    bad = client.post("/classes/new", data=_form(csrf_token=token, name="", capacity="0", lesson_hours="abc",
                                                 teacher=""))
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    for field in ("name", "capacity", "lesson_hours", "teacher"):
        assert 'id="err-%s"' % field in html
    assert SchoolClass.select().count() == 0
    good = client.post("/classes/new", data=_form(csrf_token=token))
    assert good.status_code == 303
    assert SchoolClass.get().name == "初三物理冲刺班"


def test_scheduling_from_the_class_page_lists_clashes(app, client):
    make_user("sup", roles=("supervisor",))
    first = make_class(name="周六数学班")
    timetable.schedule(None, first, [5], time(9), time(11), date(2026, 9, 5), 2)
    second = make_class(name="周六英语班", subject="英语", teacher_user=first.teacher, classroom=None)
    login(client, "sup")
    token = _token(client, "/classes/%d" % second.id)
    with clock(BEFORE_TERM):
        response = client.post("/classes/%d/schedule" % second.id, data={
            "csrf_token": token, "weekdays": ["5"], "first_day": "2026-09-05", "start": "10:00", "end": "11:30",
            "count": "4"})
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and 'id="conflicts"' in html
        assert "周六数学班" in html and first.teacher.display_name in html
        assert Lesson.select().where(Lesson.klass == second).count() == 0
        ok = client.post("/classes/%d/schedule" % second.id, data={
            "csrf_token": token, "weekdays": ["6"], "first_day": "2026-09-05", "start": "10:00", "end": "11:30",
            "count": "4"})
    assert ok.status_code == 303 and Lesson.select().where(Lesson.klass == second).count() == 4


def test_moving_a_lesson_into_a_clash_is_explained(app, client):
    make_user("sup", roles=("supervisor",))
    a = make_class(name="甲班")
    b = make_class(name="乙班", teacher_user=a.teacher, classroom=None)
    timetable.schedule(None, a, [5], time(9), time(11), date(2026, 9, 5), 1)
    [lesson] = timetable.schedule(None, b, [6], time(9), time(11), date(2026, 9, 5), 1)
    login(client, "sup")
    url = "/timetable/lesson/%d/move" % lesson.id
    token = _token(client, url)
    with clock(BEFORE_TERM):
        response = client.post(url, data={"csrf_token": token, "day": "2026-09-05", "start": "10:00",
                                          "end": "12:00", "reason": "老师调课"})
    assert response.status_code == 422 and "甲班" in response.get_data(as_text=True)
    assert Lesson.get_by_id(lesson.id).day == date(2026, 9, 6)


def _running_class(n=3):
    klass = make_class()
    pupils = []
    for i in range(n):
        s = make_student(name="学生%d" % i)
        make_contract(s, hours="10")
        classes.enrol(None, klass, s, campus_today() - timedelta(days=7))
        pupils.append(s)
    today = campus_today()
    [lesson] = timetable.schedule(None, klass, [today.weekday()], time(9), time(11), today, 1)
    return klass, pupils, lesson


def test_the_teacher_takes_the_roll_call_and_hours_drop(app, client):
    klass, pupils, lesson = _running_class()
    with clock(lesson.starts_at + timedelta(hours=1)):  # the roll call opens when the lesson starts
        login(client, "t1")
        page = client.get("/attendance/")
        assert klass.name in page.get_data(as_text=True)
        token = _token(client, "/attendance/lesson/%d" % lesson.id)
        missing = client.post("/attendance/lesson/%d" % lesson.id, data={"csrf_token": token,
                                                                          "mark-%d" % pupils[0].id: "present"})
        assert missing.status_code == 422 and 'id="err-mark-%d"' % pupils[1].id in missing.get_data(as_text=True)
        assert hours.balance(pupils[0]) == Decimal("10.0")
        marks = {"mark-%d" % s.id: "present" for s in pupils} | {"mark-%d" % pupils[2].id: "absent"}
        done = client.post("/attendance/lesson/%d" % lesson.id, data=marks | {"csrf_token": token})
        assert done.status_code == 303
        html = client.get(done.headers["Location"]).get_data(as_text=True)
        assert 'id="confirmed"' in html and "¥" not in html
        assert 'class="num balance"' not in html  # a teacher sees marks, not what families have left
        assert [hours.balance(s) for s in pupils] == [Decimal("8.0")] * 3
        advisor_view = app.test_client()
        login(advisor_view, "adv1")  # the students' advisor sees the balances drop
        html = advisor_view.get(done.headers["Location"]).get_data(as_text=True)
        assert html.count('<td class="num balance">8.0</td>') == 3


def test_a_teacher_sees_only_their_classes_and_cannot_manage_them(app, client):
    mine = make_class(name="我的班", teacher_user=teacher("t1"))
    other = make_class(name="别人的班", teacher_user=teacher("t2"), classroom=None)
    login(client, "t1")
    listing = client.get("/classes/").get_data(as_text=True)
    assert "我的班" in listing and "别人的班" not in listing
    assert client.get("/classes/%d" % other.id).status_code == 404
    assert client.get("/classes/new").status_code == 403
    assert client.get("/classes/%d/edit" % mine.id).status_code == 403
    assert client.get("/classes/rooms").status_code == 403
    for klass in (mine, other):
        timetable.schedule(None, klass, [campus_today().weekday()], time(9), time(11), campus_today(), 1)
    week = client.get("/timetable/").get_data(as_text=True)
    assert 'href="/classes/%d"' % mine.id in week and "别人的班" not in week


def test_front_desk_sees_the_timetable_but_no_classes_or_roll_call(app, login_as):
    klass = make_class(name="前台可见班")
    timetable.schedule(None, klass, [campus_today().weekday()], time(9), time(11), campus_today(), 1)
    client = login_as("frontdesk")
    week = client.get("/timetable/").get_data(as_text=True)
    assert "前台可见班" in week and "/classes/%d" % klass.id not in week  # a card, not a link to a 403
    assert client.get("/classes/").status_code == 403
    assert client.get("/attendance/").status_code == 403


def test_another_advisor_cannot_take_the_roll_call(app, client):
    klass, pupils, lesson = _running_class(1)
    other = advisor("adv2")
    mover = make_student(name="别家学生", advisor_user=other)
    make_contract(mover, hours="10")
    login(client, "adv2")
    assert client.get("/attendance/lesson/%d" % lesson.id).status_code == 404
    token = _token(client)
    assert client.post("/attendance/lesson/%d" % lesson.id,
                       data={"csrf_token": token, "mark-%d" % pupils[0].id: "present"}).status_code == 404
    assert hours.balance(pupils[0]) == Decimal("10.0")


def test_leave_reported_from_the_roll_call_page(app, client):
    klass, pupils, lesson = _running_class(2)
    login(client, "adv1")
    token = _token(client, "/attendance/lesson/%d" % lesson.id)
    bad = client.post("/attendance/lesson/%d/leave" % lesson.id, data={"csrf_token": token,
                                                                        "leave_student": pupils[0].id})
    assert bad.status_code == 422 and 'id="err-leave_reason"' in bad.get_data(as_text=True)
    ok = client.post("/attendance/lesson/%d/leave" % lesson.id, data={"csrf_token": token,
                                                                       "leave_student": pupils[0].id,
                                                                       "leave_reason": "感冒"})
    assert ok.status_code == 303
    html = client.get("/attendance/lesson/%d" % lesson.id).get_data(as_text=True)
    assert 'name="mark-%d" value="leave" checked' % pupils[0].id in html  # pre-marked as leave
    assert 'name="mark-%d" value="leave" checked' % pupils[1].id not in html


def test_the_principal_sets_the_campus_rules(app, client):
    login(client)
    token = _token(client, "/campus/")
    bad = client.post("/campus/rules", data={"csrf_token": token, "opening_time": "25:00", "closing_time": "21:30",
                                             "low_hours": "4", "leave_notice_hours": "24"})
    assert bad.status_code == 422 and 'id="err-opening_time"' in bad.get_data(as_text=True)
    ok = client.post("/campus/rules", data={"csrf_token": token, "opening_time": "07:30", "closing_time": "21:30",
                                            "low_hours": "6", "leave_notice_hours": "12", "absent_consumes": "1"})
    assert ok.status_code == 303
    from xgapp.campus import rules

    with app.test_request_context():
        values = rules.all_rules()
    assert values["opening_time"] == time(7, 30) and values["low_hours"] == Decimal("6")
    assert values["late_consumes"] is False and values["absent_consumes"] is True


def test_booking_a_trial_from_the_class_page_and_recording_how_it_went(app, client):
    from xgapp.leads import domain as leads
    from xgapp.leads.models import Lead

    klass, pupils, lesson = _running_class(2)
    adv = advisor()
    lead = leads.record_inquiry(adv, adv, "walkin", {"name": "试听小朋友"},
                                {"name": "试听妈妈", "relation": "母亲", "mobile": "13912345000"},
                                today=campus_today() - timedelta(days=2))
    login(client, "adv1")
    token = _token(client, "/classes/%d" % klass.id)
    bad = client.post("/classes/%d/trial" % klass.id, data={"csrf_token": token, "trial_student": "试听小朋友"})
    assert bad.status_code == 422 and 'id="err-trial_lesson"' in bad.get_data(as_text=True)
    ok = client.post("/classes/%d/trial" % klass.id, data={"csrf_token": token, "trial_student": "试听小朋友",
                                                           "trial_lesson": lesson.id})
    assert ok.status_code == 303
    marks = {"mark-%d" % s.id: "present" for s in pupils} | {"mark-%d" % lead.student_id: "present",
                                                               "result-%d" % lead.student_id: "很喜欢，家长考虑报名"}
    with clock(lesson.starts_at + timedelta(hours=1)):  # the roll call opens when the lesson starts
        login(client, "adv1")  # hours may have passed since the booking: an idle session has expired by then
        token = _token(client, "/attendance/lesson/%d" % lesson.id)
        assert client.post("/attendance/lesson/%d" % lesson.id, data=marks | {"csrf_token": token}).status_code == 303
        assert hours.balance(lead.student) == Decimal("0.0")
        assert Lead.get_by_id(lead.id).stage == "trial"
        assert "很喜欢，家长考虑报名" in client.get("/classes/%d" % klass.id).get_data(as_text=True)


def test_a_class_can_be_for_any_subject_the_campus_sells(app, client):
    make_user("sup", roles=("supervisor",))
    login(client, "sup")
    token = _token(client, "/classes/new")
    response = client.post("/classes/new", data=_form(csrf_token=token, subject="奥数"))
    assert response.status_code == 303 and SchoolClass.get().subject == "奥数"
    empty = client.post("/classes/new", data=_form(csrf_token=token, subject=" "))
    assert empty.status_code == 422 and 'id="err-subject"' in empty.get_data(as_text=True)


def test_rooms_page_shows_week_and_month_use(app, client):
    make_user("sup", roles=("supervisor",))
    klass = make_class()
    today = campus_today()
    timetable.schedule(None, klass, [today.weekday()], time(9), time(11), today, 1)
    login(client, "sup")
    html = client.get("/classes/rooms").get_data(as_text=True)
    assert html.count("2.0 小时") == 2  # this week and this month


def test_a_planned_lesson_that_is_over_reads_roll_call_not_taken(app):
    from datetime import timedelta

    from xgapp.clock import now as utcnow
    from xgapp.timetable.views import lesson_status

    with app.test_request_context():
        assert lesson_status("planned", utcnow() - timedelta(minutes=1)) == "未点名"
        assert lesson_status("planned", utcnow() + timedelta(hours=1)) == "待上"
        assert lesson_status("done", utcnow() - timedelta(hours=1)) == "已上"


def test_a_new_class_page_does_not_ask_for_a_renewal(app, client):
    klass = make_class(name="新开班", advisor_user=advisor("adv1"))
    login(client, "adv1")
    page = client.get("/classes/%d" % klass.id).get_data(as_text=True)
    assert "课时不多" not in page and "尚未排课" in page
    assert "新开班" not in client.get("/").get_data(as_text=True)  # no 课时不多的班级 card on the home page
    timetable.schedule(None, klass, [5], time(9), time(11), date(2026, 9, 5), 2)  # 4 h scheduled: now it is short
    assert "课时不多" in client.get("/classes/%d" % klass.id).get_data(as_text=True)


def test_a_late_leave_says_it_will_be_charged_before_and_after_it_is_saved(app, client):
    from xgapp.attendance import domain as attendance
    from xgapp.clock import fixed as clock

    klass, pupils, _ = _running_class(2)
    day = campus_today() + timedelta(days=3)
    [lesson] = timetable.schedule(None, klass, [day.weekday()], time(18), time(20), day, 1)
    assert not attendance.leave_late(lesson, lesson.starts_at - timedelta(hours=30))
    assert attendance.leave_late(lesson, lesson.starts_at - timedelta(hours=10))
    url = "/attendance/lesson/%d" % lesson.id
    # logged in on each clock: a session idle for the days the clock jumps has expired (server-side sessions)
    with clock(lesson.starts_at - timedelta(hours=30)):
        login(client, "adv1")
        assert 'id="leave-late"' not in client.get(url).get_data(as_text=True)
    with clock(lesson.starts_at - timedelta(hours=10)):
        login(client, "adv1")
        page = client.get(url).get_data(as_text=True)
        assert 'id="leave-late"' in page and "将照常扣 2.0 课时" in page
        saved = client.post(url + "/leave", data={"csrf_token": csrf_from(page), "leave_student": pupils[0].id,
                                                  "leave_reason": "临时有事"}, follow_redirects=True)
    html = saved.get_data(as_text=True)
    assert "已为%s记录请假；距上课不足 24 小时才请假，将照常扣 2.0 课时。" % pupils[0].name in html
    row = html.split('data-student="%d"' % pupils[0].id)[1].split("</li>")[0]
    assert "距上课不足 24 小时才请假：将照常扣 2.0 课时" in row
    other = html.split('data-student="%d"' % pupils[1].id)[1].split("</li>")[0]
    assert "将照常扣" not in other


def test_the_enrol_box_suggests_students_and_a_tapped_suggestion_names_exactly_one(app, client):
    """Two students share a name: typing suggests both (with school and grade), and the tapped one is enrolled."""
    klass = make_class(start_on=campus_today() + timedelta(days=7))
    first = make_student(name="王小明", school="海淀实验小学")
    second = make_student(name="王小明", school="中关村一小")
    for kid in (first, second):
        make_contract(kid, hours="10")
    make_user("sup", roles=("supervisor",))
    login(client, "sup")
    page = client.get("/classes/%d" % klass.id).get_data(as_text=True)
    assert 'hx-get="/students/pick?field=student"' in page and 'id="picks-student"' in page
    picks = client.get("/students/pick?field=student&student=wxm", headers={"HX-Request": "true"})
    html = picks.get_data(as_text=True)
    assert picks.status_code == 200 and 'data-value="王小明 #%d"' % second.id in html and "中关村一小" in html
    assert 'data-fill="#student"' in html
    token = _token(client, "/classes/%d" % klass.id)
    ambiguous = client.post("/classes/%d/enrol" % klass.id, data={"csrf_token": token, "student": "王小明"})
    assert ambiguous.status_code == 422 and "只匹配一人" in ambiguous.get_data(as_text=True)
    token = _token(client, "/classes/%d" % klass.id)
    enrolled = client.post("/classes/%d/enrol" % klass.id, data={"csrf_token": token,
                                                                 "student": "王小明 #%d" % second.id})
    assert enrolled.status_code == 303
    assert [e.student_id for e in classes.members(klass)] == [second.id]
    assert client.get("/students/pick?field=bad-field&x=1").status_code == 400
