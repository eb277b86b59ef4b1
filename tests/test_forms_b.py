"""Every form of students, changes, contracts, hours and leads reports all its errors in one response.

Each test posts everything wrong at once and reads the 422 page through tests/html.py: every wrong field has its
message beside it, and nothing was saved. The last tests hold a few of the slice's policy decisions.
"""

import io
from datetime import time

import pytest
from openpyxl import load_workbook

from xgapp.classes import domain as classes
from xgapp.classes.models import Enrolment, Makeup, StudentChange, Suspension
from xgapp.contracts import domain as contracts
from xgapp.contracts.models import Contract, Payment, Refund
from xgapp.hours.models import HourEntry
from xgapp.leads import domain as leads
from xgapp.leads.models import Lead, LeadStep
from xgapp.students.models import Guardian, Student
from xgapp.timetable import domain as timetable
from tests import html
from tests.conftest import csrf_from, login, make_user
from tests.factories import advisor, make_class, make_contract, make_student
from tests.test_changes import BEFORE_TERM, SAT

TOO_LONG = "长" * 300
CONTROL = "坏\x01字"


def _post(client, page_url, url, data):
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    response = client.post(url, data=dict(data, csrf_token=token))
    assert response.status_code == 422, response.status_code
    return html.errors(html.parse(response))


def _counts(*models):
    return [m.select().count() for m in models]


def test_a_new_student_file_reports_every_wrong_field_at_once(app, client):
    advisor("adv1")
    login(client)
    before = _counts(Student, Guardian)
    errors = _post(client, "/students/new", "/students/new", {
        "name": "", "birthday": "1900-01-01", "grade": "大一", "source": "pigeon", "advisor": "99999",
        "referrer": "没有这个学生", "school": CONTROL, "guardians-0-name": "李妈妈", "guardians-0-relation": "邻居",
        "guardians-0-mobile": "12345", "guardians-1-mobile": "13912345678", "guardians-1-relation": "父亲"})
    assert set(errors) >= {"name", "birthday", "grade", "source", "advisor", "referrer", "school",
                           "guardians-0-relation", "guardians-0-mobile", "guardians-1-name"}
    assert "11 位" in errors["guardians-0-mobile"] and "控制字符" in errors["school"]
    assert _counts(Student, Guardian) == before


def test_editing_a_student_file_reports_every_wrong_field_at_once(app, client):
    student = make_student(name="王小明")
    login(client)
    url = "/students/%d/edit" % student.id
    errors = _post(client, url, url, {
        "name": TOO_LONG, "birthday": "2015-13-40", "grade": "大一", "source": "pigeon", "referrer": "没有这个学生",
        "guardians-0-name": "", "guardians-0-relation": "母亲", "guardians-0-mobile": "1391234567x"})
    assert set(errors) >= {"name", "birthday", "grade", "source", "referrer", "guardians-0-name",
                           "guardians-0-mobile"}
    fresh = Student.get_by_id(student.id)
    assert fresh.name == "王小明" and fresh.grade == "五年级"
    assert [g.name for g in Guardian.select().where(Guardian.student == student)] == ["王妈妈"]


def _enrolled():
    klass = make_class(name="数学班")
    student = make_student(name="数学班学生")
    make_contract(student, hours="20", subject=klass.subject)
    classes.enrol(None, klass, student, SAT)
    timetable.schedule(None, klass, [5], time(9), time(11), SAT, 4)
    return klass, student


def test_a_suspension_with_reversed_dates_and_no_reason_shows_both_at_once(app, client):
    from xgapp.clock import fixed as clock

    klass, student = _enrolled()
    login(client, "adv1")
    url = "/changes/student/%d" % student.id
    before = _counts(Suspension, StudentChange)
    with clock(BEFORE_TERM):
        errors = _post(client, url, url + "/suspend", {"start": "2026-09-20", "end": "2026-09-10", "reason": ""})
    assert set(errors) == {"suspend-end", "suspend-reason"}  # the example: both in one response
    with clock(BEFORE_TERM):
        errors = _post(client, url, url + "/suspend", {"start": "", "end": "2026-02-30", "reason": TOO_LONG})
    assert set(errors) == {"suspend-start", "suspend-end", "suspend-reason"}
    assert _counts(Suspension, StudentChange) == before


