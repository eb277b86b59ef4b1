"""The print engine: A4 PDFs rendered by WeasyPrint from templates/print/, with the CJK font shipped in static/.

Nothing is fetched from the network: only files under the app's own resource folder can be loaded.
"""

import io
import logging
import os
import sys
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

from flask import current_app, render_template, send_file

from xgapp import paths

log = logging.getLogger(__name__)

FONT_FILES = {"Regular": "NotoSansSC-Regular.subset.otf", "Bold": "NotoSansSC-Bold.subset.otf"}
_lock = threading.Lock()
_font_config = None

FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


def font_file(weight="Regular"):
    """Path of a shipped font."""
    return paths.resource_dir() / "static" / "fonts" / FONT_FILES[weight]


def _prepare_fontconfig(data_root):
    """In the frozen executable, point fontconfig at our fonts and a writable cache before WeasyPrint loads."""
    if not getattr(sys, "frozen", False) or "FONTCONFIG_FILE" in os.environ:
        return
    cache = Path(data_root) / "cache" / "fontconfig"
    cache.mkdir(parents=True, exist_ok=True)
    conf = cache.parent / "fonts.conf"
    conf.write_text(FONTS_CONF.format(fonts=font_file().parent.as_posix(), cache=cache.as_posix()),
                    encoding="utf-8")
    os.environ["FONTCONFIG_FILE"] = str(conf)


@lru_cache(maxsize=1)
def covered_characters():
    """Every character the shipped font can draw."""
    from fontTools.ttLib import TTFont

    with TTFont(font_file()) as font:
        return frozenset(chr(cp) for cp in font.getBestCmap())


def missing_glyphs(text):
    """Characters of `text` the shipped font cannot draw (these fall back to a system font, if any)."""
    covered = covered_characters()
    return sorted({c for c in text if c not in covered and not c.isspace()
                   and unicodedata.category(c)[0] not in "CZ"})


def _fetcher():
    """A URL fetcher that serves only files inside the resource folder (no network, ever)."""
    import mimetypes
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = paths.resource_dir().resolve()

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            target = Path(unquote(parts.path)).resolve()
            if parts.scheme != "file" or root not in target.parents:
                raise ValueError("refused resource outside the app: %s" % url)
            mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": mime})

    return LocalFetcher(allowed_protocols={"file"})


def render_pdf(template, **context):
    """Render a print template to PDF bytes (one render at a time: it is CPU-bound)."""
    global _font_config
    html = render_template(template, **context)
    missing = missing_glyphs(html)
    if missing:
        log.warning("characters outside the shipped font in %s: %s", template, "".join(missing[:50]))
    _prepare_fontconfig(current_app.config["XGAPP_PATHS"].root)
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    with _lock:
        if _font_config is None:
            _font_config = FontConfiguration()
        base = paths.resource_dir().as_uri() + "/"
        return HTML(string=html, base_url=base, url_fetcher=_fetcher()).write_pdf(font_config=_font_config)


def pdf_response(data, filename, download=False):
    """Send PDF bytes to the browser (shown inline for the print preview unless `download`)."""
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=download,
                     download_name=filename, max_age=0)


def css_string(value):
    """Jinja filter: a value as a quoted CSS string, safe inside a <style> element."""
    from markupsafe import Markup

    text = str(value).replace("\\", "\\5C ").replace('"', "\\22 ").replace("<", "\\3C ")
    text = text.replace("\n", "\\A ").replace("\r", "")
    return Markup('"%s"' % text)
