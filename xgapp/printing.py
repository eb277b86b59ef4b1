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
from xml.sax.saxutils import escape

from flask import current_app, render_template, send_file

from xgapp import paths

log = logging.getLogger(__name__)

FONT_FILES = {"Regular": "NotoSansSC-Regular.subset.otf", "Bold": "NotoSansSC-Bold.subset.otf",
              "Ext": "NotoSansSC-Ext-Regular.subset.otf"}
_lock = threading.Lock()  # WeasyPrint layout and writing: CPU-bound, one at a time
_pdfium_lock = threading.Lock()  # PDFium is not thread-safe: every use of pypdfium2 holds this
_font_config = None
SILENT = ("Cc", "Cf", "Zs", "Zl", "Zp")  # controls, format marks and spaces: nothing to draw

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
    conf.write_text(FONTS_CONF.format(fonts=escape(_native_path(font_file().parent)),
                                      cache=escape(_native_path(cache))), encoding="utf-8")
    os.environ["FONTCONFIG_FILE"] = str(conf)
    if sys.platform.startswith("win"):
        _set_msvcrt_environ("FONTCONFIG_FILE", _native_path(conf))
        # WeasyPrint opens its DLLs with LOAD_LIBRARY_SEARCH_DEFAULT_DIRS, which searches the folders added with
        # AddDllDirectory, not the one PyInstaller's bootloader sets with SetDllDirectory: add the bundle's.
        _dll_dirs.append(os.add_dll_directory(sys._MEIPASS))


_dll_dirs = []  # handles of added DLL folders: a folder stays added while its handle lives


def _native_path(path):
    """A path as the natives' fontconfig opens it: forward slashes; on Windows the 8.3 short form when there is
    one, since the mingw-built fontconfig opens files through the ANSI API and a Chinese user name (in the temp
    and data folders) may not survive that."""
    path = str(path)
    if sys.platform.startswith("win"):
        import ctypes

        buffer = ctypes.create_unicode_buffer(1024)
        if 0 < ctypes.windll.kernel32.GetShortPathNameW(path, buffer, len(buffer)) < len(buffer):
            path = buffer.value
    return path.replace("\\", "/")


def _set_msvcrt_environ(name, value):
    """Set a variable where the mingw-built natives read it: they link msvcrt.dll, whose environment is its own
    copy, while Python (UCRT) writes os.environ to the UCRT's and the process's (see NOTES on Windows)."""
    import ctypes

    ctypes.cdll.msvcrt._wputenv("%s=%s" % (name, value))


@lru_cache(maxsize=1)
def covered_characters():
    """Every character the shipped fonts can draw (the common subset plus the rare-ideograph font)."""
    from fontTools.ttLib import TTFont

    chars = set()
    for weight in ("Regular", "Ext"):
        with TTFont(font_file(weight), lazy=True) as font:
            chars.update(chr(cp) for cp in font.getBestCmap())
    return frozenset(chars)


def missing_glyphs(text):
    """Characters of `text` no shipped font can draw (sorted, each once)."""
    covered = covered_characters()
    return sorted({c for c in text if c not in covered and not c.isspace() and unicodedata.category(c) not in SILENT})


def marker(char):
    """What is printed instead of a character no shipped font has: its code point, visibly (never a silent box)."""
    return "〔U+%04X〕" % ord(char)


def _mark_missing(html):
    """Replace undrawable characters by their visible code point and say so at the foot of the form."""
    missing = missing_glyphs(html)
    if not missing:
        return html, []
    for char in missing:
        html = html.replace(char, marker(char))
    note = ('<p class="unprintable">本表有 %d 个字超出打印字库，已印为〔U+编码〕：%s。请在纸上手写补全。</p>'
            % (len(missing), "、".join(marker(c) for c in missing)))
    html = html.replace("</body>", note + "</body>") if "</body>" in html else html + note
    return html, missing


