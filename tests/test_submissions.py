"""A form sent twice (a double tap, a Wi-Fi retry) is saved once; a receipt number is used once per campus."""

import threading
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

from tests.conftest import earlier_today, login
from tests.factories import advisor, make_contract, make_student
from xgapp.contracts import domain as contracts
from xgapp.contracts.models import Contract, Payment
from xgapp.followups.models import FollowUp
from xgapp.clock import today as campus_today
from xgapp.submissions import FIELD, FormSubmission


class _Forms(HTMLParser):
    """The hidden fields of every <form> on a page, by its action."""

    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {"action": attrs.get("action", ""), "hidden": {}}
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attrs.get("type") == "hidden":
            self._current["hidden"][attrs.get("name")] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def hidden_fields(client, url, action=None):
    """The hidden fields (CSRF token, submission key …) of the form on `url` that posts to `action`."""
    parser = _Forms()
    parser.feed(client.get(url).get_data(as_text=True))
    action = action or url
    found = [f["hidden"] for f in parser.forms if (f["action"] or url).split("?")[0] == action.split("?")[0]]
    assert found, "no form posting to %s on %s" % (action, url)
    return found[0]


def _contract_form(fields, **kw):
    data = dict(fields, kind="new", subject="数学", hours="40", free_hours="0", unit_price="180", discount="0",
                **{"payments-0-amount": "7200", "payments-0-method": "cash", "payments-0-receipt_no": "SJ-0001"})
    data.update(kw)
    return data


def test_every_form_on_a_page_carries_its_own_submission_key(app, client):
    student = make_student(advisor_user=advisor("adv1"))
    contract = make_contract(student, hours="10", unit_price="100", payments=[])
    login(client, "adv1")
    parser = _Forms()
    parser.feed(client.get("/contracts/%d" % contract.id).get_data(as_text=True))
    keys = [f["hidden"].get(FIELD) for f in parser.forms if f["action"].startswith("/contracts/")]  # pay, refund
    assert len(keys) >= 2 and all(keys) and len(set(keys)) == len(keys)


def test_a_contract_posted_twice_is_signed_once_and_both_posts_land_on_the_same_page(app, client):
    student = make_student(advisor_user=advisor("adv1"))
    login(client, "adv1")
    url = "/contracts/new/%d" % student.id
    data = _contract_form(hidden_fields(client, url))
    first, second = client.post(url, data=data), client.post(url, data=data)
    assert (first.status_code, second.status_code) == (303, 303)
    assert second.headers["Location"] == first.headers["Location"] == "/students/%d" % student.id
    assert Contract.select().count() == 1 and Payment.select().count() == 1
    assert contracts.revenue(campus_today())["total"] == Decimal("7200.00")
    assert "只保存了一次" in client.get(second.headers["Location"]).get_data(as_text=True)


