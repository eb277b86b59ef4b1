"""English that is English: a campus whose records are all in Latin letters (names, schools, classes, notes), walked
in English by every role through the links each is offered. Any Chinese character left on a page came from the
code or a template, not from a record: a word that was never translated, or a code shown instead of its label."""

import re
from datetime import time, timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from tests.conftest import PASSWORD, campus_today, login, make_user
from tests.factories import make_contract
from xgapp.accounts.models import User

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")
SKIP = re.compile(r"/logout|/static/|\.(pdf|xlsx|zip|csv|png|ico)$|/download|/print|/pdf|/file|/blank|/backup/|"
                  r"[?&](format|download|lang)=")
ROLES = {"boss": ("principal",), "sup": ("supervisor", "advisor"), "adv": ("advisor",), "dir": ("director",),
         "tea": ("teacher",), "desk": ("frontdesk",), "fin": ("finance",)}
LIMIT = 160  # pages per role


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Text(HTMLParser):
    """The text a reader sees (and screen readers hear: alt, title, aria-label, placeholder), without scripts and
    without what is marked as Chinese on purpose (lang="zh-CN": the link to the Chinese pages says 中文) or as data
    never to translate (translate="no")."""

    def __init__(self):
        super().__init__()
        self.parts, self.open = [], []  # open: (tag, hides its text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        hidden = tag in ("script", "style") or (attrs.get("lang") or "").startswith("zh") or \
            attrs.get("translate") == "no"  # a record's stored values as they are (the audit's before/after)
        if tag not in VOID:
            self.open.append((tag, hidden))
        if hidden or any(h for _, h in self.open):
            return
        for name in ("alt", "title", "aria-label", "placeholder"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") == "submit" and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i:]
                break

    def handle_data(self, data):
        if not any(h for _, h in self.open):
            self.parts.append(data)


def visible_text(html):
    parser = Text()
    parser.feed(html)
    return " ".join(parser.parts)


def latin_campus():
    """Staff, students, guardians, a class with a confirmed roll call, a lead: every record typed in Latin letters."""
    from xgapp import campus
    from xgapp.attendance import domain as attendance
    from xgapp.classes import domain as classes
    from xgapp.clock import fixed as clock
    from xgapp.students import domain as students
    from xgapp.timetable import domain as timetable

    campus.setup("North Campus", "T-01", "boss", "Wang Fang", PASSWORD)
    users = {u: make_user(u, roles=r, name="Staff %s" % u.title()) for u, r in ROLES.items() if u != "boss"}
    User.update(locale="en").execute()
    adv = users["adv"]
    room = classes.save_classroom(None, "Room A", 20)
    start = campus_today() - timedelta(days=14)
    klass = classes.create(None, {"name": "Maths Grade 8 A", "subject": "数学", "grade": "初二", "kind": "group",
                                  "teacher": users["tea"], "advisor": adv, "classroom": room, "capacity": "15",
                                  "planned_lessons": "16", "lesson_hours": "2", "start_on": start})
    kids = []
    for n, (name, parent) in enumerate((("Li Ming", "Li Hua"), ("Zhang Wei", "Zhang Min"), ("Chen Jing", "Chen Tao"))):
        kid = students.create(None, {"name": name, "school": "No. 2 Primary School", "grade": "初二",
                                     "source": "hotline", "advisor": adv, "notes": "Likes maths"},
                              [{"name": parent, "relation": "母亲", "mobile": "1390000000%d" % n, "can_pickup": True}])
        make_contract(kid, hours="40", unit_price="150", today=start, payments=[
            {"amount": "6000", "method": "card", "receipt_no": "R-%d" % n}])
        classes.enrol(None, klass, kid, start)
        kids.append(kid)
    lessons = timetable.schedule(None, klass, [start.weekday()], time(9), time(11), start, 4)
    with clock(lessons[0].starts_at + timedelta(minutes=30)):
        attendance.confirm(None, lessons[0], {kids[0].id: "present", kids[1].id: "late", kids[2].id: "absent"},
                           today=lessons[0].day)
    return users


def walk(client, limit):
    """[(path, text)] of the pages reached from home by following links, breadth first."""
    seen, queue, pages = set(), ["/"], []
    while queue and len(pages) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        pages.append((path, visible_text(html)))
        for href in re.findall(r'href="([^"#]+)', html):
            target = urlsplit(urljoin("http://localhost" + path, href.replace("&amp;", "&")))
            local = target.path + ("?" + target.query if target.query else "")
            if target.netloc == "localhost" and not SKIP.search(local) and local not in seen:
                queue.append(local)
    return pages


@pytest.mark.parametrize("username", sorted(ROLES))
def test_every_page_a_role_reaches_in_english_has_no_chinese_outside_records(fresh_app, username):
    with fresh_app.app_context():
        latin_campus()
    client = fresh_app.test_client()
    assert login(client, username).status_code == 303
    pages = walk(client, LIMIT)
    assert len(pages) >= 5
    found = {}  # each Chinese word → (the first pages it is on, the text around it the first time)
    for path, text in pages:
        for match in CJK.finditer(text):
            pages_of, _ = found.setdefault(match.group(), ([], re.sub(r"\s+", " ", text[max(0, match.start() - 50):
                                                                                           match.end() + 30])))
            if len(pages_of) < 3 and path not in pages_of:
                pages_of.append(path)
    assert found == {}
