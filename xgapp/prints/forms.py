"""Reading the print forms: marking a signed copy received, and a batch print's form and period.

Each parser reads every field with `validation.Reader` and raises `Invalid` with every message at once; otherwise
it returns the values the domain (or the batch job) takes.
"""

from flask_babel import lazy_gettext as _l

from xgapp.prints import domain
from xgapp.validation import Reader

MAX_BATCH_DAYS = 92


def parse_signed(form, name, ref):
    """{note} of the signed-copy form for record `ref` of form `name` (refused when already marked received)."""
    r = Reader(form)
    values = {"note": r.text("note")}
    for field, message in domain.received_problems(name, ref, values["note"]).items():
        r.fail(field, message)
    r.done()
    return values


def parse_batch(form, choices):
    """{form, first, last}: one of `choices` (the forms this user may print) and a period of at most
    MAX_BATCH_DAYS days."""
    r = Reader(form)
    by_name = {f.name: f for f in choices}
    picked = r.choice("form", by_name, message=_l("Choose a form."))
    first = r.date("first", message=_l("Enter a date."))
    last = r.date("last", message=_l("Enter a date."))
    if first is not None and last is not None:
        if r.check(last >= first, "last", _l("The last day is before the first.")):
            r.check((last - first).days < MAX_BATCH_DAYS, "last",
                    _l("At most %(n)d days at a time.", n=MAX_BATCH_DAYS))
    r.done()
    return {"form": by_name[picked], "first": first, "last": last}
