"""Filling a form and laying it out: one record, a blank, or many records as one PDF."""

from flask_babel import force_locale

from xgapp import campus, clock, printing
from xgapp.prints.catalog import FORMS, NotFound

PRINT_LOCALE = "zh_CN"  # the paper goes into the Chinese files, whatever the screen's language
BATCH_MAX = 400  # forms in one batch PDF (about a minute of rendering)
CHUNK = 20  # forms laid out before they are written to PDF bytes and their layout freed


def form_or_none(name):
    return FORMS.get(name)


def _common(form, printed_by):
    now = clock.local_now()
    return {"campus": campus.current(), "logo": campus.logo_uri(), "printed_by": printed_by or "xgapp",
            "printed_at": now.strftime("%Y-%m-%d %H:%M"), "form_no": "", "form_date": ""}


def filled(form, ref, viewer=None, printed_by=None):
    """The form filled from record `ref` (NotFound when there is none), laid out."""
    ref = form.check_ref(ref)
    with force_locale(PRINT_LOCALE):
        context = _common(form, printed_by)
        context.update(form.load(ref, viewer))
        context["form_no"] = form.number(ref)
        return printing.render(form.template, **context)


def blank(form, params=None, printed_by=None):
    """The form to fill by hand (optionally with a class's or a student's names already in)."""
    with force_locale(PRINT_LOCALE):
        context = _common(form, printed_by)
        context.update(form.blank(params or {}))
        context["form_no"] = "%s-＿＿＿＿" % form.code
        return printing.render(form.template, **context)


def batch(form, refs, viewer=None, printed_by=None, progress=None):
    """Many records of one form as one PDF → (pdf, pages, missing characters); `progress(done, total)` is called
    after each form. Written in chunks of CHUNK forms and merged, so memory stays flat however long the batch."""
    chunks, pending, pages, missing = [], [], 0, set()
    for done, ref in enumerate(refs, 1):
        try:
            rendered = filled(form, ref, viewer, printed_by)
        except NotFound:
            rendered = None  # deleted since the list was made: skipped, the rest still prints
        if rendered is not None:
            pending.append(rendered)
            pages += rendered.pages
            missing.update(rendered.missing)
        if pending and (len(pending) == CHUNK or done == len(refs)):
            chunks.append(printing.write(pending))
            pending = []
        if progress is not None:
            progress(done, len(refs))
    if not chunks:
        raise NotFound("nothing to print")
    return printing.merge(chunks), pages, sorted(missing)
