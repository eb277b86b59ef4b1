"""Fuzz every form and every page: bad values in every field (all at once and one at a time) and bad query strings
must never give a 500 — a 4xx (422 beside the field, 400/404 for a bad URL) or a normal answer is fine.

The forms' fields are found by GETting every page and reading its <form>s and hx-post elements, plus the names a
view reads from request.form in its code; junk files go into every file input. Every POST route is fuzzed, as the
principal and, for a route the principal may not use, as the first other role that may. Every failing
(route, field, value) is reported at once.
"""

import inspect
import io
import re
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo
from html.parser import HTMLParser
from urllib.parse import quote

from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter

from tests.conftest import campus_today, csrf_from, earlier_today, login, make_user
from tests.factories import advisor, make_class, make_contract, make_student, teacher

CAMPUS = ZoneInfo("Asia/Shanghai")
HUGE = "张" * 20_000  # 60,000 bytes
BAD = ["", HUGE, "\x00", "a\x1bb", "'; DROP TABLE student; --", "<script>alert(1)</script>", "-1", "1e309",
       "99999999999999999999", "abc", "2026-02-30", "9999-12-31", "0000-00-00", "明天", "999999", "1.5", "nan"]
HX_BAD = ["", HUGE, "-1", "abc", "2026-02-30", "999999"]
PER_FIELD = 4  # values tried one field at a time (rotating through BAD so every value meets many fields)
BAD_QUERIES = ["date=9999-99-99", "page=-1", "q=" + HUGE, "class=abc", "id=1e309",
               "date=9999-99-99&page=-1&class=abc&id=1e309&month=2026-13&week=abc&day=0000-00-00&student=abc"]
# Never fuzzed while logged in: they end or replace the session (fuzzed with a fresh client instead).
SESSION = {"auth.logout", "auth.login", "auth.login_pin", "auth.setup"}


class Forms(HTMLParser):
    """Collect {action: {field: first value}} from the <form method=post> and hx-post elements of a page (a form
    without an action posts to the page itself), the file inputs, and the links (href, hx-get) to follow."""

    def __init__(self, here):
        super().__init__()
        self.here = here
        self.found, self.files, self.links = {}, set(), set()
        self.stack = []  # actions of the open <form>s

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for link in (a.get("href"), a.get("hx-get")):
            if link and link.startswith("/"):
                self.links.add(link.split("#")[0])
        if tag == "form":
            post = (a.get("method") or "").lower() == "post"
            action = a.get("hx-post") if a.get("hx-post") is not None else (a.get("action") if post else None)
            if action == "" or (post and action is None):
                action = self.here
            self.stack.append(action)
            if action:
                self.found.setdefault(action, {})
        elif a.get("hx-post"):
            fields = self.found.setdefault(a["hx-post"], {})
            if a.get("name"):
                fields.setdefault(a["name"], a.get("value") or "")
        if tag in ("input", "select", "textarea", "button") and a.get("name") and self.stack and self.stack[-1]:
            fields = self.found[self.stack[-1]]
            if a.get("type") == "file":
                self.files.add((self.stack[-1], a["name"]))
            if a["name"] != "csrf_token" and (a.get("type") not in ("checkbox", "radio") or "checked" in a):
                fields.setdefault(a["name"], a.get("value") or "")
            elif a.get("type") in ("checkbox", "radio"):
                fields.setdefault(a["name"], "")
        if tag == "option" and self.stack and self.stack[-1] and a.get("value"):
            fields = self.found[self.stack[-1]]
            last = list(fields)[-1] if fields else None
            if last is not None and fields[last] == "":
                fields[last] = a["value"]

    def handle_endtag(self, tag):
        if tag == "form" and self.stack:
            self.stack.pop()


