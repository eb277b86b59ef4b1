"""The lesson-hour ledger and contract money: balances, refunds, concurrency."""

import threading
from datetime import date
from decimal import Decimal

import pytest

from xgapp import db
from xgapp.students import timeline
from xgapp.accounts.models import User
from xgapp.contracts import domain as contracts
from xgapp.contracts.models import Payment, Refund
from xgapp.hours import domain as hours
from xgapp.hours.models import HourEntry
from xgapp.validation import Invalid
from tests.conftest import make_user
from tests.factories import make_contract, make_student

D = Decimal


def supervisor():
    return User.get_or_none(User.username == "sup") or make_user("sup", roles=("supervisor",))


def test_balance_after_every_kind_of_movement(app):
    student = make_student()
    maths = make_contract(student, subject="数学", hours="40", free_hours="4")
    assert hours.balance(student) == D("44.0")
    hours.consume(None, student, "数学", "1.5", reason="第1次课")
    assert hours.balance(student, "数学") == D("42.5")
    english = make_contract(student, subject="英语", hours="20", unit_price="200", kind="expansion")
    assert hours.balances(student) == {"数学": D("42.5"), "英语": D("20.0")}
    hours.transfer(None, maths, english, "2.5", reason="调到英语")
    assert hours.balances(student) == {"数学": D("40.0"), "英语": D("22.5")}
    wrong = hours.consume(None, student, "英语", "2")[0]
    hours.correct(None, wrong, "2", reason="误点名，实际请假")
    assert hours.balance(student, "英语") == D("22.5")
    assert [e.kind for e in HourEntry.select().order_by(HourEntry.id)] == [
        "purchase", "free", "consume", "purchase", "transfer_out", "transfer_in", "consume", "correction"]
    assert HourEntry.get(HourEntry.kind == "correction").corrects_id == wrong.id
    # the balances kept beside the ledger followed every movement
    assert hours.balances_for([student.id]) == {student.id: {"数学": D("40.0"), "英语": D("22.5")}}
    assert hours.facts_problems() == []


def test_a_correction_gives_back_at_most_what_the_row_took(app):
    student = make_student()
    contract = make_contract(student, hours="10", unit_price="100")
    purchase = hours.ledger(student)[0][0]
    with pytest.raises(Invalid) as caught:
        hours.correct(student.advisor, purchase, "5", reason="多加几节")
    assert "hours" in caught.value.errors
    taken = hours.consume(student.advisor, student, "数学", "2")[0]
    hours.correct(student.advisor, taken, "1.5", reason="实际只上了半节")
    with pytest.raises(Invalid) as caught:
        hours.correct(student.advisor, taken, "1", reason="再退一节")
    assert "hours" in caught.value.errors
    hours.correct(student.advisor, taken, "0.5", reason="整节都是请假")
    assert hours.balance(student) == D("10.0")
    assert hours.consumed(contract) == D("0.0")
    assert contracts.refundable(contract)["value"] == D("1000.00")


def test_consumption_takes_the_oldest_contract_first(app):
    student = make_student()
    first = make_contract(student, hours="2", today=date(2026, 3, 1))
    second = make_contract(student, hours="10", kind="renewal", today=date(2026, 6, 1))
    entries = hours.consume(None, student, "数学", "3")
    assert [(e.contract_id, e.hours) for e in entries] == [(first.id, D("-2.0")), (second.id, D("-1.0"))]


def test_balance_cannot_go_below_zero_without_a_supervisor(app):
    student = make_student()
    make_contract(student, hours="2")
    adv = student.advisor
    with pytest.raises(Invalid) as caught:
        hours.consume(adv, student, "数学", "3")
    assert "hours" in caught.value.errors
    with pytest.raises(Invalid):
        hours.consume(adv, student, "数学", "3", overdraft_reason="家长下周续费")
    entries = hours.consume(supervisor(), student, "数学", "3", overdraft_reason="家长下周续费")
    assert entries[-1].overdraft and hours.balance(student) == D("-1.0")
    assert HourEntry.select().where(HourEntry.overdraft == True).get().reason == "家长下周续费"  # noqa: E712


