"""Every UI string has a Chinese translation, and the compiled catalogue matches its source."""

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).parent.parent
CATALOG = ROOT / "xgapp" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "lazy_pgettext": ((1, "c"), 2)}


def _extracted():
    found = set()
    for folder, method in (("xgapp", "python"), ("templates", "jinja2")):
        pattern = "**.py" if method == "python" else "**.html"
        for _, _, message, _, _ in extract_from_dir(ROOT / folder, method_map=[(pattern, method)],
                                                     keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_ui_string_is_translated_into_chinese():
    with open(CATALOG / "messages.po", "rb") as fh:
        catalog = read_po(fh)
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog  # a plural: every form translated
                  if m.id and m.string and all(m.string if isinstance(m.string, tuple) else [m.string])
                  and not m.fuzzy}
    missing = sorted(_extracted() - translated)
    assert missing == [], "run build/i18n.sh and translate: %s" % missing


def test_compiled_catalogue_matches_the_po_file():
    with open(CATALOG / "messages.po", "rb") as fh:
        source = read_po(fh)
    with open(CATALOG / "messages.mo", "rb") as fh:
        compiled = read_mo(fh)
    def key(m):  # plurals come as lists from the .mo and tuples from the .po; subjects carry a context
        return (tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id), m.context

    def text(m):
        return tuple(m.string) if isinstance(m.string, (list, tuple)) else m.string

    expected = {key(m): text(m) for m in source if m.id and m.string}
    actual = {key(m): text(m) for m in compiled if m.id}
    assert actual == expected, "run build/i18n.sh to recompile messages.mo"
    buffer = io.BytesIO()
    write_mo(buffer, source)  # the .po is well-formed enough to compile


def test_pages_are_chinese_by_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "学管师工作台" in html and "用 PIN 码登录" in html
