"""Leads: inquiry, duplicate families, the funnel with dated steps, daily numbers, access."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from xgapp.hours import domain as hours
from xgapp.leads import domain
from xgapp.leads.models import Lead, LeadStep
from xgapp.students.models import Student
from xgapp.validation import Invalid
from tests.conftest import campus_today, csrf_from, login
from tests.factories import advisor, make_contract, make_student

D1 = date(2026, 9, 1)


def _inquiry(adv, mobile="13611112222", name="赵小六", **kw):
    return domain.record_inquiry(adv, adv, kw.pop("channel", "hotline"), {"name": name, "school": "育英学校"},
                                 {"name": "赵妈妈", "relation": "母亲", "mobile": mobile}, subject="数学",
                                 today=kw.pop("today", D1), **kw)


def test_inquiry_opens_a_prospect_file_and_counts_for_the_day(app):
    adv = advisor()
    lead = _inquiry(adv)
    assert lead.stage == "inquiry" and lead.student.status == "prospect" and lead.student.advisor_id == adv.id
    assert domain.daily_counts(D1, adv) == {"inquiry": 1}


def test_known_mobile_is_not_merged_silently(app):
    adv = advisor()
    sibling = make_student(name="赵大六", mobile="13611112222", advisor_user=adv)
    with pytest.raises(Invalid) as caught:
        _inquiry(adv)
    assert caught.value.warning and "赵大六" in str(caught.value.errors["mobile"])
    attached = _inquiry(adv, attach_to=sibling)
    assert attached.student_id == sibling.id
    other = _inquiry(adv, new_family=True)
    assert other.student_id != sibling.id and Student.select().count() == 2


def test_funnel_moves_forward_with_dates_and_signing_closes_it(app):
    adv = advisor()
    lead = _inquiry(adv)
    domain.advance(adv, lead, "invited", D1 + timedelta(days=1), "约周六上门")
    domain.advance(adv, lead, "trial", D1 + timedelta(days=5), "数学试听")  # visited skipped: allowed
    assert Student.get_by_id(lead.student_id).status == "trial"
    with pytest.raises(Invalid):
        domain.advance(adv, lead, "invited", D1 + timedelta(days=6))  # never backwards
    make_contract(Student.get_by_id(lead.student_id), today=D1 + timedelta(days=7))
    lead = Lead.get_by_id(lead.id)
    assert (lead.stage, lead.stage_on) == ("signed", D1 + timedelta(days=7))
    steps = [(s.stage, s.on) for s in LeadStep.select().order_by(LeadStep.id)]
    assert steps == [("inquiry", D1), ("invited", D1 + timedelta(days=1)), ("trial", D1 + timedelta(days=5)),
                     ("signed", D1 + timedelta(days=7))]
    assert domain.daily_counts(D1 + timedelta(days=7)) == {"signed": 1}
    assert hours.balance(lead.student) == Decimal("40.0")


def test_lost_needs_a_reason_and_closes_the_lead(app):
    adv = advisor()
    lead = _inquiry(adv)
    with pytest.raises(Invalid):
        domain.lose(adv, lead, "  ")
    domain.lose(adv, lead, "嫌价格高", D1)
    assert Lead.get_by_id(lead.id).stage == "lost"
    with pytest.raises(Invalid):
        domain.advance(adv, lead, "invited", D1)
    assert domain.open_leads(adv) == []


def test_open_leads_put_the_overdue_first_and_advisors_see_their_own(app):
    a, b = advisor("adv1"), advisor("adv2")
    later = _inquiry(a, "13600000001", "甲", next_contact=D1 + timedelta(days=9))
    soon = _inquiry(a, "13600000002", "乙", next_contact=D1 + timedelta(days=1))
    undated = _inquiry(a, "13600000003", "丙")
    _inquiry(b, "13600000004", "丁")
    assert [lead.id for lead in domain.open_leads(a)] == [soon.id, later.id, undated.id]


def test_a_reassigned_student_takes_open_leads_along_and_the_old_advisor_loses_sight(app):
    from xgapp.audit.models import AuditLog
    from xgapp.students import domain as students
    from tests.conftest import make_user

    a, b = advisor("adv1"), advisor("adv2")
    boss = make_user("sup", roles=("supervisor",))
    first = _inquiry(a)
    second = _inquiry(a, attach_to=first.student)
    lost = _inquiry(a, attach_to=first.student)
    domain.lose(a, lost, "时间不合适", D1)
    students.reassign(boss, first.student, b)
    assert {lead.advisor_id for lead in Lead.select().where(Lead.stage != "lost")} == {b.id}
    assert Lead.get_by_id(lost.id).advisor_id == a.id  # the closed lead stays credited to who worked it
    assert domain.open_leads(a) == [] and {x.id for x in domain.open_leads(b)} == {first.id, second.id}
    assert list(domain.visible(a)) == []
    assert AuditLog.select().where(AuditLog.table == "lead", AuditLog.action == "reassign").count() == 2


def test_signing_is_audited_on_the_lead(app):
    from xgapp.audit.models import AuditLog

    adv = advisor()
    lead = _inquiry(adv)
    make_contract(Student.get_by_id(lead.student_id), today=D1)
    row = AuditLog.select().where(AuditLog.table == "lead", AuditLog.record_id == str(lead.id)).order_by(AuditLog.id.desc()).get()
    assert '"signed"' in row.after


def test_bad_inquiry_input(app):
    adv = advisor()
    with pytest.raises(Invalid) as caught:
        domain.record_inquiry(adv, adv, "carrier-pigeon", {"name": ""}, {"mobile": "123"}, today=D1)
    assert set(caught.value.errors) == {"channel", "mobile", "name"}
    assert Lead.select().count() == 0


def test_inquiry_page_flow_and_duplicate_choice(app, client):
    adv = advisor("adv1")
    make_student(name="钱一", mobile="13655556666", advisor_user=adv)
    login(client, "adv1")
    token = csrf_from(client.get("/leads/new").get_data(as_text=True))
    data = {"csrf_token": token, "channel": "walkin", "advisor": adv.id, "guardian_name": "钱妈妈", "relation": "母亲",
            "mobile": "13655556666", "name": "钱二", "subject": "英语"}
    response = client.post("/leads/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "钱一" in html and 'name="attach"' in html
    response = client.post("/leads/new", data=data | {"attach": "new"})
    assert response.status_code == 303
    lead = Lead.get()
    assert lead.student.name == "钱二"
    page = client.get("/leads/%d" % lead.id).get_data(as_text=True)
    assert "钱二" in page and "咨询" in page
    response = client.post("/leads/%d/advance" % lead.id, data={"csrf_token": token, "stage": "invited",
                                                                  "on": campus_today().isoformat(), "note": "约周六"})
    assert response.status_code == 303 and Lead.get_by_id(lead.id).stage == "invited"
    listing = client.get("/leads/").get_data(as_text=True)
    assert "钱二" in listing


def test_other_advisors_leads_are_hidden(app, client):
    lead = _inquiry(advisor("adv2"))
    advisor("adv1")
    login(client, "adv1")
    assert client.get("/leads/%d" % lead.id).status_code == 404


def test_teachers_have_no_leads(login_as):
    client = login_as("teacher")
    assert client.get("/leads/").status_code == 403


def test_an_inquiry_can_only_be_attached_to_a_child_of_that_family(app, client):
    adv = advisor("adv1")
    make_student(name="钱一", mobile="13655556666", advisor_user=adv)
    stranger = make_student(name="路人", mobile="13677778888", advisor_user=advisor("adv2"))
    login(client, "adv1")
    token = csrf_from(client.get("/leads/new").get_data(as_text=True))
    response = client.post("/leads/new", data={
        "csrf_token": token, "channel": "walkin", "advisor": adv.id, "mobile": "13655556666", "name": "钱二",
        "attach": str(stranger.id)})
    assert response.status_code == 422
    assert Lead.select().where(Lead.student == stranger).count() == 0
