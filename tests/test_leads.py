"""Leads: inquiry, duplicate families, the funnel with dated steps, daily numbers, access."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from xgapp.hours import domain as hours
from xgapp.leads import domain
from xgapp.leads.models import Lead, LeadStep
from xgapp.students.models import Student
from xgapp.students import handover
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
    with pytest.raises(Invalid) as skipped:
        domain.advance(adv, lead, "trial", D1 + timedelta(days=5), "数学试听")  # a trial is at the campus
    assert "stage" in skipped.value.errors
    domain.advance(adv, lead, "visited", D1 + timedelta(days=5), "周六上门")
    domain.advance(adv, lead, "trial", D1 + timedelta(days=5), "数学试听")
    assert Student.get_by_id(lead.student_id).status == "trial"
    with pytest.raises(Invalid):
        domain.advance(adv, lead, "invited", D1 + timedelta(days=6))  # never backwards
    make_contract(Student.get_by_id(lead.student_id), today=D1 + timedelta(days=7))
    lead = Lead.get_by_id(lead.id)
    assert (lead.stage, lead.stage_on) == ("signed", D1 + timedelta(days=7))
    steps = [(s.stage, s.on) for s in LeadStep.select().order_by(LeadStep.id)]
    assert steps == [("inquiry", D1), ("invited", D1 + timedelta(days=1)), ("visited", D1 + timedelta(days=5)),
                     ("trial", D1 + timedelta(days=5)), ("signed", D1 + timedelta(days=7))]
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
    from tests.conftest import make_user

    a, b = advisor("adv1"), advisor("adv2")
    boss = make_user("sup", roles=("supervisor",))
    first = _inquiry(a)
    second = _inquiry(a, attach_to=first.student)
    lost = _inquiry(a, attach_to=first.student)
    domain.lose(a, lost, "时间不合适", D1)
    handover.reassign(boss, first.student, b)
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


def test_a_step_is_never_dated_in_the_future_nor_before_the_previous_one(app):
    adv = advisor()
    today = campus_today()
    lead = _inquiry(adv, today=today - timedelta(days=3))
    with pytest.raises(Invalid) as future:
        domain.advance(adv, lead, "invited", today + timedelta(days=300))
    assert "on" in future.value.errors
    with pytest.raises(Invalid) as earlier:
        domain.advance(adv, lead, "invited", today - timedelta(days=4))
    assert "on" in earlier.value.errors
    assert Lead.get_by_id(lead.id).stage == "inquiry" and LeadStep.select().count() == 1
    domain.advance(adv, lead, "invited", today)
    assert Lead.get_by_id(lead.id).stage == "invited"


def test_the_funnel_goes_step_by_step_and_a_walk_in_may_go_straight_to_a_trial(app):
    adv = advisor()
    lead = _inquiry(adv)
    assert domain.next_stages(lead) == ["invited", "visited"]
    domain.advance(adv, lead, "invited", D1)
    assert domain.next_stages(Lead.get_by_id(lead.id)) == ["visited"]
    with pytest.raises(Invalid):
        domain.advance(adv, lead, "trial", D1)  # 已邀约 → 已试听: the visit is missing
    walk_in = _inquiry(adv, "13600000009", "孙小七", channel="walkin")
    assert domain.next_stages(walk_in) == ["invited", "visited", "trial"]
    domain.advance(adv, walk_in, "trial", D1)
    assert Lead.get_by_id(walk_in.id).stage == "trial"


def test_a_wrong_step_is_taken_back_with_a_reason_and_no_longer_counts(app):
    from xgapp.audit.models import AuditLog

    adv = advisor()
    lead = _inquiry(adv)
    domain.advance(adv, lead, "invited", D1)
    domain.advance(adv, lead, "visited", D1 + timedelta(days=2))
    domain.advance(adv, lead, "trial", D1 + timedelta(days=2))
    assert Student.get_by_id(lead.student_id).status == "trial"
    with pytest.raises(Invalid) as no_reason:
        domain.correct(adv, lead, " ")
    assert "correct_reason" in no_reason.value.errors
    domain.correct(adv, lead, "点错了，还没有试听")
    lead = Lead.get_by_id(lead.id)
    assert (lead.stage, lead.stage_on) == ("visited", D1 + timedelta(days=2))
    assert [s.stage for s in LeadStep.select().order_by(LeadStep.id)] == ["inquiry", "invited", "visited"]
    assert Student.get_by_id(lead.student_id).status == "prospect"
    assert domain.daily_counts(D1 + timedelta(days=2)) == {"visited": 1}
    removed = AuditLog.get(AuditLog.table == "lead_step", AuditLog.action == "delete")
    assert removed.summary == "点错了，还没有试听" and '"trial"' in removed.before
    domain.lose(adv, lead, "嫌远", D1 + timedelta(days=3))
    domain.correct(adv, lead, "家长又来电话了")
    lead = Lead.get_by_id(lead.id)
    assert (lead.stage, lead.lost_reason) == ("visited", "")
    domain.correct(adv, lead, "没有上门")
    domain.correct(adv, lead, "没有邀约")
    with pytest.raises(Invalid):
        domain.correct(adv, lead, "咨询不能撤回")
    assert Lead.get_by_id(lead.id).stage == "inquiry"


def test_the_lead_page_shows_the_parent_and_takes_back_a_step(app, client):
    adv = advisor("adv1")
    lead = _inquiry(adv, "13677778888", "周小八")
    domain.advance(adv, lead, "invited", D1)
    login(client, "adv1")
    page = client.get("/leads/%d" % lead.id).get_data(as_text=True)
    assert "赵妈妈" in page and "13677778888" in page
    assert 'id="correct-step"' in page
    token = csrf_from(page)
    bad = client.post("/leads/%d/correct" % lead.id, data={"csrf_token": token, "correct_reason": ""})
    assert bad.status_code == 422 and 'id="err-correct_reason"' in bad.get_data(as_text=True)
    ok = client.post("/leads/%d/correct" % lead.id, data={"csrf_token": token, "correct_reason": "误点"})
    assert ok.status_code == 303 and Lead.get_by_id(lead.id).stage == "inquiry"
    future = client.post("/leads/%d/advance" % lead.id, data={
        "csrf_token": token, "stage": "invited", "on": (campus_today() + timedelta(days=365)).isoformat()})
    assert future.status_code == 422 and 'id="err-on"' in future.get_data(as_text=True)
    assert Lead.get_by_id(lead.id).stage == "inquiry"
