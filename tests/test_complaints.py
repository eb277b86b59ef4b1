"""Complaints: received, owned, handled step by step, closed only with a resolution and the family's answer."""

import re
from datetime import datetime, timedelta, timezone

import pytest

from xgapp import clock
from xgapp.audit.models import AuditLog
from xgapp.complaints import domain
from xgapp.complaints.models import Complaint, ComplaintStep
from xgapp.validation import Invalid
from tests.conftest import csrf_from, login, make_user
from tests.factories import advisor, make_student, teacher

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)  # 10:00 on the campus clock


def _values(**over):
    values = {"student": None, "complainant": "张小明妈妈", "complainant_kind": "guardian", "about": "teacher",
              "about_user": None, "channel": "phone", "content": "作业批改不及时", "severity": "normal",
              "received_at": T0, "owner": None}
    values.update(over)
    return values


@pytest.fixture
def people(app):
    with app.app_context():
        boss = make_user("sup", ("supervisor",), name="主管甲")
        return {"sup": boss, "adv": advisor("adv1", name="学管乙"), "t": teacher("t1", name="老师丙")}


def test_a_complaint_goes_to_the_supervisor_and_is_late_past_its_deadlines(app, people):
    with app.app_context():
        kid = make_student(advisor_user=people["adv"])
        with clock.fixed(T0):
            c = domain.receive(people["adv"], _values(student=kid, about_user=people["t"]))
        assert c.owner.id == people["sup"].id and c.received_by.id == people["adv"].id
        respond_by, close_by = domain.deadlines(c)
        assert (respond_by - T0, close_by - T0) == (timedelta(hours=24), timedelta(days=7))
        assert domain.state(c, T0 + timedelta(hours=23)) == "open"
        assert domain.state(c, T0 + timedelta(hours=25)) == "late"  # nobody answered within 24 h
        domain.add_step(people["sup"], c, "已电话联系家长", now=T0 + timedelta(hours=2))
        assert Complaint.get_by_id(c.id).first_response_at == T0 + timedelta(hours=2)
        assert domain.state(Complaint.get_by_id(c.id), T0 + timedelta(days=6)) == "open"
        assert domain.state(Complaint.get_by_id(c.id), T0 + timedelta(days=8)) == "late"  # not closed within 7 days
        serious = domain.receive(people["adv"], _values(about="safety", severity="serious"), now=T0)
        assert domain.deadlines(serious)[0] - T0 == timedelta(hours=4)


def test_the_late_list_is_one_query_that_agrees_with_each_complaint(app, people):
    with app.app_context():
        made = []
        for hours_ago, severity, answered in ((30, "normal", False), (5, "normal", False), (5, "serious", False),
                                              (200, "normal", True), (2, "serious", True)):
            received = T0 - timedelta(hours=hours_ago)
            c = domain.receive(people["adv"], _values(about="service", severity=severity, received_at=received),
                               now=T0)
            if answered:
                domain.add_step(people["sup"], c, "回应", now=received + timedelta(hours=1))
            made.append(Complaint.get_by_id(c.id))
        late = {c.id for c in domain.listing(Complaint.select(), "late", now=T0)}
        assert late == {c.id for c in made if domain.state(c, T0) == "late"}
        assert late == {made[0].id, made[2].id, made[3].id}
        assert domain.waiting(Complaint.select(), now=T0)["late_count"] == 3


def test_closing_needs_the_resolution_and_the_familys_answer_and_every_write_is_audited(app, people):
    with app.app_context():
        c = domain.receive(people["adv"], _values(about="fees"), now=T0)
        with pytest.raises(Invalid) as refused:
            domain.close(people["sup"], c, "", "", "", now=T0)
        assert set(refused.value.errors) == {"resolution", "satisfaction"}
        assert Complaint.get_by_id(c.id).closed_at is None
        domain.hand_on(people["sup"], c, people["adv"], "她熟悉这个家庭", now=T0 + timedelta(hours=1))
        assert Complaint.get_by_id(c.id).owner.id == people["adv"].id
        domain.close(people["adv"], Complaint.get_by_id(c.id), "退回多收的资料费", "satisfied", "", now=T0 + timedelta(days=1))
        closed = Complaint.get_by_id(c.id)
        assert closed.closed_by.id == people["adv"].id and closed.satisfaction == "satisfied"
        assert closed.first_response_at is None and domain.lateness(closed)["response"] is False  # closed in time
        with pytest.raises(Invalid):
            domain.add_step(people["adv"], closed, "再补一句")
        kinds = [s.kind for s in domain.steps(closed)]
        assert kinds == ["handover"]
        audited = [(a.table, a.action) for a in AuditLog.select().where(AuditLog.table.startswith("complaint"))]
        assert audited.count(("complaint", "create")) == 1 and ("complaint_step", "create") in audited
        assert audited.count(("complaint", "update")) == 2  # handed on, closed


