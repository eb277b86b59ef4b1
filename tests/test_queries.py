"""Pages that list many rows run a fixed number of queries, whatever the number of rows (no N+1)."""

import contextlib
import logging

from xgapp.hours import domain as hours
from xgapp.leads import domain as leads
from tests.conftest import login, make_user
from tests.factories import advisor, make_contract, make_student


@contextlib.contextmanager
def count_queries():
    """Count SQL statements peewee runs inside the block."""
    seen = []

    class Counter(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    logger = logging.getLogger("peewee")
    handler, level = Counter(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


DRAW = {"Cache-Control": "no-cache"}  # drawn from the database, never sent from the page cache (xgapp/pagecache.py)


def _queries(client, url):
    """Statements of drawing `url` once the session is as a browser holds it (with its CSRF token, which the first
    page after a login makes)."""
    assert client.get(url, headers=DRAW).status_code == 200
    with count_queries() as seen:
        assert client.get(url, headers=DRAW).status_code == 200
    return len(seen)


def test_ledger_page_queries_do_not_grow_with_rows(app, client):
    student = make_student(advisor_user=advisor("adv1"))
    make_contract(student, hours="60")
    login(client)
    hours.consume(None, student, "数学", "1")
    few = _queries(client, "/hours/%d" % student.id)
    for _ in range(15):
        hours.consume(None, student, "数学", "1")
    assert _queries(client, "/hours/%d" % student.id) == few


def test_student_file_and_lists_do_not_grow_with_rows(app, client):
    adv = advisor("adv1")
    first = make_student(name="甲", mobile="13700000001", advisor_user=adv)
    make_contract(first)
    leads.record_inquiry(adv, adv, "hotline", {}, {"mobile": "13700000001"}, attach_to=first)
    login(client)
    counts = [_queries(client, url) for url in ("/students/", "/leads/", "/students/%d" % first.id)]
    for n in range(2, 12):
        s = make_student(name="学生%d" % n, mobile="137000000%02d" % n, advisor_user=adv)
        make_contract(s)
        leads.record_inquiry(adv, adv, "hotline", {}, {"mobile": "137000000%02d" % n}, attach_to=s)
        make_contract(first, kind="renewal") if n < 5 else None
    assert [_queries(client, url) for url in ("/students/", "/leads/")] == counts[:2]
    assert _queries(client, "/students/%d" % first.id) == counts[2]


def test_refund_approvals_lead_page_and_contract_export_do_not_grow_with_rows(app, client):
    from xgapp.contracts import domain as contracts
    from xgapp.leads.models import Lead

    adv = advisor("adv1")
    login(client)  # the principal: approves refunds and exports contracts

    def add(n):
        s = make_student(name="退%d" % n, mobile="1390000%04d" % n, advisor_user=adv)
        c = make_contract(s, hours="10")
        contracts.request_refund(adv, c, "1", "10", "cash", "搬家")
        lead = leads.record_inquiry(adv, adv, "hotline", {}, {"mobile": "1390000%04d" % n}, attach_to=s)
        leads.contact(adv, lead, "打过电话 %d" % n)

    add(1)
    lead = Lead.select().get()
    urls = ("/contracts/refunds", "/leads/%d" % lead.id, "/contracts/export.xlsx")
    counts = [_queries(client, url) for url in urls]
    for n in range(2, 8):
        add(n)
        leads.contact(adv, lead, "又打了一次 %d" % n)
    assert [_queries(client, url) for url in urls[1:]] == counts[1:]
    # each pending refund needs its own refundable figures, and nothing more per row
    some_contract = lead.student.contracts.get()
    with count_queries() as figures:
        contracts.refundable(some_contract)
    assert _queries(client, urls[0]) == counts[0] + 6 * len(figures)


def test_roll_call_timetable_and_class_pages_do_not_grow_with_students(app, client):
    from datetime import time

    from xgapp.classes import domain as classes
    from xgapp.timetable import domain as timetable
    from tests.conftest import campus_today
    from tests.factories import make_class

    klass = make_class()
    today = campus_today()
    [lesson] = timetable.schedule(None, klass, [today.weekday()], time(9), time(11), today, 1)

    def add(n):
        s = make_student(name="点名%d" % n, mobile="1370001%04d" % n, advisor_user=klass.advisor)
        make_contract(s, hours="10")
        classes.enrol(None, klass, s, today)

    add(1)
    login(client)
    urls = ("/attendance/lesson/%d" % lesson.id, "/timetable/", "/classes/%d" % klass.id, "/classes/", "/")
    counts = [_queries(client, url) for url in urls]
    for n in range(2, 10):
        add(n)
    assert [_queries(client, url) for url in urls] == counts


def test_study_room_pages_do_not_grow_with_visitors(app, client):
    from tests.factories import advisor, teacher
    from xgapp.selfstudy import domain, questions

    desk = make_user("desk", roles=("frontdesk",))
    maths = teacher("tq")

    def visit(n):
        kid = make_student(name="自习%d" % n, mobile="1370002%04d" % n, advisor_user=advisor("adv%d" % (n % 3)))
        done = domain.sign_in(desk, kid)
        questions.record(desk, kid, {"subject": "数学", "question": "题%d" % n, "status": "handed",
                                     "handed_to": maths.id})
        if n % 2:
            domain.sign_out(desk, done, {"kind": "guardian", "guardian": kid.guardians.get().id})

    visit(1)
    visit(2)
    login(client)
    urls = ("/selfstudy/", "/selfstudy/board", "/selfstudy/kiosk", "/selfstudy/kiosk/room",
            "/selfstudy/kiosk/search?q=zx", "/selfstudy/questions", "/selfstudy/report", "/")
    counts = [_queries(client, url) for url in urls]
    for n in range(3, 12):
        visit(n)
    assert [_queries(client, url) for url in urls] == counts