def test_two_identical_posts_at_the_same_moment_sign_one_contract(app):
    student = make_student(advisor_user=advisor("adv1"))
    tablets = [app.test_client(), app.test_client()]  # one browser's two connections: the same session
    login(tablets[0], "adv1")
    url = "/contracts/new/%d" % student.id
    data = _contract_form(hidden_fields(tablets[0], url))
    tablets[1].set_cookie("xgapp_session", tablets[0].get_cookie("xgapp_session").value)
    answers, start = [], threading.Barrier(2)

    def send(tablet):
        start.wait()
        answers.append(tablet.post(url, data=data).status_code)

    threads = [threading.Thread(target=send, args=(t,)) for t in tablets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [303, 303]
    assert Contract.select().count() == 1 and Payment.select().count() == 1


def test_a_form_sent_back_with_errors_can_be_corrected_and_sent_with_the_same_key(app, client):
    student = make_student(advisor_user=advisor("adv1"))
    login(client, "adv1")
    url = "/contracts/new/%d" % student.id
    fields = hidden_fields(client, url)
    assert client.post(url, data=_contract_form(fields, hours="")).status_code == 422  # nothing saved, key unused
    assert FormSubmission.select().count() == 0
    assert client.post(url, data=_contract_form(fields)).status_code == 303
    assert Contract.select().count() == 1


def test_a_payment_posted_twice_is_recorded_once(app, client):
    student = make_student(advisor_user=advisor("adv1"))
    contract = make_contract(student, hours="10", unit_price="100", payments=[])
    login(client, "adv1")
    action = "/contracts/%d/payments" % contract.id
    data = dict(hidden_fields(client, "/contracts/%d" % contract.id, action), amount="500", method="wechat",
                receipt_no="F1")
    first, second = client.post(action, data=data), client.post(action, data=data)
    assert (first.status_code, second.status_code) == (303, 303)
    assert second.headers["Location"] == first.headers["Location"]
    assert [p.amount for p in Payment.select()] == [Decimal("500.00")]
    assert contracts.due(contract) == Decimal("500.00")


def test_a_receipt_number_is_used_once_per_campus(app, client):
    student = make_student(advisor_user=advisor("adv1"))
    signed = make_contract(student, hours="10", unit_price="100",
                           payments=[{"amount": "1000", "method": "cash", "receipt_no": "SJ-0001"}])
    other = make_contract(make_student(name="李四", advisor_user=advisor("adv1")), hours="10", unit_price="100",
                          payments=[])
    login(client, "adv1")
    action = "/contracts/%d/payments" % other.id
    data = dict(hidden_fields(client, "/contracts/%d" % other.id, action), amount="500", method="cash",
                receipt_no=" SJ-0001 ")
    refused = client.post(action, data=data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="err-receipt_no"' in html
    assert "收据号 SJ-0001 已登记在合同 %s 上" % signed.number in html
    assert Payment.select().where(Payment.contract == other).count() == 0
    url = "/contracts/new/%d" % student.id  # two split payments of a new contract with one receipt
    fresh = make_student(name="王五", advisor_user=advisor("adv1"))
    url = "/contracts/new/%d" % fresh.id
    twice = client.post(url, data=_contract_form(
        hidden_fields(client, url), **{"payments-0-amount": "3600", "payments-0-receipt_no": "SJ-0002",
                                       "payments-1-amount": "3600", "payments-1-method": "wechat",
                                       "payments-1-receipt_no": "SJ-0002"}))
    assert twice.status_code == 422 and 'id="err-payments-1-receipt_no"' in twice.get_data(as_text=True)
    assert "收据号 SJ-0002 填了两次" in twice.get_data(as_text=True)
    assert not Contract.select().where(Contract.student == fresh).exists()


def test_a_follow_up_posted_twice_is_logged_once(app, client):
    kid = make_student(advisor_user=advisor("adv1"))
    login(client, "adv1")
    now = earlier_today(2)
    data = dict(hidden_fields(client, "/followups/new?student=%d" % kid.id, "/followups/new"),
                student=str(kid.id), kind="routine", channel="phone", whom="parent", day=now.strftime("%Y-%m-%d"),
                time=now.strftime("%H:%M"), purpose="了解作业情况", content="妈妈说作业按时完成", result="",
                next_step="下周问月考成绩", next_on=(now.date() + timedelta(days=7)).isoformat())
    first, second = client.post("/followups/new", data=data), client.post("/followups/new", data=data)
    assert (first.status_code, second.status_code) == (303, 303)
    assert second.headers["Location"] == first.headers["Location"]
    assert FollowUp.select().count() == 1


def test_a_counter_tap_retried_by_htmx_counts_once_and_reloads_the_page(app, client):
    me = advisor("adv1")
    login(client, "adv1")
    day = campus_today().isoformat()
    page = "/numbers/advisor/%d?day=%s" % (me.id, day)
    data = dict(hidden_fields(client, page, "/numbers/tap"), advisor=str(me.id), day=day, kind="hotline", delta="1")
    first = client.post("/numbers/tap", data=data, headers={"HX-Request": "true"})
    again = client.post("/numbers/tap", data=data, headers={"HX-Request": "true"})
    assert first.status_code == 200 and again.headers.get("HX-Refresh") == "true"
    from xgapp.numbers import manual

    assert manual.counts(campus_today(), me)[me.id]["hotline"] == 1


def test_a_form_from_before_submission_keys_still_works(app, client):
    from tests.conftest import csrf_from

    student = make_student(advisor_user=advisor("adv1"))
    login(client, "adv1")
    url = "/contracts/new/%d" % student.id
    token = csrf_from(client.get(url).get_data(as_text=True))
    assert client.post(url, data=_contract_form({"csrf_token": token})).status_code == 303  # an old tab: no key
    assert Contract.select().count() == 1 and FormSubmission.select().count() == 0


def test_keys_older_than_a_month_are_forgotten_by_the_daily_jobs(app, client):
    from datetime import datetime, timezone

    from xgapp.scheduler import run_jobs
    from xgapp.submissions import KEEP_DAYS

    now = datetime.now(timezone.utc)
    old = FormSubmission.create(key="a" * 32, path="/x", at=now - timedelta(days=KEEP_DAYS + 1))
    recent = FormSubmission.create(key="b" * 32, path="/x", at=now - timedelta(days=KEEP_DAYS - 1))
    run_jobs(app)
    assert [k.id for k in FormSubmission.select()] == [recent.id] and old.id != recent.id