def test_moving_a_lesson_and_a_make_up_report_every_wrong_field_at_once(app, client):
    klass, student = _enrolled()
    login(client, "adv1")
    url = "/changes/student/%d" % student.id
    before = _counts(Makeup, StudentChange)
    errors = _post(client, url, url + "/move", {"from_lesson": "99999", "to_lesson": "abc", "reason": ""})
    assert set(errors) == {"move-from", "move-to", "move-reason"}
    errors = _post(client, url, url + "/makeup", {"missed": "99999", "makeup_lesson": "-1"})
    assert set(errors) == {"makeup-missed", "makeup-lesson"}
    assert _counts(Makeup, StudentChange) == before


@pytest.mark.parametrize("action", ["transfer", "leave", "finish"])
def test_a_class_change_reports_every_wrong_field_at_once(app, client, action):
    klass, student = _enrolled()
    login(client, "adv1")
    url = "/changes/student/%d" % student.id
    before = _counts(StudentChange)
    errors = _post(client, url, url + "/" + action, {"enrolment": "99999", "to_klass": "99999", "on": "2026-13-45",
                                                     "reason": ""})
    expected = {"class-enrolment", "class-on", "class-reason"} | ({"class-to"} if action == "transfer" else set())
    assert set(errors) == expected
    assert _counts(StudentChange) == before
    assert Enrolment.get(Enrolment.student == student).status == "active"


def test_resuming_an_unknown_suspension_is_a_message_not_a_change(app, client):
    klass, student = _enrolled()
    login(client, "adv1")
    url = "/changes/student/%d" % student.id
    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(url + "/resume", data={"csrf_token": token, "suspension": "99999"})
    assert response.status_code == 422
    assert html.one(html.parse(response), "#err-resume")
    assert StudentChange.select().count() == 0


def test_a_new_contract_reports_every_wrong_field_at_once(app, client):
    student = make_student(name="签约生")
    login(client)
    url = "/contracts/new/%d" % student.id
    before = _counts(Contract, Payment, HourEntry)
    errors = _post(client, url, url, {
        "kind": "referral", "referrer": "没有这个学生", "subject": "", "hours": "1.3", "free_hours": "-1",
        "unit_price": "abc", "discount": "1.234", "notes": CONTROL,
        "payments-0-amount": "0", "payments-0-method": "wechat",
        "payments-1-amount": "100", "payments-1-method": "pigeon",
        "payments-2-amount": "x", "payments-2-method": "", "payments-2-receipt_no": "号" * 41})
    assert set(errors) == {"referrer", "subject", "hours", "free_hours", "unit_price", "discount", "notes",
                           "payments-0-amount", "payments-1-method", "payments-2-amount", "payments-2-method",
                           "payments-2-receipt_no"}
    assert _counts(Contract, Payment, HourEntry) == before


def test_a_payment_and_a_refund_request_report_every_wrong_field_at_once(app, client):
    student = make_student(name="付款生")
    contract = make_contract(student, hours="40", unit_price="150", payments=[{"amount": "1000", "method": "cash"}])
    login(client)
    url = "/contracts/%d" % contract.id
    before = _counts(Payment, Refund)
    errors = _post(client, url, url + "/payments", {"amount": "-5", "method": "pigeon", "receipt_no": "号" * 41})
    assert set(errors) == {"amount", "method", "receipt_no"}
    errors = _post(client, url, url + "/refunds", {"hours": "0.3", "amount": "abc", "method": "", "reason": ""})
    assert set(errors) == {"hours", "amount", "method", "reason"}
    assert _counts(Payment, Refund) == before


def test_a_refund_decision_reports_every_wrong_field_at_once(app, client):
    student = make_student(name="退费生")
    contract = make_contract(student, hours="40", unit_price="150")
    asker = make_user("sup1", roles=("supervisor",))
    refund = contracts.request_refund(asker, contract, "10", "", "cash", "搬家", 0)
    login(client)
    errors = _post(client, "/contracts/refunds", "/contracts/refunds/%d" % refund.id,
                   {"decision": "approve", "amount": "abc", "note": CONTROL})
    assert set(errors) == {"amount-%d" % refund.id, "note-%d" % refund.id}
    assert Refund.get_by_id(refund.id).status == "pending" and Payment.select().where(Payment.amount < 0).count() == 0


