"""Self-study room rules without HTTP: sign-in/out, pickup, overnight visits, closing time, races, Q&A, figures."""

import threading
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import make_user
from tests.factories import advisor, make_student, teacher
from xgapp import db, policy
from xgapp.students import timeline
from xgapp.audit.models import AuditLog
from xgapp.campus import rules
from xgapp.selfstudy import domain, questions, reports
from xgapp.selfstudy.models import Question, Visit, VisitExit
from xgapp.students import domain as students
from xgapp.students.models import Guardian
from xgapp.validation import Invalid

ZONE = ZoneInfo("Asia/Shanghai")


def at(day, hhmm):
    hh, mm = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=ZONE).astimezone(timezone.utc)


TODAY = datetime.now(ZONE).date()


@pytest.fixture
def desk(app):
    return make_user("desk", roles=("frontdesk",), name="前台小李")


@pytest.fixture
def kid(app):
    return make_student(name="张小明")


def test_sign_in_records_the_arrival_once(desk, kid):
    visit = domain.sign_in(desk, kid, now=at(TODAY, "16:05"))
    assert visit.day == TODAY and visit.left_at is None and visit.signed_in_by_id == desk.id
    with pytest.raises(domain.AlreadyDone) as refused:
        domain.sign_in(desk, kid, now=at(TODAY, "16:06"))
    assert "张小明 已在自习室" in str(refused.value.errors["student"]) or "already in the room" in str(
        refused.value.errors["student"])
    assert Visit.select().count() == 1
    assert AuditLog.select().where(AuditLog.table == "study_visit", AuditLog.action == "create").count() == 1


def test_the_database_itself_refuses_a_second_open_visit(desk, kid):
    domain.sign_in(desk, kid, now=at(TODAY, "16:05"))
    import peewee

    with pytest.raises(peewee.IntegrityError):
        with db.write():
            Visit.create(student=kid, day=TODAY, arrived_at=at(TODAY, "16:07"), signed_in_by=desk)


def test_sign_out_with_a_guardian_keeps_the_exact_time_and_the_person(desk, kid):
    visit = domain.sign_in(desk, kid, now=at(TODAY, "16:05"))
    mother = kid.guardians.get()
    done = domain.sign_out(desk, visit, {"kind": "guardian", "guardian": mother.id}, now=at(TODAY, "19:42"))
    assert done.left_at == at(TODAY, "19:42")
    assert (done.pickup_kind, done.pickup_name, done.pickup_relation, done.pickup_on_file) == \
        ("guardian", "张妈妈", "母亲", True)
    assert done.signed_out_by_id == desk.id
    # The next day the child can come again.
    assert domain.sign_in(desk, kid, now=at(TODAY, "19:50")).id != visit.id


def test_signing_out_twice_says_who_did_it_first(desk, kid):
    visit = domain.sign_in(desk, kid, now=at(TODAY, "16:05"))
    mother = kid.guardians.get()
    domain.sign_out(desk, visit, {"kind": "guardian", "guardian": mother.id}, now=at(TODAY, "19:42"))
    with pytest.raises(domain.AlreadyDone) as again:
        domain.sign_out(desk, visit, {"kind": "guardian", "guardian": mother.id}, now=at(TODAY, "19:43"))
    assert "19:42" in str(again.value.errors["pickup"]) and "前台小李" in str(again.value.errors["pickup"])
    assert Visit.get_by_id(visit.id).left_at == at(TODAY, "19:42")


def test_going_home_alone_only_when_the_file_allows_it(desk, kid):
    visit = domain.sign_in(desk, kid, now=at(TODAY, "16:05"))
    with pytest.raises(Invalid) as refused:
        domain.sign_out(desk, visit, {"kind": "alone"}, now=at(TODAY, "19:00"))
    assert "pickup" in refused.value.errors
    assert Visit.get_by_id(visit.id).left_at is None
    allowed = make_student(name="李独立", may_leave_alone=True)
    visit2 = domain.sign_in(desk, allowed, now=at(TODAY, "16:05"))
    done = domain.sign_out(desk, visit2, {"kind": "alone"}, now=at(TODAY, "19:00"))
    assert done.pickup_kind == "alone" and done.pickup_on_file


def test_a_guardian_the_file_does_not_allow_to_pick_up_is_refused(desk, kid):
    grandpa = Guardian.create(student=kid, name="张爷爷", relation="爷爷", mobile="13900000009", can_pickup=False,
                              position=1)
    visit = domain.sign_in(desk, kid, now=at(TODAY, "16:05"))
    with pytest.raises(Invalid):
        domain.sign_out(desk, visit, {"kind": "guardian", "guardian": grandpa.id}, now=at(TODAY, "19:00"))
    other_kid = make_student(name="王小红")
    with pytest.raises(Invalid):  # someone else's guardian
        domain.sign_out(desk, visit, {"kind": "guardian", "guardian": other_kid.guardians.get().id})
    assert domain.pickup_choices(kid)[0] == [kid.guardians.order_by(Guardian.position).first()]


