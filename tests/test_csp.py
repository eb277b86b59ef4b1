"""Content-Security-Policy: a strict policy on every page, and templates that need nothing more."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).parent.parent / "templates"
SERVED = [p for p in TEMPLATES.rglob("*.html") if "print" not in p.relative_to(TEMPLATES).parts[:1]]
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:|hx-on|js:", re.I)


@pytest.mark.parametrize("url", ["/login", "/", "/students/", "/selfstudy/kiosk", "/numbers/targets"])
def test_every_page_carries_a_strict_content_security_policy(app, client, url):
    from tests.conftest import login

    login(client)
    policy = client.get(url).headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy and "unsafe" not in policy
    assert "default-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'self'" in policy


@pytest.mark.parametrize("template", SERVED, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_served_to_a_browser_needs_inline_script_or_style(template):
    found = INLINE.findall(template.read_text(encoding="utf-8"))
    assert not found, found


def test_htmx_injects_no_inline_style_and_never_evaluates():
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    assert '"includeIndicatorStyles":false' in base and '"allowEval":false' in base