def test_hours_used_and_a_correction_report_every_wrong_field_at_once(app, client):
    student = make_student(name="课时生")
    make_contract(student, hours="20")
    login(client)
    url = "/hours/%d" % student.id
    before = _counts(HourEntry)
    errors = _post(client, url, url + "/consume", {"subject": "体育", "hours": "0", "reason": ""})
    assert set(errors) == {"subject", "hours", "reason"}
    from xgapp.hours import domain as hours

    [used] = hours.consume(None, student, "数学", "2", "一对一")
    before = _counts(HourEntry)
    errors = _post(client, url, "/hours/entry/%d/correct" % used.id, {"hours": "abc", "reason": ""})
    assert set(errors) == {"correct-%d-hours" % used.id, "correct-%d-reason" % used.id}
    assert _counts(HourEntry) == before


def test_an_inquiry_reports_every_wrong_field_at_once(app, client):
    advisor("adv1")
    login(client)
    before = _counts(Lead, Student, Guardian)
    errors = _post(client, "/leads/new", "/leads/new", {
        "channel": "pigeon", "advisor": "", "guardian_name": TOO_LONG, "relation": "邻居", "mobile": "123",
        "subject": "数" * 21, "name": "", "grade": "大一", "next_contact": "2000-01-01", "note": "想了解数学"})
    assert set(errors) == {"channel", "advisor", "guardian_name", "relation", "mobile", "subject", "name", "grade",
                           "next_contact"}
    assert _counts(Lead, Student, Guardian) == before


def test_a_leads_step_contact_and_loss_report_every_wrong_field_at_once(app, client):
    adv = advisor("adv1")
    lead = leads.record_inquiry(adv, adv, "hotline", {"name": "赵小六"}, {"name": "赵妈妈", "relation": "母亲",
                                                                          "mobile": "13611112222"})
    login(client, "adv1")
    url = "/leads/%d" % lead.id
    before = _counts(LeadStep)
    errors = _post(client, url, url + "/advance", {"stage": "invited", "on": "2026-13-01", "note": CONTROL})
    assert {"on", "advance-note"} <= set(errors)
    errors = _post(client, url, url + "/contact", {"note": "", "next_contact": "2000-01-01"})
    assert {"note", "next_contact"} <= set(errors)
    errors = _post(client, url, url + "/lose", {"lost_reason": ""})
    assert set(errors) == {"lost_reason"}
    leads.advance(adv, lead, "invited")
    before = _counts(LeadStep)
    errors = _post(client, url, url + "/correct", {"correct_reason": " "})
    assert set(errors) == {"correct_reason"}
    assert _counts(LeadStep) == before and Lead.get_by_id(lead.id).stage == "invited"


# --- who may: the student list with every guardian's mobile ---------------------------------------------------------

@pytest.mark.parametrize("role", ["teacher", "frontdesk", "director", "finance"])
def test_only_the_principal_supervisors_and_advisors_download_the_student_list(login_as, role):
    make_student(name="名单生")
    client = login_as(role)
    assert client.get("/students/export.xlsx").status_code == 403
    page = html.parse(client.get("/students/"))
    assert page.select('[data-testid="students-export"]') == []  # the button is hidden for them


def test_an_advisor_downloads_only_her_own_students(app, client):
    make_student(name="我的学生", advisor_user=advisor("adv1"))
    make_student(name="别人的学生", advisor_user=advisor("adv2"))
    login(client, "adv1")
    assert html.testid(html.parse(client.get("/students/")), "students-export")
    sheet = load_workbook(io.BytesIO(client.get("/students/export.xlsx").data)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["我的学生"]
    make_user("sup1", roles=("supervisor",))
    other = app.test_client()
    assert login(other, "sup1").status_code == 303
    sheet = load_workbook(io.BytesIO(other.get("/students/export.xlsx").data)).active
    assert sorted(row[0].value for row in sheet.iter_rows(min_row=2)) == ["别人的学生", "我的学生"]