def test_a_pickup_person_not_on_file_is_recorded_with_name_and_relation_and_flagged(desk, kid):
    visit = domain.sign_in(desk, kid, now=at(TODAY, "16:05"))
    with pytest.raises(Invalid) as missing:
        domain.sign_out(desk, visit, {"kind": "other", "name": "张姑姑", "relation": ""}, now=at(TODAY, "19:00"))
    assert set(missing.value.errors) == {"pickup_relation"}
    with pytest.raises(Invalid):
        domain.sign_out(desk, visit, {"kind": ""})
    done = domain.sign_out(desk, visit, {"kind": "other", "name": "张姑姑", "relation": "姑姑"}, now=at(TODAY, "19:00"))
    assert (done.pickup_name, done.pickup_relation, done.pickup_on_file) == ("张姑姑", "姑姑", False)
    figures = reports.summary(TODAY, TODAY)
    assert figures["total"].not_on_file == 1


def test_closing_time_turns_an_open_visit_red_until_staff_resolve_it(desk, kid):
    visit = domain.sign_in(desk, kid, now=at(TODAY, "18:00"))
    assert rules.get("study_closing_time").strftime("%H:%M") == "21:00"  # the default
    assert domain.overdue(now=at(TODAY, "20:59")) == []
    assert [v.id for v in domain.overdue(now=at(TODAY, "21:00"))] == [visit.id]
    rules.save(None, dict(rules.raw_values(), study_closing_time="20:30", absent_consumes="1", late_consumes="1"))
    assert [v.id for v in domain.overdue(now=at(TODAY, "20:45"))] == [visit.id]
    # Resolving needs a note and a believable departure time.
    with pytest.raises(Invalid) as bad:
        domain.resolve(desk, visit, "", at(TODAY, "17:00"), now=at(TODAY, "21:10"))
    assert set(bad.value.errors) == {"note", "left_at"}
    with pytest.raises(Invalid) as future:
        domain.resolve(desk, visit, "妈妈接走", at(TODAY, "21:30"), now=at(TODAY, "21:10"))
    assert set(future.value.errors) == {"left_at"}
    done = domain.resolve(desk, visit, "电话联系妈妈，21:05 已接走", at(TODAY, "21:05"), now=at(TODAY, "21:10"))
    assert done.left_at == at(TODAY, "21:05") and done.resolved_note.startswith("电话联系妈妈")
    assert done.resolved_by_id == desk.id
    assert domain.overdue(now=at(TODAY, "21:11")) == []
    assert AuditLog.select().where(AuditLog.table == "study_visit", AuditLog.summary.contains("未签退已处理")).count() == 1


def test_resolving_is_refused_while_the_room_is_open(desk, kid):
    visit = domain.sign_in(desk, kid, now=at(TODAY, "16:00"))
    with pytest.raises(Invalid) as refused:
        domain.resolve(desk, visit, "走了", at(TODAY, "17:00"), now=at(TODAY, "17:30"))
    assert "note" in refused.value.errors
    assert Visit.get_by_id(visit.id).left_at is None


def test_a_visit_left_open_overnight_is_never_closed_silently(desk, kid):
    yesterday = TODAY - timedelta(days=1)
    visit = domain.sign_in(desk, kid, now=at(yesterday, "17:00"))
    # The next afternoon (before closing) it is still shown, the kiosk cannot sign the child out or in.
    afternoon = at(TODAY, "15:00")
    assert [v.id for v in domain.overdue(now=afternoon)] == [visit.id]
    with pytest.raises(Invalid):
        domain.sign_out(desk, visit, {"kind": "guardian", "guardian": kid.guardians.get().id}, now=afternoon)
    with pytest.raises(domain.AlreadyDone) as blocked:
        domain.sign_in(desk, kid, now=afternoon)
    assert yesterday.isoformat() in str(blocked.value.errors["student"])
    # A staff member closes it with a note; then the child can sign in again.
    domain.resolve(desk, visit, "昨晚爸爸 21:20 接走，前台忘记签退", at(yesterday, "21:20"), now=afternoon)
    assert domain.sign_in(desk, kid, now=afternoon).day == TODAY


