"""Student, contract and hour pages over HTTP: forms, messages beside fields, each role's access."""

from decimal import Decimal

import pytest

from xgapp.contracts.models import Contract, Payment, Refund
from xgapp.hours import domain as hours
from xgapp.students.models import Guardian, Student
from tests.conftest import csrf_from, login, make_user
from tests.factories import advisor, make_contract, make_student


def _token(client, url="/"):
    return csrf_from(client.get(url).get_data(as_text=True))


NEW = {"name": "李小龙", "gender": "M", "school": "海淀实验小学", "grade": "五年级", "source": "walkin",
       "guardians-0-name": "李妈妈", "guardians-0-relation": "母亲", "guardians-0-mobile": "139 1234 5678",
       "guardians-0-can_pickup": "y"}


def test_advisor_opens_a_student_file_that_is_hers(app, client):
    me = advisor("adv1")
    login(client, "adv1")
    response = client.post("/students/new", data=NEW | {"csrf_token": _token(client), "advisor": me.id})
    assert response.status_code == 303
    student = Student.get(Student.name == "李小龙")
    assert student.advisor_id == me.id and Guardian.get(Guardian.student == student).mobile == "13912345678"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "李小龙" in page and "意向" in page and "13912345678" in page


def test_bad_mobile_is_shown_beside_the_field_and_nothing_is_saved(app, client):
    me = advisor("adv1")
    login(client, "adv1")
    response = client.post("/students/new", data=NEW | {"csrf_token": _token(client), "advisor": me.id,
                                                        "guardians-0-mobile": "12345"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="err-guardians-0-mobile"' in html and "11 位、以 1 开头" in html
    assert 'value="李小龙"' in html
    assert Student.select().count() == 0


def test_duplicate_family_asks_for_confirmation(app, client):
    make_student(name="李大龙", mobile="13912345678")
    me = advisor("adv1")
    login(client, "adv1")
    data = NEW | {"csrf_token": _token(client), "advisor": me.id}
    response = client.post("/students/new", data=data)
    assert response.status_code == 422 and "李大龙" in response.get_data(as_text=True)
    assert "同一家庭" in response.get_data(as_text=True)
    assert client.post("/students/new", data=data | {"confirm_duplicate": "y"}).status_code == 303
    assert Student.select().count() == 2


def test_an_advisor_cannot_see_or_edit_another_advisors_student(app, client):
    other = make_student(name="别人的学生", advisor_user=advisor("adv2"))
    advisor("adv1")
    login(client, "adv1")
    assert client.get("/students/%d" % other.id).status_code == 404
    assert client.get("/students/%d/edit" % other.id).status_code == 404
    assert "别人的学生" not in client.get("/students/?q=别人").get_data(as_text=True)
    assert "别人的学生" not in client.get("/students/search?q=brdxs").get_data(as_text=True)


@pytest.mark.parametrize("role", ["frontdesk", "teacher", "director"])
def test_basic_roles_see_the_file_but_no_money(app, client, role):
    student = make_student(name="王同学")
    make_contract(student)
    make_user("viewer", roles=(role,))
    login(client, "viewer")
    page = client.get("/students/%d" % student.id).get_data(as_text=True)
    assert "王同学" in page and "海淀实验小学" in page
    assert "¥" not in page and "合同" not in page
    assert client.get("/students/%d/edit" % student.id).status_code == 403
    assert client.get("/hours/%d" % student.id).status_code == 403
    contract = Contract.get()
    assert client.get("/contracts/%d" % contract.id).status_code == 403


def test_finance_sees_money_but_cannot_edit_the_file(app, client):
    student = make_student()
    contract = make_contract(student, payments=[{"amount": "1000", "method": "cash"}])
    make_user("fin", roles=("finance",))
    login(client, "fin")
    assert "¥6,000.00" in client.get("/students/%d" % student.id).get_data(as_text=True)
    assert client.get("/students/%d/edit" % student.id).status_code == 403
    token = _token(client, "/contracts/%d" % contract.id)
    response = client.post("/contracts/%d/payments" % contract.id,
                           data={"csrf_token": token, "amount": "500", "method": "alipay", "receipt_no": "F1"})
    assert response.status_code == 303
    assert Payment.select().count() == 2


def test_sign_a_contract_with_a_split_payment_over_http(app, client):
    me = advisor("adv1")
    student = make_student(advisor_user=me)
    login(client, "adv1")
    token = _token(client, "/contracts/new/%d" % student.id)
    response = client.post("/contracts/new/%d" % student.id, data={
        "csrf_token": token, "kind": "new", "subject": "数学", "hours": "40", "free_hours": "2",
        "unit_price": "150", "discount": "0", "payments-0-amount": "3000", "payments-0-method": "wechat",
        "payments-1-amount": "3000", "payments-1-method": "cash", "payments-1-receipt_no": "R-22"})
    assert response.status_code == 303
    page = client.get("/students/%d" % student.id).get_data(as_text=True)
    assert "42.0" in page and "¥6,000.00" in page and "在读" in page
    assert hours.balance(student) == Decimal("42.0")


def test_contract_form_errors_are_kept_and_nothing_is_saved(app, client):
    me = advisor("adv1")
    student = make_student(advisor_user=me)
    login(client, "adv1")
    token = _token(client, "/contracts/new/%d" % student.id)
    response = client.post("/contracts/new/%d" % student.id, data={
        "csrf_token": token, "kind": "new", "subject": "数学", "hours": "40.3", "unit_price": "150.123",
        "payments-0-amount": "-5", "payments-0-method": "cash"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "0.5 的整数倍" in html and "两位小数" in html and "金额必须大于 0" in html
    assert Contract.select().count() == 0 and Payment.select().count() == 0


def test_refund_request_then_supervisor_approval(app, client):
    me = advisor("adv1")
    student = make_student(advisor_user=me)
    contract = make_contract(student, hours="10", unit_price="100")
    hours.consume(None, student, "数学", "4")
    login(client, "adv1")
    token = _token(client, "/contracts/%d" % contract.id)
    too_much = client.post("/contracts/%d/refunds" % contract.id, data={
        "csrf_token": token, "hours": "6", "amount": "600.01", "method": "transfer", "reason": "搬家"})
    assert too_much.status_code == 422 and "最多可退 600.00 元" in too_much.get_data(as_text=True)
    assert client.post("/contracts/%d/refunds" % contract.id, data={
        "csrf_token": token, "hours": "6", "amount": "600", "method": "transfer", "reason": "搬家"}).status_code == 303
    make_user("sup", roles=("supervisor",))
    boss = client.application.test_client()
    login(boss, "sup")
    page = boss.get("/contracts/refunds").get_data(as_text=True)
    assert "搬家" in page
    response = boss.post("/contracts/refunds/1", data={"csrf_token": csrf_from(page), "decision": "approve"})
    assert response.status_code == 303
    assert hours.balance(student) == Decimal("0.0")
    assert "¥-600.00" in boss.get("/contracts/revenue").get_data(as_text=True)


def test_a_supervisors_own_refund_request_waits_for_someone_else(app, client):
    boss = make_user("sup", roles=("supervisor", "advisor"))
    contract = make_contract(make_student(advisor_user=boss), hours="10", unit_price="100")
    login(client, "sup")
    token = _token(client, "/contracts/%d" % contract.id)
    assert client.post("/contracts/%d/refunds" % contract.id, data={
        "csrf_token": token, "hours": "2", "amount": "200", "method": "cash", "reason": "家里有事"}).status_code == 303
    page = client.get("/contracts/refunds").get_data(as_text=True)
    assert "家里有事" in page and "需由其他主管或校长审批" in page and 'value="approve"' not in page
    refused = client.post("/contracts/refunds/1", data={"csrf_token": csrf_from(page), "decision": "approve"})
    assert refused.status_code == 422 and "需由其他主管或校长审批" in refused.get_data(as_text=True)
    assert Refund.get_by_id(1).status == "pending" and hours.balance(contract.student) == Decimal("10.0")


def test_manual_consumption_cannot_overdraw_for_an_advisor(app, client):
    me = advisor("adv1")
    student = make_student(advisor_user=me)
    make_contract(student, hours="2")
    login(client, "adv1")
    token = _token(client, "/hours/%d" % student.id)
    response = client.post("/hours/%d/consume" % student.id,
                           data={"csrf_token": token, "subject": "数学", "hours": "3", "reason": "一对一"})
    assert response.status_code == 422 and "只剩 2.0 课时" in response.get_data(as_text=True)
    assert client.post("/hours/%d/consume" % student.id, data={
        "csrf_token": token, "subject": "数学", "hours": "1.5", "reason": "一对一"}).status_code == 303
    assert hours.balance(student) == Decimal("0.5")


def test_supervisor_reassigns_a_student(app, client):
    student = make_student(advisor_user=advisor("adv1"))
    new = advisor("adv2")
    make_user("sup", roles=("supervisor",))
    login(client, "sup")
    token = _token(client, "/students/%d" % student.id)
    client.post("/students/%d/reassign" % student.id, data={"csrf_token": token, "advisor": new.id})
    assert Student.get_by_id(student.id).advisor_id == new.id


def test_low_hours_filter_lists_enrolled_students_with_four_hours_or_fewer(app, client):
    adv = advisor("adv1")
    low = make_student(name="快用完", mobile="13500000011", advisor_user=adv)
    make_contract(low, hours="10")
    hours.consume(None, low, "数学", "6.5")
    plenty = make_student(name="还很多", mobile="13500000012", advisor_user=adv)
    make_contract(plenty, hours="10")
    login(client)
    html = client.get("/students/?low=1").get_data(as_text=True)
    assert "快用完" in html and "还很多" not in html
    assert "数学 3.5" in html


@pytest.mark.parametrize("bad", ["abc", "-1", "0.3", "", "1e9"])
def test_bad_hours_on_the_ledger_page_are_a_message_not_an_error(app, client, bad):
    me = advisor("adv1")
    student = make_student(advisor_user=me)
    make_contract(student, hours="2")
    login(client, "adv1")
    token = _token(client, "/hours/%d" % student.id)
    response = client.post("/hours/%d/consume" % student.id,
                           data={"csrf_token": token, "subject": "数学", "hours": bad, "reason": "一对一"})
    assert response.status_code == 422 and 'id="err-hours"' in response.get_data(as_text=True)
    assert hours.balance(student) == Decimal("2.0")


@pytest.mark.parametrize("bad", ["abc", "0", "0.3", "", "1e9", "NaN", "-Infinity"])
def test_bad_correction_hours_are_a_message_not_an_error(app, client, bad):
    me = advisor("adv1")
    student = make_student(advisor_user=me)
    make_contract(student, hours="2")
    entry = hours.consume(me, student, "数学", "1")[0]
    login(client, "adv1")
    token = _token(client, "/hours/%d" % student.id)
    response = client.post("/hours/entry/%d/correct" % entry.id, data={"csrf_token": token, "hours": bad,
                                                                       "reason": "改错"})
    assert response.status_code == 422 and 'id="err-correct-%d-hours"' % entry.id in response.get_data(as_text=True)
    assert hours.balance(student) == Decimal("1.0")


def test_a_long_ledger_is_paged_newest_first_and_a_bad_correction_of_an_old_row_shows_that_row(app, client):
    import re

    me = advisor("adv1")
    student = make_student(advisor_user=me)
    make_contract(student, hours="100")
    used = [hours.consume(me, student, "数学", "1", "第%d次" % n)[0] for n in range(1, hours.LEDGER_PAGE + 11)]
    login(client, "adv1")
    first = client.get("/hours/%d" % student.id).get_data(as_text=True)
    shown = re.findall(r"第(\d+)次", first)
    assert shown[:2] == [str(len(used)), str(len(used) - 1)] and len(shown) == hours.LEDGER_PAGE
    older = re.search(r'href="(/hours/%d\?before=\d+)"' % student.id, first).group(1)
    for odd in ("99999999999999999999", "-1", "abc"):  # no row id: the newest page, not an error
        assert client.get("/hours/%d?before=%s" % (student.id, odd)).status_code == 200
    page_two = client.get(older).get_data(as_text=True)  # the ten oldest, the purchase, and no further page
    assert re.findall(r"第(\d+)次", page_two) == [str(n) for n in range(10, 0, -1)]
    assert not re.search(r'href="/hours/%d\?before=' % student.id, page_two) and "最新记录" in page_two
    token = _token(client, "/hours/%d" % student.id)
    response = client.post("/hours/entry/%d/correct" % used[0].id, data={"csrf_token": token, "hours": "abc",
                                                                         "reason": "改错"})
    assert response.status_code == 422
    assert 'id="err-correct-%d-hours"' % used[0].id in response.get_data(as_text=True)


def test_a_bad_birthday_is_a_message_beside_the_field(app, client):
    me = advisor("adv1")
    login(client, "adv1")
    response = client.post("/students/new", data=NEW | {"csrf_token": _token(client), "advisor": me.id,
                                                        "birthday": "2015-02-30"})
    assert response.status_code == 422 and 'id="err-birthday"' in response.get_data(as_text=True)
    assert "生日" in response.get_data(as_text=True) and Student.select().count() == 0


@pytest.mark.parametrize("url", ["/students/99999999999999999999999", "/hours/18446744073709551616",
                                 "/contracts/9223372036854775808", "/leads/123456789012345678901234567890"])
def test_ids_too_big_for_the_database_are_not_found(app, client, url):
    login(client)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("query", ["advisor=99999999999999999999999", "page=99999999999999999999999",
                                   "advisor=-1", "page=abc"])
def test_huge_or_bad_numbers_in_the_query_are_ignored(app, client, query):
    make_student(advisor_user=advisor("adv1"))
    login(client)
    assert client.get("/students/?" + query).status_code == 200
    assert client.get("/leads/?" + query).status_code == 200
    assert client.get("/audit/?actor=99999999999999999999999&before=99999999999999999999999").status_code == 200


def test_a_refund_decision_must_be_explicit(app, client):
    from xgapp.contracts import domain as contracts
    from xgapp.contracts.models import Refund

    student = make_student(advisor_user=advisor("adv1"))
    contract = make_contract(student, hours="10")
    refund = contracts.request_refund(student.advisor, contract, "1", "10", "cash", "搬家")
    login(client)
    token = _token(client, "/contracts/refunds")
    assert client.post("/contracts/refunds/%d" % refund.id, data={"csrf_token": token}).status_code == 400
    assert Refund.get_by_id(refund.id).status == "pending"
    client.post("/contracts/refunds/%d" % refund.id, data={"csrf_token": token, "decision": "reject"})
    assert Refund.get_by_id(refund.id).status == "rejected"


def test_referral_credit_is_money_and_hidden_from_the_front_desk(app, login_as):
    referrer = make_student(name="老带新", mobile="13500000001", advisor_user=advisor("adv1"))
    newcomer = make_student(name="新同学", mobile="13500000002", advisor_user=referrer.advisor)
    from xgapp.contracts import domain as contracts

    contracts.create(None, newcomer, {"kind": "referral", "subject": "英语", "hours": "10", "unit_price": "100",
                                      "referrer": referrer}, [])
    make_user("sup", roles=("supervisor",))
    boss = app.test_client()
    login(boss, "sup")
    assert "新同学" in boss.get("/students/%d" % referrer.id).get_data(as_text=True)
    client = login_as("frontdesk")
    page = client.get("/students/%d" % referrer.id).get_data(as_text=True)
    assert "老带新" in page and "新同学" not in page


def test_a_refund_form_for_one_hour_refuses_the_whole_contract_amount(app, client):
    from xgapp.contracts.models import Refund

    student = make_student(advisor_user=advisor("adv1"))
    contract = make_contract(student, hours="40", unit_price="180")  # ¥7200 paid
    login(client, "adv1")
    token = _token(client, "/contracts/%d" % contract.id)
    refused = client.post("/contracts/%d/refunds" % contract.id, data={
        "csrf_token": token, "hours": "1.0", "amount": "7200", "method": "cash", "reason": "少上一次"})
    assert refused.status_code == 422 and "最多可退 180.00 元" in refused.get_data(as_text=True)
    assert not Refund.select().exists()
    assert client.post("/contracts/%d/refunds" % contract.id, data={
        "csrf_token": token, "hours": "1.0", "amount": "150", "method": "cash", "reason": "少上一次"}).status_code == 303
    page = client.get("/contracts/%d" % contract.id).get_data(as_text=True)
    assert "按规则应退 ¥180.00" in page  # the request says it is lowered
    make_user("sup", roles=("supervisor",))
    boss = client.application.test_client()
    login(boss, "sup")
    page = boss.get("/contracts/refunds").get_data(as_text=True)
    assert "已下调" in page and "¥180.00" in page
    raised = boss.post("/contracts/refunds/1", data={"csrf_token": csrf_from(page), "decision": "approve",
                                                     "amount": "200"})
    assert raised.status_code == 422 and Refund.get_by_id(1).status == "pending"
    assert 'id="err-amount-1"' in raised.get_data(as_text=True)
    assert boss.post("/contracts/refunds/1", data={"csrf_token": csrf_from(page), "decision": "approve",
                                                   "amount": "150"}).status_code == 303
    assert Refund.get_by_id(1).amount == Decimal("150.00")


def test_a_refund_decided_meanwhile_says_so(app, client):
    from xgapp.contracts import domain as contracts

    student = make_student(advisor_user=advisor("adv1"))
    refund = contracts.request_refund(student.advisor, make_contract(student, hours="10"), "1", "", "cash", "搬家")
    make_user("sup", roles=("supervisor",))
    login(client, "sup")
    token = _token(client, "/contracts/refunds")
    contracts.decide_refund(make_user("sup2", roles=("supervisor",)), refund, approve=False)  # another tablet
    late = client.post("/contracts/refunds/%d" % refund.id, data={"csrf_token": token, "decision": "approve"})
    assert late.status_code == 422 and "该退费申请已经审批过了" in late.get_data(as_text=True)


def test_a_new_file_lets_the_first_two_guardians_pick_the_child_up(app, client):
    import re

    advisor("adv1")
    login(client, "adv1")
    html = client.get("/students/new").get_data(as_text=True)
    boxes = {m.group(1): "checked" in m.group(0)
             for m in re.finditer(r'<input type="checkbox" id="(guardians-\d-can_pickup)"[^>]*>', html)}
    assert boxes == {"guardians-0-can_pickup": True, "guardians-1-can_pickup": True,
                     "guardians-2-can_pickup": False}


def test_a_long_timeline_is_read_page_by_page_from_the_newest(app, login_as):
    import html
    import re
    from datetime import datetime, timedelta, timezone

    from xgapp.clock import fixed
    from xgapp.followups import domain as followups

    me = advisor("adv1")
    kid = make_student(advisor_user=me)
    start = datetime(2025, 3, 1, 2, 0, tzinfo=timezone.utc)
    for n in range(170):
        at = start + timedelta(days=n)
        with fixed(at):
            followups.log(me, kid, {"kind": "routine", "channel": "phone", "whom": "parent", "at": at,
                                    "purpose": "第%03d次回访" % n, "content": "c"})
    client = login_as("principal")
    first = client.get("/students/%d" % kid.id).get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)#timeline">更早的记录', first)
    assert link and "最新记录" not in first
    older = client.get(html.unescape(link.group(1)))
    assert older.status_code == 200
    page = older.get_data(as_text=True)
    assert "最新记录" in page and "更早的记录" not in page  # the student's first events: nothing before them
    shown = [set(re.findall(r"第(\d{3})次回访", p)) for p in (first, page)]
    assert "169" in shown[0] and "000" in shown[1] and len(shown[0]) >= 140  # the newest first, 150 a page
    assert not shown[0] & shown[1] and shown[0] | shown[1] == {"%03d" % n for n in range(170)}
    assert client.get("/students/%d?before=yesterday&skip=x" % kid.id).status_code == 200  # a mangled link: the newest
