"""What the browser is given works on the oldest tablet we support (README: iOS 12.2 / Chrome 73) and without
surprises: every shipped script parses as ES2019, the page loads the lowered htmx, flexbox gaps have a fallback."""

import re
from pathlib import Path

from tests import judges

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"


def _loaded_scripts():
    """The scripts base.html loads (static paths)."""
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    return [STATIC / name for name in re.findall(r"filename='([^']+\.js)'", base)]


def test_the_page_loads_only_scripts_an_old_tablet_can_parse():
    loaded = _loaded_scripts()
    assert STATIC / "vendor" / "htmx-2.0.11.es2019.min.js" in loaded
    assert judges.parse_scripts(loaded) == {}


def test_the_parse_check_can_fail():
    """Upstream htmx 2 uses ?. and ??, which an ES2019 engine cannot parse: the check says so."""
    problems = judges.parse_scripts([STATIC / "vendor" / "htmx-2.0.11.min.js"])
    assert list(problems) == [str(STATIC / "vendor" / "htmx-2.0.11.min.js")]


def test_the_lowered_htmx_is_built_from_the_shipped_upstream():
    """build/vendor.sh made the ES2019 copy from this upstream version (both carry its version)."""
    upstream = (STATIC / "vendor" / "htmx-2.0.11.min.js").read_text(encoding="utf-8")
    lowered = (STATIC / "vendor" / "htmx-2.0.11.es2019.min.js").read_text(encoding="utf-8")
    assert 'version:"2.0.11"' in upstream.replace(" ", "") and 'version:"2.0.11"' in lowered.replace(" ", "")


def _flex_rules_with_gap(css):
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    for selectors, body in rules:
        if re.search(r"display:\s*(inline-)?flex", body) and re.search(r"(^|[;\s])gap:", body):
            for selector in selectors.split(","):
                yield " ".join(selector.split())


def test_every_flex_gap_has_a_fallback_for_engines_without_it():
    """Chrome < 84 and iOS < 14.5 ignore gap in flexbox: app.js marks <html> .no-flexgap, and app.css gives every
    flex container with a gap margins instead, so the roll-call buttons never touch."""
    css = (STATIC / "css" / "app.css").read_text(encoding="utf-8")
    fallbacks = set(" ".join(s.split()) for s in re.findall(r"\.no-flexgap ([^,{]+?) > \*", css))
    missing = [s for s in _flex_rules_with_gap(css) if not s.startswith("@") and s not in fallbacks]
    assert not missing, missing
    assert "no-flexgap" in (STATIC / "js" / "app.js").read_text(encoding="utf-8")


def test_hidden_always_hides():
    """`hidden` wins over any display rule (a hidden 全部出勤 button must not show, dead, without JavaScript)."""
    css = (STATIC / "css" / "app.css").read_text(encoding="utf-8")
    assert re.search(r"\[hidden\]\s*\{\s*display:\s*none\s*!important;?\s*\}", css)


def test_no_table_header_cell_is_empty():
    """A screen reader announces a column by its header: an empty <th> (axe: empty-table-header) names nothing, so
    a column without a visible title carries a visually hidden one."""
    templates = ROOT / "templates"
    empty = [(str(path.relative_to(templates)), cell) for path in templates.rglob("*.html")
             for cell in re.findall(r"<th(?: [^>]*)?>\s*</th>", path.read_text(encoding="utf-8"))]
    assert empty == []


def test_the_app_has_an_icon_browsers_find_without_logging_in(client):
    with client.get("/favicon.ico") as icon:  # asked for before any page is read, and by a logged-out browser
        assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"  # an .ico file
    page = client.get("/login").get_data(as_text=True)
    for href in re.findall(r'<link rel="(?:icon|apple-touch-icon)" href="([^"]+)"', page):
        with client.get(href) as linked:
            assert linked.status_code == 200, href
    assert 'rel="apple-touch-icon"' in page and "favicon.svg" in page