def test_two_tablets_signing_the_same_child_out_at_once_one_wins(app, desk, kid):
    visit = domain.sign_in(desk, kid)
    mother = kid.guardians.get()
    other = make_user("desk2", roles=("frontdesk",), name="前台小王")
    barrier = threading.Barrier(2)
    outcomes = []

    def tablet(user):
        db.ensure_connection()
        barrier.wait()
        try:
            domain.sign_out(user, Visit.get_by_id(visit.id), {"kind": "guardian", "guardian": mother.id})
            outcomes.append("ok")
        except domain.AlreadyDone as exc:
            outcomes.append(str(exc.errors["pickup"]))
        finally:
            db.database.close()

    threads = [threading.Thread(target=tablet, args=(u,)) for u in (desk, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 2 and outcomes.count("ok") == 1
    assert "already signed out" in [o for o in outcomes if o != "ok"][0]
    assert Visit.select().where(Visit.left_at.is_null(False)).count() == 1
    assert AuditLog.select().where(AuditLog.table == "study_visit", AuditLog.action == "update").count() == 1


def test_two_tablets_signing_the_same_child_in_at_once_make_one_visit(app, desk, kid):
    barrier = threading.Barrier(2)
    outcomes = []

    def tablet():
        db.ensure_connection()
        barrier.wait()
        try:
            domain.sign_in(desk, kid)
            outcomes.append("ok")
        except domain.AlreadyDone:
            outcomes.append("refused")
        finally:
            db.database.close()

    threads = [threading.Thread(target=tablet) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Visit.select().count() == 1


def test_leaving_and_coming_back_during_a_visit(desk, kid):
    visit = domain.sign_in(desk, kid, now=at(TODAY, "16:00"))
    with pytest.raises(Invalid):
        domain.step_out(desk, visit, "  ")
    domain.step_out(desk, visit, "去便利店买文具", now=at(TODAY, "17:00"))
    with pytest.raises(domain.AlreadyDone):
        domain.step_out(desk, visit, "又出去", now=at(TODAY, "17:01"))
    assert domain.in_room(now=at(TODAY, "17:05"))[0]["out"].reason == "去便利店买文具"
    domain.come_back(desk, visit, now=at(TODAY, "17:20"))
    assert domain.in_room(now=at(TODAY, "17:25"))[0]["out"] is None
    with pytest.raises(domain.AlreadyDone):
        domain.come_back(desk, visit)
    exit_ = VisitExit.get()
    assert (exit_.out_at, exit_.back_at) == (at(TODAY, "17:00"), at(TODAY, "17:20"))


def test_the_study_room_record_is_validated_and_audited(desk, kid):
    visit = domain.sign_in(desk, kid, now=at(TODAY, "16:00"))
    with pytest.raises(Invalid) as bad:
        domain.update_record(desk, visit, {"subjects": ["体育"], "homework_checked": "maybe"})
    assert set(bad.value.errors) == {"subjects", "homework_checked"}
    room_teacher = make_user("rt", roles=("frontdesk",), name="答疑王老师")
    saved = domain.update_record(desk, visit, {"subjects": ["数学", "英语"], "homework_checked": "yes",
                                               "homework_note": "数学练习册完成", "behaviour_note": "安静",
                                               "parent_note": "英语单词还需背诵", "teacher": room_teacher.id})
    assert (saved.subjects, saved.homework_checked, saved.teacher_id) == ("数学、英语", True, room_teacher.id)
    row = AuditLog.select().where(AuditLog.table == "study_visit", AuditLog.action == "update").get()
    assert "数学练习册完成" in row.after


def test_questions_answered_or_handed_to_a_subject_teacher(desk, kid):
    maths = teacher("tmath", name="数学刘老师")
    visit = domain.sign_in(desk, kid, now=at(TODAY, "16:00"))
    with pytest.raises(Invalid) as bad:
        questions.record(desk, kid, {"subject": "数学", "question": "二次函数顶点", "status": "resolved"})
    assert set(bad.value.errors) == {"answer"}
    with pytest.raises(Invalid) as nobody:
        questions.record(desk, kid, {"subject": "数学", "question": "二次函数顶点", "status": "handed"})
    assert set(nobody.value.errors) == {"handed_to"}
    answered = questions.record(desk, kid, {"subject": "英语", "question": "现在完成时", "answer": "have done",
                                            "status": "resolved"})
    assert answered.visit_id == visit.id and answered.status == "resolved"
    handed = questions.record(desk, kid, {"subject": "数学", "question": "二次函数顶点", "status": "handed",
                                          "handed_to": maths.id})
    assert [q.id for q in questions.open_for(maths)] == [handed.id]
    from xgapp.notices import domain as notices

    assert "张小明" in notices.unread(maths)[0].text
    assert not policy.may_close_question(desk, handed) and policy.may_close_question(maths, handed)
    with pytest.raises(Invalid):
        questions.close(maths, handed, "")
    questions.close(maths, handed, "配方法求顶点")
    assert questions.open_for(maths) == []
    assert Question.get_by_id(handed.id).status == "closed"
    with pytest.raises(domain.AlreadyDone):
        questions.close(maths, Question.get_by_id(handed.id), "again")


def test_visits_and_questions_show_on_the_student_timeline(desk, kid):
    visit = domain.sign_in(desk, kid, now=at(TODAY, "16:00"))
    domain.sign_out(desk, visit, {"kind": "guardian", "guardian": kid.guardians.get().id}, now=at(TODAY, "19:30"))
    kinds = [event[1] for event in timeline.events(kid)]
    assert "selfstudy" in kinds
    text = [e for e in timeline.events(kid) if e[1] == "selfstudy"][0]
    assert "16:00" in text[2] and "19:30" in text[2] and text[3] == "张妈妈"


def test_figures_per_day_week_advisor_and_student(desk):
    a1, a2 = advisor("a1", name="学管甲"), advisor("a2", name="学管乙")
    k1, k2 = make_student(name="甲一", advisor_user=a1), make_student(name="乙一", advisor_user=a2)
    monday = date(2026, 11, 2)
    for offset, kid, start, end in [(0, k1, "16:00", "18:00"), (1, k1, "16:00", "17:00"), (1, k2, "17:00", "20:00"),
                                    (7, k2, "16:00", "16:30")]:
        day = monday + timedelta(days=offset)
        visit = domain.sign_in(desk, kid, now=at(day, start))
        Visit.update(left_at=at(day, end), pickup_kind="guardian").where(Visit.id == visit.id).execute()
    data = reports.summary(monday, monday + timedelta(days=13))
    assert len(data["days"]) == 14
    assert data["days"][1][1].visits == 2 and len(data["days"][1][1].students) == 2
    assert data["days"][2][1].visits == 0
    assert [(m, w.visits, w.minutes) for m, w in data["weeks"]] == [(monday, 3, 360), (monday + timedelta(days=7), 1, 30)]
    assert dict((name, t.visits) for name, t in data["advisors"]) == {"学管甲": 2, "学管乙": 2}
    assert data["total"].visits == 4 and data["total"].average == 98  # (120+60+180+30)/4 = 97.5
    assert [(s.name, t.visits) for s, t in data["students"]] == [("乙一", 2), ("甲一", 2)]
    mine = reports.summary(monday, monday + timedelta(days=13), among=[k1.id])
    assert mine["total"].visits == 2
    workbook = reports.xlsx(monday, monday + timedelta(days=13), data)
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(workbook))["每周"]
    assert [c.value for c in sheet[2]][1:3] == [3, 2]


def test_course_end_students_and_whether_they_came_to_study(desk):
    done = make_student(name="结课生", status="finished")
    students.Student.update(status_since=TODAY - timedelta(days=20)).where(students.Student.id == done.id).execute()
    rows = reports.course_end(TODAY - timedelta(days=90), TODAY)
    assert [(s.name, days) for s, days in rows] == [("结课生", [])]
    domain.sign_in(desk, done)
    assert reports.course_end(TODAY - timedelta(days=90), TODAY)[0][1] == [TODAY]


def test_a_guardian_the_file_forbids_cannot_be_signed_in_as_someone_else(desk, kid):
    aunt = Guardian.create(student=kid, name="张丽", relation="其他", mobile="13900000009", can_pickup=False,
                           position=1)
    visit = domain.sign_in(desk, kid, now=at(TODAY, "16:05"))
    with pytest.raises(Invalid) as by_guardian:
        domain.sign_out(desk, visit, {"kind": "guardian", "guardian": aunt.id}, now=at(TODAY, "19:00"))
    message = str(by_guardian.value.errors["pickup"])
    assert "张丽" in message and "另一位接送人" not in message and "其他人" not in message
    for typed in ({"name": "张丽"}, {"name": " 张 丽 "}, {"name": "丽丽", "phone": "139 0000 0009"}):
        with pytest.raises(Invalid) as refused:
            domain.sign_out(desk, visit, {"kind": "other", "relation": "姑姑", **typed}, now=at(TODAY, "19:00"))
        assert "张丽" in str(refused.value.errors["pickup_name"]), typed
    assert Visit.get_by_id(visit.id).left_at is None
    with pytest.raises(Invalid) as bad_phone:
        domain.sign_out(desk, visit, {"kind": "other", "name": "王阿姨", "relation": "邻居", "phone": "123"})
    assert set(bad_phone.value.errors) == {"pickup_phone"}


def test_an_allowed_guardian_typed_in_by_hand_is_recorded_as_on_file(desk, kid):
    visit = domain.sign_in(desk, kid, now=at(TODAY, "16:05"))
    done = domain.sign_out(desk, visit, {"kind": "other", "name": "张妈妈", "relation": "妈妈"}, now=at(TODAY, "19:00"))
    assert (done.pickup_kind, done.pickup_guardian_id, done.pickup_relation, done.pickup_on_file) == \
        ("guardian", kid.guardians.get().id, "母亲", True)