def test_who_sees_which_complaint(app, people):
    from xgapp import policy

    with app.app_context():
        mine = make_student(name="甲生", advisor_user=people["adv"])
        other_adv = advisor("adv2")
        theirs = make_student(name="乙生", advisor_user=other_adv)
        about_t = domain.receive(people["sup"], _values(student=theirs, about_user=people["t"]), now=T0)
        of_mine = domain.receive(people["sup"], _values(student=mine, about="service"), now=T0)
        visible = lambda user: {c.id for c in policy.complaints_visible_to(user)}  # noqa: E731
        assert visible(people["sup"]) == {about_t.id, of_mine.id}
        assert visible(people["adv"]) == {of_mine.id}
        assert visible(people["t"]) == set()  # about them, but not closed yet
        domain.close(people["sup"], about_t, "已调整批改安排", "accepted", "", now=T0 + timedelta(hours=3))
        about_t = Complaint.get_by_id(about_t.id)
        assert visible(people["t"]) == {about_t.id}
        assert policy.hides_complainant(people["t"], about_t, True)
        assert not policy.hides_complainant(people["t"], about_t, False)
        assert not policy.hides_complainant(people["sup"], about_t, True)


def test_the_student_timeline_shows_a_complaint_received_and_closed(app, people):
    from xgapp.students import timeline

    with app.app_context():
        kid = make_student(advisor_user=people["adv"])
        c = domain.receive(people["adv"], _values(student=kid, about="environment"), now=T0)
        domain.close(people["sup"], c, "已更换座椅", "satisfied", "", now=T0 + timedelta(hours=5))
        kinds = [(e[0], e[1]) for e in timeline.events(kid) if e[1] == "complaint"]
        assert kinds == [(T0 + timedelta(hours=5), "complaint"), (T0, "complaint")]


# --- pages --------------------------------------------------------------------------------------------------------

def _form(client, url):
    return csrf_from(client.get(url).get_data(as_text=True))