def _source_fields(view):
    """The field names a view (and the module-level helpers it names) reads from request.form."""
    try:
        source = inspect.getsource(inspect.getmodule(view))
    except (OSError, TypeError):
        return set()
    body = inspect.getsource(view)
    names = set(re.findall(r"""(?:request\.form|source)(?:\.get|\.getlist)?[\[(]\s*["']([\w\-]+)["']""", body))
    for helper in re.findall(r"\b(_\w+)\(", body):  # private helpers of the same module the view calls
        match = re.search(r"^def %s\(.*?(?=^def |\Z)" % re.escape(helper), source, re.S | re.M)
        if match:
            names |= set(re.findall(r"""(?:request\.form|source)(?:\.get|\.getlist)?[\[(]\s*["']([\w\-]+)["']""",
                                    match.group(0)))
    return names


def _build_campus():
    """One of each kind of record the forms point at: staff, a student with a contract and hours, a class with
    lessons and an enrolment, a lead, a follow-up, a self-study visit."""
    from xgapp.classes import domain as classes
    from xgapp.followups import domain as followups
    from xgapp.leads import domain as leads
    from xgapp.meetings import briefings, parents
    from xgapp.scores import domain as scores
    from xgapp.selfstudy import questions
    from xgapp.selfstudy import domain as selfstudy
    from xgapp.timetable import domain as timetable

    adv = advisor("adv1")
    teacher("t1")
    victim = make_user("victim", roles=("teacher",), name="被改的老师")
    desk = make_user("desk", roles=("frontdesk",), name="前台小李")
    kid = make_student(name="张小明", advisor_user=adv)
    make_contract(kid, hours="40")
    klass = make_class(advisor_user=adv)
    first = campus_today() - timedelta(days=7)
    timetable.schedule(None, klass, [first.weekday()], time(9), time(10, 30), first, 4)
    classes.enrol(None, klass, kid, first)
    leads.record_inquiry(adv, adv, "hotline", {"name": "赵小六", "school": "育英学校"},
                         {"name": "赵妈妈", "relation": "母亲", "mobile": "13611112222"}, subject="数学")
    followups.log(adv, kid, {"kind": "routine", "channel": "phone", "whom": "parent", "at": earlier_today(5),
                             "purpose": "了解近期作业情况", "content": "作业完成得不错",
                             "result": "下周多练"})
    from xgapp.complaints import domain as complaints

    complaints.receive(adv, {"student": kid, "complainant": "张小明妈妈", "complainant_kind": "guardian",
                             "about": "service", "about_user": None, "channel": "phone", "content": "电话没人接",
                             "severity": "normal", "received_at": earlier_today(30), "owner": None})
    selfstudy.sign_in(desk, kid)
    questions.record(desk, kid, {"subject": "数学", "question": "二次函数的顶点怎么求", "status": "handed",
                                 "handed_to": teacher("t1").id})
    soon = datetime.combine(campus_today() + timedelta(days=3), time(19), tzinfo=CAMPUS).astimezone(timezone.utc)
    parents.schedule(None, klass, None, soon, "301 教室")
    held = datetime.now(timezone.utc) - timedelta(hours=1)  # a meeting already held: its minutes make a plan
    meeting = parents.schedule(None, klass, None, held, "301 教室", now=held - timedelta(days=2))
    came = {row["key"]: "yes" for row in parents.expected(meeting)}
    parents.record(adv, meeting, {"teacher_report": "函数掌握较好", "advisor_report": "作业按时完成",
                                  "parent_questions": "寒假怎么安排", "problems": "几何证明不规范",
                                  "solutions": "每周专项练习", "parents_to_do": "督促练习"}, came)
    scores.create(None, klass, "十一月月测", campus_today(), "100")
    later = make_class(name="高一物理班", advisor_user=adv, start_on=campus_today() + timedelta(days=14))
    timetable.schedule(None, later, [(campus_today() + timedelta(days=14)).weekday()], time(14), time(15, 30),
                       campus_today() + timedelta(days=14), 2)
    briefings.schedule(None, later, soon, "302 教室")
    from flask import current_app
    from xgapp import backup

    where = current_app.config["XGAPP_PATHS"]
    backup.daily_backup(where.database, where.backups, campus_today())
    # {arg: id} for every URL; "blueprint.arg" for one blueprint (the briefing is on the second class)
    return {"user_id": victim.id, "advisor_id": adv.id, "meetings.class_id": later.id}