def test_twenty_concurrent_writers_cannot_double_spend(app):
    student = make_student()
    make_contract(student, hours="10")
    results = []

    def take():
        db.ensure_connection()
        try:
            hours.consume(None, student, "数学", "1")
            results.append("ok")
        except Invalid:
            results.append("refused")
        finally:
            db.database.close()

    threads = [threading.Thread(target=take) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 10 and results.count("refused") == 10
    assert hours.balance(student) == D("0.0")
    assert hours.balances_for([student.id]) == {student.id: {"数学": D("0.0")}}
    assert hours.facts_problems() == []  # the kept balance and the one run-out survived the race


def test_contract_with_split_payment_enrols_the_student(app):
    student = make_student()
    contract = make_contract(student, hours="40", unit_price="150", discount="200",
                             payments=[{"amount": "3000", "method": "wechat", "receipt_no": "R1"},
                                       {"amount": "2799.50", "method": "cash"}])
    assert contract.amount == D("5800.00") and contract.number.startswith("T-01-20260901-")
    assert contracts.paid(contract) == D("5799.50")  # 0.50 still due
    assert student.__class__.get_by_id(student.id).status == "active"


def test_payments_cannot_exceed_the_amount(app):
    student = make_student()
    with pytest.raises(Invalid) as caught:
        make_contract(student, hours="10", unit_price="100", payments=[{"amount": "1000.01", "method": "cash"}])
    assert "payments-0-amount" in caught.value.errors
    contract = make_contract(student, hours="10", unit_price="100", payments=[{"amount": "600", "method": "cash"}])
    with pytest.raises(Invalid):
        contracts.add_payment(None, contract, "400.01", "alipay")
    contracts.add_payment(None, contract, "400", "alipay", "A-9")
    assert contracts.paid(contract) == D("1000.00")


@pytest.mark.parametrize("kind,field", [("renewal", "kind"), ("expansion", "kind"), ("referral", "kind")])
def test_contract_kind_rules(app, kind, field):
    student = make_student()
    with pytest.raises(Invalid) as caught:
        make_contract(student, kind=kind)
    assert field in caught.value.errors


def test_refund_arithmetic_and_approval(app):
    student = make_student()
    contract = make_contract(student, hours="40", unit_price="150", free_hours="4", discount="600")  # ¥5400
    hours.consume(None, student, "数学", "10")
    figures = contracts.refundable(contract, fee_percent=10)
    # price 5400/40 = 135; unused paid 30 h → 4050; fee 10 % → 405; refundable 3645; free hours are not refunded
    assert (figures["price"], figures["unused_paid"], figures["value"], figures["fee"], figures["refundable"]) == (
        D("135.00"), D("30.0"), D("4050.00"), D("405.00"), D("3645.00"))
    assert figures["hours_left"] == D("34.0")
    with pytest.raises(Invalid) as caught:
        contracts.request_refund(None, contract, "34", "3645.01", "transfer", "搬家", fee_percent=10)
    assert "amount" in caught.value.errors
    refund = contracts.request_refund(None, contract, "34", "3645", "transfer", "搬家", fee_percent=10)
    with pytest.raises(Invalid):
        contracts.decide_refund(student.advisor, refund, approve=True)
    contracts.decide_refund(supervisor(), refund, approve=True, fee_percent=10, today=date(2026, 10, 1))
    assert hours.balance(student) == D("0.0")
    assert contracts.paid(contract) == D("1755.00")
    assert Payment.get(Payment.refund == refund.id).amount == D("-3645.00")
    assert student.__class__.get_by_id(student.id).status == "refunded"
    assert contracts.refundable(contract)["refundable"] == D("0.00")
    from xgapp.audit.models import AuditLog
    from xgapp.contracts.models import Contract

    assert Contract.get_by_id(contract.id).status == "refunded"
    assert AuditLog.select().where(AuditLog.table == "contract", AuditLog.record_id == str(contract.id),
                                   AuditLog.action == "update").exists()
    with pytest.raises(Invalid) as caught:  # a refunded contract takes no more money
        contracts.add_payment(None, contract, "100", "cash")
    assert "amount" in caught.value.errors and contracts.paid(contract) == D("1755.00")


def test_a_partial_refund_lowers_what_is_still_owed_by_the_price_of_the_hours_given_back(app):
    student = make_student()
    contract = make_contract(student, kind=None, hours="20", free_hours="2", unit_price="150", discount="200",
                             payments=[{"amount": "1000", "method": "wechat"}, {"amount": "800", "method": "cash"}])
    assert contract.amount == D("2800.00") and contracts.due(contract) == D("1000.00")
    refund = contracts.request_refund(None, contract, "10", "1400", "transfer", "减少课时")
    contracts.decide_refund(supervisor(), refund, approve=True)
    # 10 of 20 paid hours given back: the family owes for 10 hours (¥1400), has ¥400 in net: ¥1000 still due
    assert contracts.paid(contract) == D("400.00") and contracts.due(contract) == D("1000.00")
    with pytest.raises(Invalid) as caught:
        contracts.add_payment(None, contract, "1000.01", "cash")
    assert "1000.00" in str(caught.value.errors["amount"])
    contracts.add_payment(None, contract, "1000", "cash")
    assert contracts.due(contract) == D("0.00")


def test_what_is_owed_after_a_refund_at_an_odd_price_is_exact_to_the_cent(app):
    student = make_student()
    contract = make_contract(student, hours="3", unit_price="100", discount="0.01",
                             payments=[{"amount": "100", "method": "cash"}])  # ¥299.99 for 3 hours
    refund = contracts.request_refund(None, contract, "1", "99.99", "cash", "少上一次")
    contracts.decide_refund(supervisor(), refund, approve=True)
    # 1 of 3 hours back: ¥100.00 of ¥299.99 cancelled; ¥199.99 owed for the rest, ¥0.01 in net: ¥199.98 due
    assert contracts.due_many([contract]) == {contract.id: D("199.98")}


def test_nobody_decides_their_own_refund_request(app):
    boss = make_user("sup-adv", roles=("supervisor", "advisor"))  # a supervisor who also looks after students
    student = make_student(advisor_user=boss)
    contract = make_contract(student, hours="10", unit_price="100")
    refund = contracts.request_refund(boss, contract, "2", "200", "cash", "家里有事")
    with pytest.raises(Invalid) as caught:
        contracts.decide_refund(boss, refund, approve=True)
    assert "note" in caught.value.errors
    assert Refund.get_by_id(refund.id).status == "pending" and contracts.paid(contract) == D("1000.00")
    principal = make_user("boss2", roles=("principal",))
    contracts.decide_refund(principal, refund, approve=True)
    assert Refund.get_by_id(refund.id).status == "approved"


def test_daily_revenue_by_method_and_advisor(app):
    student = make_student()
    make_contract(student, hours="10", unit_price="100", payments=[{"amount": "600", "method": "wechat"},
                                                                   {"amount": "400", "method": "cash"}],
                  today=date(2026, 9, 1))
    day = contracts.revenue(date(2026, 9, 1))
    assert day["total"] == D("1000.00") and day["by_method"] == {"cash": D("400.00"), "wechat": D("600.00")}
    assert day["by_advisor"] == [(student.advisor_id, D("1000.00"))]
    assert contracts.revenue(date(2026, 9, 2))["total"] == D("0.00")


def test_a_referral_contract_credits_the_referrer_on_their_timeline(app):

    referrer = make_student(name="老带新", mobile="13500000001")
    newcomer = make_student(name="新同学", mobile="13500000002", referrer=referrer)
    with pytest.raises(Invalid):  # a referral names its referrer
        contracts.create(None, newcomer, {"kind": "referral", "subject": "英语", "hours": "10", "unit_price": "100"},
                         [])
    signed = contracts.create(None, newcomer, {"kind": "referral", "subject": "英语", "hours": "10",
                                               "unit_price": "100", "referrer": referrer}, [])
    texts = [text for _, kind, text, _ in timeline.events(referrer) if kind == "referral"]
    assert texts == ["Referred 新同学, who signed %s" % signed.number]


def _paid_in_full_40_hours_at_180():
    student = make_student()
    return student, make_contract(student, hours="40", unit_price="180")  # ¥7200, paid in cash


def test_a_refund_pays_back_only_the_value_of_the_hours_given_back(app):
    student, contract = _paid_in_full_40_hours_at_180()
    with pytest.raises(Invalid) as caught:  # issue 18: "退回 1.0 课时，退款 ¥7,200" was accepted
        contracts.request_refund(student.advisor, contract, "1.0", "7200", "cash", "少上一次")
    assert "180.00" in str(caught.value.errors["amount"])
    assert not Refund.select().exists()
    refund = contracts.request_refund(student.advisor, contract, "1.0", "", "cash", "少上一次")  # empty: the rule
    assert (refund.amount, refund.rule_amount, refund.lowered) == (D("180.00"), D("180.00"), False)
    contracts.decide_refund(supervisor(), refund, approve=True, today=date(2026, 10, 1))
    assert hours.balance(student) == D("39.0")
    assert contracts.paid(contract) == D("7020.00") and contracts.due(contract) == D("0.00")
    assert contracts.revenue(date(2026, 10, 1))["by_method"] == {"cash": D("-180.00")}


def test_the_refund_rule_keeps_the_fee_percent_of_the_hours_given_back(app):
    student, contract = _paid_in_full_40_hours_at_180()
    rule = contracts.refund_rule(contract, D("2"), fee_percent=10)
    assert (rule["paid_hours"], rule["value"], rule["fee"], rule["amount"]) == (
        D("2"), D("360.00"), D("36.00"), D("324.00"))
    with pytest.raises(Invalid) as caught:
        contracts.request_refund(None, contract, "2", "324.01", "cash", "搬家", fee_percent=10)
    assert "324.00" in str(caught.value.errors["amount"])
    assert contracts.request_refund(None, contract, "2", None, "cash", "搬家", fee_percent=10).amount == D("324.00")


def test_free_hours_given_back_pay_nothing(app):
    student = make_student()
    contract = make_contract(student, hours="10", unit_price="100", free_hours="2")
    hours.consume(None, student, "数学", "9")  # 1 paid hour and the 2 free ones are left
    assert contracts.refund_rule(contract, D("3"))["amount"] == D("100.00")
    with pytest.raises(Invalid):
        contracts.request_refund(None, contract, "3", "100.01", "cash", "搬家")


def test_a_lowered_refund_says_so_and_a_supervisor_may_lower_it_but_not_raise_it(app):
    student, contract = _paid_in_full_40_hours_at_180()
    refund = contracts.request_refund(student.advisor, contract, "2", "300", "cash", "家长同意少退")
    assert refund.lowered and refund.rule_amount == D("360.00")
    with pytest.raises(Invalid) as caught:
        contracts.decide_refund(supervisor(), refund, approve=True, amount="360.01")
    assert "amount" in caught.value.errors
    with pytest.raises(Invalid) as caught:  # lowering further needs a note saying why
        contracts.decide_refund(supervisor(), refund, approve=True, amount="250")
    assert "note" in caught.value.errors
    assert Refund.get_by_id(refund.id).status == "pending" and contracts.paid(contract) == D("7200.00")
    contracts.decide_refund(supervisor(), refund, approve=True, amount="250", note="挽单：家长同意")
    refund = Refund.get_by_id(refund.id)
    assert (refund.status, refund.amount, refund.rule_amount, refund.lowered) == (
        "approved", D("250.00"), D("360.00"), True)
    assert contracts.paid(contract) == D("6950.00")


def test_a_supervisor_cannot_raise_a_request_above_the_rule(app):
    student, contract = _paid_in_full_40_hours_at_180()
    refund = contracts.request_refund(student.advisor, contract, "1", "100", "cash", "少上一次")
    with pytest.raises(Invalid) as caught:
        contracts.decide_refund(supervisor(), refund, approve=True, amount="181")
    assert "amount" in caught.value.errors and Refund.get_by_id(refund.id).status == "pending"


def test_the_low_hours_list_reads_the_kept_balances_and_check_finds_a_balance_that_drifted(app):
    low, plenty = make_student(name="少课时"), make_student(name="多课时")
    make_contract(low, hours="10")
    make_contract(plenty, hours="40")
    hours.consume(None, low, "数学", "7")
    assert [r.student_id for r in hours.low_balance_students(D("4"))] == [low.id]
    from xgapp.hours.models import HourBalance

    HourBalance.update(hours=D("1")).where(HourBalance.student == plenty).execute()  # as a bad tool would
    assert hours.facts_problems() == [
        "hour balances differ from the ledger for 1 student subjects (first: student %d 数学)" % plenty.id]


def test_many_consumptions_at_once_take_from_what_is_left_and_are_refused_together(app):
    one, two = make_student(name="甲"), make_student(name="乙")
    first = make_contract(one, hours="2")
    second = make_contract(one, hours="10", kind="renewal")
    make_contract(two, hours="1")
    entries = hours.consume_many(None, [(one, "数学", "1.5", "课1", "lesson:1"), (one, "数学", "1.5", "课2", "lesson:2"),
                                        (two, "数学", "1", "课1", "lesson:1")])
    assert [(e.student_id, e.contract_id, e.hours) for e in entries] == [
        (one.id, first.id, D("-1.5")), (one.id, first.id, D("-0.5")), (one.id, second.id, D("-1.0")),
        (two.id, two.contracts[0].id, D("-1.0"))]
    assert [e.id for e in entries] == sorted(e.id for e in entries)
    assert hours.balances_for([one.id, two.id]) == {one.id: {"数学": D("9.0")}, two.id: {"数学": D("0.0")}}
    assert hours.facts_problems() == []  # kept balances and the run-out day of 乙 agree with the ledger
    with pytest.raises(Invalid):
        hours.consume_many(None, [(one, "数学", "1", "", ""), (two, "数学", "1", "", "")])
    assert hours.balance(one) == D("9.0")  # all or nothing: 甲 was not charged for 乙's missing hour