def test_a_bad_complaint_form_shows_every_message_beside_its_field_and_saves_nothing(app, client, people):
    login(client, "adv1")
    token = _form(client, "/complaints/new")
    response = client.post("/complaints/new", data={
        "csrf_token": token, "complainant": "", "complainant_kind": "guardian", "about": "teacher", "about_user": "",
        "channel": "", "content": "", "severity": "normal", "day": "2099-01-01", "time": "10:00", "owner": "999"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for name in ("complainant", "about_user", "channel", "content", "owner"):
        assert 'id="err-%s"' % name in page, name
    assert "接待时间不能晚于现在" in page and "请选择被投诉的老师或学管师" in page
    assert Complaint.select().count() == 0


def test_a_complaint_received_handled_and_closed_through_the_pages(app, client, people):
    with app.app_context():
        kid = make_student(name="王小虎", advisor_user=people["adv"])
    login(client, "adv1")
    new = client.get("/complaints/new?student=%d" % kid.id).get_data(as_text=True)
    assert "王小虎 #%d" % kid.id in new
    now = clock.local_now()
    made = client.post("/complaints/new", data={
        "csrf_token": csrf_from(new), "student": "王小虎 #%d" % kid.id, "complainant": "王小虎爸爸",
        "complainant_kind": "guardian", "about": "teacher", "about_user": str(people["t"].id), "channel": "visit",
        "content": "上课经常拖堂", "severity": "serious", "day": now.strftime("%Y-%m-%d"),
        "time": now.strftime("%H:%M"), "owner": ""})
    assert made.status_code == 303
    complaint = Complaint.get()
    assert (complaint.owner.id, complaint.severity, complaint.student.id) == (people["sup"].id, "serious", kid.id)
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "上课经常拖堂" in page and 'id="close"' not in page  # the advisor received it; the supervisor handles it
    assert client.post("/complaints/%d/step" % complaint.id, data={"csrf_token": csrf_from(page),
                                                                   "text": "x"}).status_code == 403
    login(client, "sup")
    page = client.get("/complaints/%d" % complaint.id).get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert 'id="complaints-due"' in home and "1 件严重投诉未结" in home
    step = client.post("/complaints/%d/step" % complaint.id, data={"csrf_token": csrf_from(page),
                                                                   "text": "已约家长面谈"})
    assert step.status_code == 303
    refused = client.post("/complaints/%d/close" % complaint.id, data={
        "csrf_token": csrf_from(page), "resolution": "已与老师沟通，按时下课", "satisfaction": ""})
    assert refused.status_code == 422 and "请询问家长并记录其意见" in refused.get_data(as_text=True)
    assert Complaint.get_by_id(complaint.id).closed_at is None
    closed = client.post("/complaints/%d/close" % complaint.id, data={
        "csrf_token": csrf_from(page), "resolution": "已与老师沟通，按时下课", "satisfaction": "satisfied",
        "satisfaction_note": "谢谢"})
    assert closed.status_code == 303
    page = client.get("/complaints/%d" % complaint.id).get_data(as_text=True)
    assert "家长意见：满意" in page and "已约家长面谈" in page
    assert 'id="complaints-due"' not in client.get("/").get_data(as_text=True)
    listed = client.get("/complaints/?shown=closed").get_data(as_text=True)
    assert "王小虎爸爸" in listed and "/complaints/%d" % complaint.id in listed
    assert "王小虎爸爸" not in client.get("/complaints/").get_data(as_text=True)  # the open ones: none
    login(client, "t1")  # the teacher it was about: closed, so shown, without the family (the campus rule)
    theirs = client.get("/complaints/%d" % complaint.id).get_data(as_text=True)
    assert "上课经常拖堂" in theirs and "王小虎爸爸" not in theirs and "王小虎" not in theirs
    assert client.post("/complaints/%d/step" % complaint.id, data={"csrf_token": csrf_from(theirs),
                                                                   "text": "x"}).status_code == 403


def test_a_complaint_one_may_not_see_is_not_found(app, client, people):
    with app.app_context():
        other = make_student(name="乙生", advisor_user=advisor("adv2"))
        c = domain.receive(people["sup"], _values(student=other, about="service"), now=T0)
    login(client, "adv1")
    assert client.get("/complaints/%d" % c.id).status_code == 404
    assert "乙生" not in client.get("/complaints/?shown=all").get_data(as_text=True)
    assert re.search(r"暂无投诉", client.get("/complaints/?shown=all").get_data(as_text=True))
    assert ComplaintStep.select().count() == 0


def _pdf_text(data, tmp_path):
    import subprocess

    path = tmp_path / "complaint.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", text)


def test_the_printed_complaint_form_carries_the_handling_and_the_signature_lines(app, client, people, tmp_path):
    with app.app_context():
        kid = make_student(name="李小龙", advisor_user=people["adv"])
        c = domain.receive(people["adv"], _values(student=kid, about_user=people["t"], content="作业批改不及时"),
                           now=T0)
        domain.add_step(people["sup"], c, "已与老师沟通", now=T0 + timedelta(hours=1))
        domain.close(people["sup"], c, "老师每周按时批改", "accepted", "", now=T0 + timedelta(days=1))
    login(client, "sup")
    page = client.get("/complaints/%d" % c.id).get_data(as_text=True)
    assert 'data-testid="print-complaint"' in page
    pdf = client.get("/print/complaint/%d.pdf" % c.id)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = _pdf_text(pdf.data, tmp_path)
    for expected in ("投诉处理单", "TS-%d" % c.id, "张小明妈妈", "李小龙", "老师丙", "作业批改不及时", "已与老师沟通",
                     "老师每周按时批改", "处理人签字", "学管师主管签字"):
        assert expected in text, expected
    login(client, "t1")  # the teacher it is about sees it closed on screen, without the family: no print of it
    assert client.get("/print/complaint/%d.pdf" % c.id).status_code == 404
    login(client, "adv1")  # her student's complaint: she may print it
    assert client.get("/print/complaint/%d.pdf" % c.id).status_code == 200


def test_the_complaint_follow_ups_of_earlier_versions_become_closed_complaints(app, people):
    """Migration 21's statement, run again here over a 投诉回复 follow-up: a complaint received and closed at the
    call by its advisor, the family's answer not asked; the follow-up stays."""
    from xgapp import db
    from xgapp.followups import domain as followups
    from xgapp.followups.models import FollowUp
    from xgapp.migrations import m0021_complaints_from_followups as m21

    with app.app_context():
        kid = make_student(name="赵小宝", advisor_user=people["adv"])
        with clock.fixed(T0):
            followups.log(people["adv"], kid, {"kind": "complaint", "channel": "face", "whom": "parent", "at": T0,
                                               "purpose": "家长投诉作业太多", "content": "已和老师沟通",
                                               "result": "老师减少作业量"})
        db.database.execute_sql(m21.MIGRATE_SQL)
        moved = Complaint.get()
        assert (moved.student.id, moved.complainant, moved.complainant_kind, moved.channel) == (
            kid.id, "赵妈妈", "guardian", "visit")
        assert "家长投诉作业太多" in moved.content and moved.resolution == "老师减少作业量"
        assert moved.received_at == moved.closed_at == moved.first_response_at == T0
        assert moved.owner.id == moved.closed_by.id == people["adv"].id
        assert domain.state(moved) == "closed" and domain.answer(moved) is domain.NOT_ASKED
        assert FollowUp.select().where(FollowUp.kind == "complaint").count() == 1


def test_the_list_reads_its_people_in_one_query_however_many_complaints(app, client, people):
    from tests.test_queries import _queries

    def add(n):
        with app.app_context():
            kid = make_student(name="列表%d" % n, advisor_user=people["adv"], mobile="1390000%04d" % n)
            domain.receive(people["adv"], _values(student=kid, about_user=people["t"]), now=T0)

    add(0)
    login(client, "adv1")
    few = [_queries(client, url) for url in ("/complaints/?shown=all", "/")]
    for n in range(1, 8):
        add(n)
    assert [_queries(client, url) for url in ("/complaints/?shown=all", "/")] == few
