"""The outside judges on the pages every role walks: axe-core in Chromium (no serious or critical violation) and the
W3C Nu validator on the HTML the server sends (no error), in both languages.

Each role starts at its home page and follows the links it is offered (same site, GET, no downloads or printouts),
breadth first, up to a limit per role: what a newcomer clicking around would see.
"""

import re
from urllib.parse import urljoin, urlsplit

import pytest

from tests import judges
from tests.browser.conftest import DEMO_PASSWORD, TABLET

# role account of the demo campus -> how many pages it walks (the principal sees everything: it walks furthest)
WALKS = {"principal": 32, "supervisor": 16, "advisor1": 16, "teacher1": 10, "frontdesk": 10, "finance": 8,
         "director": 10}
SKIP = re.compile(r"/logout|/static/|\.(pdf|xlsx|zip|csv|png)$|/download|/print|/pdf|/file|/blank|/backup/|"
                  r"[?&](format|download)=")
SERIOUS = {"serious", "critical"}
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
  .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))"""


def nu_problem(message):
    """A Nu validator error we count: htmx's hx-* attributes are the framework's documented markup, not errors."""
    return message.get("type") == "error" and "“hx-" not in message.get("message", "")


def walk(context, page, server, limit):
    """The pages a user reaches from the home page by following links, breadth first: [(path, html)]."""
    seen, queue, pages = set(), ["/"], []
    while queue and len(pages) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(server.url + path)
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        page.wait_for_load_state("networkidle")
        violations = [v for v in page.evaluate(AXE_RUN) if v["impact"] in SERIOUS]
        sent = context.request.get(server.url + path).text()  # what the server sends, before any script runs
        pages.append((path, sent, violations))
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urlsplit(urljoin(server.url + path, href))
            if target.netloc != urlsplit(server.url).netloc or not target.path.startswith("/"):
                continue
            local = target.path + ("?" + target.query if target.query else "")
            if not SKIP.search(local) and local not in seen:
                queue.append(local)
    return pages


# every role in Chinese; English by the widest roles (the markup is the same template per role)
WALKED = [(u, "zh_CN") for u in sorted(WALKS)] + [(u, "en") for u in ("advisor1", "frontdesk", "principal")]


@pytest.mark.parametrize("username,lang", WALKED)
def test_every_page_a_role_reaches_passes_axe_and_nu(browser, demo_campus, username, lang, tmp_path):
    context = browser.new_context(viewport=TABLET, locale="zh-CN" if lang == "zh_CN" else "en-US",
                                  timezone_id="Asia/Shanghai")
    context.add_init_script(script=judges.axe_source())  # an init script is not subject to the page's CSP
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(demo_campus.url + "/login?lang=" + lang)
        page.fill("#username", username)
        page.fill("#password", DEMO_PASSWORD)
        page.click("#password-login button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.goto(demo_campus.url + "/?lang=" + lang)
        pages = walk(context, page, demo_campus, WALKS[username])
    finally:
        context.close()
    assert len(pages) >= min(WALKS[username], 8), [p for p, _, _ in pages]  # the walk really went somewhere
    axe = {path: violations for path, _, violations in pages if violations}
    assert not axe, "axe-core, serious or critical: %r" % axe
    files = []
    for number, (path, sent, _) in enumerate(pages):
        target = tmp_path / ("%02d.html" % number)
        target.write_text(sent, encoding="utf-8")
        files.append((str(target), path))
    names = dict(files)
    problems = {}
    for message in judges.validate_html([f for f, _ in files]):
        if nu_problem(message):
            where = names.get(message.get("url", "").replace("file:", ""), message.get("url"))
            problems.setdefault(where, []).append("%s (line %s)" % (message["message"], message.get("lastLine")))
    assert not problems, "Nu validator errors: %r" % problems