def _url(rule, ids):
    values = {}
    for arg in rule.arguments:
        if isinstance(rule._converters[arg], IntegerConverter):
            values[arg] = ids.get(rule.endpoint.split(".")[0] + "." + arg, ids.get(arg, 1))
        else:
            values[arg] = "zh_CN"
    return rule.build(values)[1]


def _crawl(app, client, ids, limit=400, pages=None):
    """GET every page, then the pages they link to (e.g. /followups/new?student=1); return
    {endpoint: (url, {field: value}, {file fields})} for the POST forms found on them."""
    adapter = app.url_map.bind("localhost")
    queue = [_url(rule, ids) for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and rule.endpoint not in SESSION | {"static"}]
    seen, found = set(queue), {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url.split("?")[0].endswith((".pdf", ".xlsx")):
            continue
        response = client.get(url)
        response.close()  # a download (a backup file) is streamed from an open file
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        if pages is not None:
            pages.append(url)
        parser = Forms(url)
        parser.feed(response.get_data(as_text=True))
        for action, fields in parser.found.items():
            try:
                endpoint, _ = adapter.match(action.split("?")[0], method="POST")
            except Exception:
                continue
            if endpoint in SESSION:
                continue
            _, merged, files = found.setdefault(endpoint, (action, {}, set()))
            for name, value in fields.items():
                merged.setdefault(name, value)
            files |= {name for where, name in parser.files if where == action}
        for link in sorted(parser.links - seen):
            try:
                endpoint, _ = adapter.match(link.split("?")[0], method="GET")
            except Exception:
                continue
            if endpoint not in SESSION | {"static"}:
                seen.add(link)
                queue.append(link)
    return found


# Plausible values for the fields a form leaves empty, so that one bad field at a time gets past "required" and
# reaches the deeper checks (dates in range, clashes, balances).
GOOD = [(r"(^|_|-)(on|day|first_day|start_on|until|effective|birthday|next_contact|next_on|left_day|date)$",
         lambda today: today.isoformat()),
        (r"(^|_|-)(time|start|end|left_time|opening_time|closing_time|study_closing_time)$", lambda today: "19:00"),
        (r"month$", lambda today: today.strftime("%Y-%m")),
        (r"mobile|phone", lambda today: "13912345678"),
        (r"(^|_|-)(hours|count|capacity|seats|planned_lessons|lesson_hours|full_score|delta|max_mb|first|last)$",
         lambda today: "2"),
        (r"amount|unit_price|discount|free_hours", lambda today: "100"),
        (r"(^|_|-)(advisor|teacher|student|trial_student|handed_to|leave_student|enrolment|to_klass)$",
         lambda today: "1"),
        (r"reason|note|name|content|question|answer|purpose|result|place|summary|plan|subject|school|grade",
         lambda today: "测试"),
        ]


def _plausible(fields, today):
    filled = {}
    for name, value in fields.items():
        if value == "" and name != "submission_key":
            for pattern, make in GOOD:
                if re.search(pattern, name):
                    value = make(today)
                    break
        filled[name] = value
    return filled


JUNK_FILES = [b"", b"\x00" * 64, b"PK\x03\x04 not really a zip", b"<svg onload=alert(1)>",
              b"\x89PNG\r\n\x1a\n" + b"x" * 50]
JUNK_NAMES = ["x.sqlite3", "x.xlsx", "x.png", "../../etc/passwd", "名字\x00.csv"]


class Fuzzer:
    """One logged-in browser that posts bad values and collects every (route, field, value) answered with a 500."""

    def __init__(self, app, username):
        self.app, self.username = app, username
        self.client = app.test_client()
        self.failures = []
        self.requests = 0
        self.token = None
        self.login()

    def login(self):
        response = login(self.client, self.username)
        assert response.status_code == 303, "cannot log in as %s" % self.username
        self.token = csrf_from(self.client.get("/accounts/me").get_data(as_text=True))

    def post(self, url, endpoint, field, value, data, htmx=False):
        self.requests += 1
        shown = value if len(str(value)) < 40 else "<%d chars>" % len(value)
        body = MultiDict([("csrf_token", self.token)] + data)
        headers = {"HX-Request": "true", "HX-Current-URL": "http://localhost" + url} if htmx else {}
        if htmx:
            shown = "%s (htmx)" % shown
        try:
            response = self.client.post(url, data=body, headers=headers)
        except Exception as exc:  # TESTING propagates the exception a user would see as a 500
            self.failures.append((endpoint, field, shown, "%s: %s" % (type(exc).__name__, str(exc)[:120])))
            return 500
        if response.status_code >= 500:
            self.failures.append((endpoint, field, shown, "HTTP %d" % response.status_code))
        return response.status_code

    def fuzz(self, endpoint, url, fields, files=()):
        """POST the bad values into every field at once and one field at a time; return the set of statuses."""
        names = sorted(fields)
        base = [(k, v) for k, v in fields.items() if k not in files]
        statuses = set()
        if not names:
            statuses.add(self.post(url, endpoint, "-", "(no fields)", []))
            statuses.add(self.post(url, endpoint, "id", "abc", [("id", "abc")]))
            statuses.add(self.post(url, endpoint, "id", "[1,2]", [("id", "1"), ("id", "2")]))
        else:
            for value in BAD:  # every field at once
                statuses.add(self.post(url, endpoint, "*", value, [(k, value) for k in names]))
            statuses.add(self.post(url, endpoint, "*", "(repeated)", base * 2 + [(k, "abc") for k in names]))
            statuses.add(self.post(url, endpoint, "*", "(all missing)", []))
            for value in HX_BAD:  # the same from an htmx request, which some views answer with a fragment
                statuses.add(self.post(url, endpoint, "*", value, [(k, value) for k in names], htmx=True))
            statuses.add(self.post(url, endpoint, "*", "(all missing)", [], htmx=True))
            for i, name in enumerate(names):  # one field at a time, the others keep the form's own values
                others = [(k, v) for k, v in base if k != name]
                for j in range(PER_FIELD):
                    value = BAD[(i * PER_FIELD + j) % len(BAD)]
                    statuses.add(self.post(url, endpoint, name, value, others + [(name, value)]))
                statuses.add(self.post(url, endpoint, name, "(missing)", others))
                statuses.add(self.post(url, endpoint, name, "(repeated)", others + [(name, "1"), (name, "abc")]))
        for name in sorted(files):  # junk files under odd names in every file input
            others = [(k, v) for k, v in base if k != name]
            for content, filename in zip(JUNK_FILES, JUNK_NAMES):
                statuses.add(self.post(url, endpoint, name, "file %r %r" % (filename, content[:12]),
                                       others + [(name, (io.BytesIO(content), filename))]))
        if self.client.get("/accounts/me").status_code != 200:  # a form ended the session (e.g. the kiosk mode)
            self.client = self.app.test_client()
            self.login()
        return statuses


def _post_rules(app):
    """Every POST route but the ones that end the session; the kiosk mode (which locks the browser) last."""
    return sorted((r for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint not in SESSION),
                  key=lambda r: (r.endpoint == "selfstudy.kiosk_start", r.rule))


def _import_preview(fuzzer):
    """The roster import's confirmation form only exists once a file is uploaded: upload the template."""
    template = fuzzer.client.get("/students/import/template.xlsx").data
    preview = fuzzer.client.post("/students/import", data={"csrf_token": fuzzer.token,
                                                            "file": (io.BytesIO(template), "花名册.xlsx")})
    parser = Forms("/students/import")
    parser.feed(preview.get_data(as_text=True))
    fields = parser.found.get("/students/import/confirm")
    assert fields and "token" in fields, "no import preview"
    return {"students.import_confirm": ("/students/import/confirm", fields, set())}


# POST routes whose record this small campus lacks (a failed export delivery): only their 404 is
# fuzzed. Keep this list short: a route that silently stops being reached would hide its 500s.
NO_RECORD = {"export.resend"}
ROLES = ["advisor", "frontdesk", "teacher", "supervisor", "finance", "director"]


def test_every_form_with_bad_values_never_gives_a_500(app):
    with app.app_context():
        ids = _build_campus()
        for role in ROLES:
            make_user("fuzz-" + role, roles=(role,))
    crawls = {}

    def crawl(fuzzer):
        if fuzzer.username not in crawls:
            crawls[fuzzer.username] = _crawl(app, fuzzer.client, ids)
        return crawls[fuzzer.username]

    fuzzers = [Fuzzer(app, "boss")] + [Fuzzer(app, "fuzz-" + role) for role in ROLES]
    crawl(fuzzers[0]).update(_import_preview(fuzzers[0]))
    fields_seen, routes, unreached = 0, _post_rules(app), set()
    for rule in routes:
        view_fields = _source_fields(app.view_functions[rule.endpoint])
        for fuzzer in fuzzers:  # as the principal; a route the principal may not use, as the first role that may
            url, fields, files = crawl(fuzzer).get(rule.endpoint, (_url(rule, ids), {}, set()))
            fields = dict(fields)
            for name in view_fields:
                fields.setdefault(name, "")
            fields = _plausible(fields, campus_today())
            statuses = fuzzer.fuzz(rule.endpoint, url, fields, files)
            if statuses != {403}:
                fields_seen += len(fields)
                break
        else:
            fields_seen += len(fields)
        if statuses <= {403, 404}:
            unreached.add(rule.endpoint)
    failures = [f for fuzzer in fuzzers for f in fuzzer.failures]
    total = sum(fuzzer.requests for fuzzer in fuzzers)
    print("fuzzed %d POST routes, %d fields, %d requests" % (len(routes), fields_seen, total))
    assert not failures, "%d of %d requests gave a 500:\n%s" % (
        len(failures), total, "\n".join("%s  %s = %r  (%s)" % f for f in sorted(set(failures))))
    assert unreached == NO_RECORD, "routes no role could reach (only 403/404): %s" % sorted(unreached)


class Anonymous(Fuzzer):
    """A browser that is not logged in, for the login, PIN and setup forms."""

    def __init__(self, app, page):
        self.page = page
        super().__init__(app, None)

    def login(self):
        self.token = csrf_from(self.client.get(self.page).get_data(as_text=True))


def _fuzz_anonymous(app, page, endpoints):
    fuzzer = Anonymous(app, page)
    html = fuzzer.client.get(page).get_data(as_text=True)
    parser = Forms(page)
    parser.feed(html)
    adapter = app.url_map.bind("localhost")
    done = set()
    for action, fields in parser.found.items():
        endpoint, _ = adapter.match(action.split("?")[0], method="POST")
        if endpoint in endpoints:
            fuzzer.fuzz(endpoint, action, fields)
            fuzzer.client = app.test_client()  # a fresh browser per form: no lock-out carried over
            fuzzer.login()
            done.add(endpoint)
    assert done == endpoints, "forms not found on %s: %s" % (page, endpoints - done)
    return fuzzer


def _report(fuzzers):
    failures = [f for fuzzer in fuzzers for f in fuzzer.failures]
    assert not failures, "%d requests gave a 500:\n%s" % (
        len(failures), "\n".join("%s  %s = %r  (%s)" % f for f in sorted(set(failures))))


def test_the_login_pin_and_logout_forms_with_bad_values_never_give_a_500(app):
    fuzzers = [_fuzz_anonymous(app, "/login", {"auth.login", "auth.login_pin"})]
    fuzzers.append(Fuzzer(app, "boss"))
    fuzzers[-1].fuzz("auth.logout", "/logout", {"next": "/"})
    _report(fuzzers)


def test_the_setup_form_with_bad_values_never_gives_a_500(fresh_app):
    _report([_fuzz_anonymous(fresh_app, "/setup", {"auth.setup"})])


ARG_BAD = ["9999-99-99", "-1", "1e309", "abc", "99999999999999999999", "2026-02-30", "\x00", HUGE]


def _query_args(view):
    """The query-string names a view (and the private helpers it calls) reads."""
    try:
        module, body = inspect.getsource(inspect.getmodule(view)), inspect.getsource(view)
    except (OSError, TypeError):
        return set()
    pattern = r"""(?:request\.args|source|\bargs|\bquery)(?:\.get|\.getlist)?[\[(]\s*["']([\w\-]+)["']"""
    names = set(re.findall(pattern, body))
    for helper in set(re.findall(r"\b(\w+)\(", body)):  # the helpers of the same module it calls
        match = re.search(r"^def %s\(.*?(?=^def |^@|\Z)" % re.escape(helper), module, re.S | re.M)
        if match:
            names |= set(re.findall(pattern, match.group(0)))
    return names


# The query names the app's pages use anywhere: tried all at once on every page.
COMMON_ARGS = ["day", "date", "month", "week", "from", "to", "start", "end", "page", "q", "class", "klass", "student",
               "teacher", "advisor", "room", "table", "actor", "action", "record", "status", "kind", "id", "next",
               "download", "all", "low", "stage", "task"]


def test_every_page_with_bad_query_strings_never_gives_a_500(app, client):
    with app.app_context():
        ids = _build_campus()
    login(client)
    pages = []  # the pages the links lead to, with real references (a print's name and record, a day)
    _crawl(app, client, ids, pages=pages)
    adapter = app.url_map.bind("localhost")
    by_rule = {}
    for page in pages:
        by_rule.setdefault(adapter.match(page.split("?")[0], method="GET", return_rule=True)[0].rule, page)
    failures, total = [], 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in SESSION | {"static"}:
            continue
        url = by_rule.get(rule.rule, _url(rule, ids)).split("?")[0]
        args = sorted(_query_args(app.view_functions[rule.endpoint]))
        if rule.rule.endswith((".pdf", ".xlsx")):  # a document is slow to make: every bad argument at once
            queries = BAD_QUERIES[-1:] + ["&".join("%s=%s" % (a, v) for a in args) for v in ("-1", "abc")]
        else:
            queries = BAD_QUERIES + ["&".join("%s=%s" % (a, quote(v)) for a in COMMON_ARGS) for v in ARG_BAD[:4]]
            queries += ["%s=%s" % (a, quote(v)) for i, a in enumerate(args)
                                     for v in ARG_BAD[i % 4::4]] + ["&".join("%s=1&%s=abc" % (a, a) for a in args)]
        for query in queries:
            total += 1
            try:
                response = client.get(url + "?" + query)
                response.close()
                status = response.status_code
            except Exception as exc:
                status = "%s: %s" % (type(exc).__name__, str(exc)[:120])
            if not isinstance(status, int) or status >= 500:
                failures.append((url, query[:60], status))
    token = csrf_from(client.get("/accounts/me").get_data(as_text=True))
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):  # ids of records that do not exist
        ints = [a for a in rule.arguments if isinstance(rule._converters[a], IntegerConverter)]
        if not ints or rule.endpoint in SESSION:
            continue
        for missing in (0, 999999, 99999999999999999999):
            url = _url(rule, {a: missing for a in ints})
            for method in sorted(rule.methods & {"GET", "POST"}):
                total += 1
                try:
                    response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
                    response.close()
                    status = response.status_code
                except Exception as exc:
                    status = "%s: %s" % (type(exc).__name__, str(exc)[:120])
                if not isinstance(status, int) or status >= 500:
                    failures.append((url, method, status))
    print("opened %d GET routes with bad query strings, and every route with missing ids: %d requests" % (
        sum(1 for r in app.url_map.iter_rules() if "GET" in r.methods), total))
    assert not failures, "%d of %d GETs gave a 500:\n%s" % (len(failures), total,
                                                              "\n".join("%s?%s  (%s)" % f for f in failures))