class _NotdefWatch(logging.Handler):
    """Collects WeasyPrint's `.notdef` warnings (a glyph drawn as a box) during one render."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        message = record.getMessage()
        if ".notdef" in message:
            self.messages.append(message)


def _fetcher():
    """A URL fetcher that serves only files inside the resource folder and data: URLs (no network, ever)."""
    import mimetypes
    from urllib.parse import urlsplit
    from urllib.request import url2pathname, urlopen

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = paths.resource_dir().resolve()

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":  # an inline image (the campus logo): decoded locally
                with urlopen(url) as inline:
                    return URLFetcherResponse(url, inline.read(), {"Content-Type": inline.headers.get_content_type()})
            # url2pathname: on Windows "/C:/Users/…" is the path C:\Users\… (a plain Path would miss the drive)
            target = Path(url2pathname(parts.path)).resolve()
            if parts.scheme != "file" or root not in target.parents:
                raise ValueError("refused resource outside the app: %s" % url)
            mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": mime})

    return LocalFetcher(allowed_protocols={"file", "data"})


class Rendered:
    """One laid-out form: its WeasyPrint document, and the characters that had to be printed as code points."""

    def __init__(self, document, missing):
        self.document = document
        self.missing = missing

    @property
    def pages(self):
        return len(self.document.pages)


def render(template, **context):
    """Lay out a print template (not yet written as PDF). Rendering is CPU-bound, so one at a time."""
    global _font_config
    html, missing = _mark_missing(render_template(template, **context))
    if missing:
        log.warning("characters outside the shipped fonts in %s: %s", template, "".join(missing[:50]))
    _prepare_fontconfig(current_app.config["XGAPP_PATHS"].root)
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    watch = _NotdefWatch()
    weasy_log = logging.getLogger("weasyprint")
    with _lock:
        weasy_log.addHandler(watch)
        try:
            if _font_config is None:
                _font_config = FontConfiguration()
            base = paths.resource_dir().as_uri() + "/"
            document = HTML(string=html, base_url=base, url_fetcher=_fetcher()).render(font_config=_font_config)
        finally:
            weasy_log.removeHandler(watch)
    if watch.messages:  # should not happen: every undrawable character was replaced above
        log.error("boxes printed in %s: %s", template, "; ".join(watch.messages[:5]))
    return Rendered(document, missing)


def write(rendered):
    """PDF bytes of one or more rendered forms, in order, as one file (each keeps its own page x / y)."""
    parts = rendered if isinstance(rendered, (list, tuple)) else [rendered]
    pages = [page for part in parts for page in part.document.pages]
    with _lock:
        return parts[0].document.copy(pages).write_pdf()


def render_pdf(template, **context):
    """Render a print template straight to PDF bytes."""
    return write(render(template, **context))


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


def page_images(pdf, dpi=110):
    """Each page of a PDF as PNG bytes (the in-page print preview: tablets seldom show a PDF inside a page)."""
    import pypdfium2

    with _pdfium_lock:  # draw under the lock; encode the PNGs outside it
        document = pypdfium2.PdfDocument(pdf)
        try:
            grey = []
            for index in range(len(document)):
                page = document[index]
                bitmap = page.render(scale=dpi / 72)
                grey.append(bitmap.to_pil().convert("L"))  # a copy: grey is a third of the size of colour
                bitmap.close()
                page.close()
        finally:
            document.close()
    images = []
    for image in grey:
        out = io.BytesIO()
        image.save(out, "PNG")
        images.append(out.getvalue())
    return images


def merge(pdfs):
    """One PDF of several (a batch written in chunks, so a long batch never holds every laid-out page in memory)."""
    if len(pdfs) == 1:
        return pdfs[0]
    import pypdfium2

    with _pdfium_lock:
        merged = pypdfium2.PdfDocument.new()
        try:
            for data in pdfs:
                part = pypdfium2.PdfDocument(data)
                try:
                    merged.import_pages(part)
                finally:
                    part.close()
            out = io.BytesIO()
            merged.save(out)
            return out.getvalue()
        finally:
            merged.close()
