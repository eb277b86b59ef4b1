"""Signed copies: a printed form came back signed and went into the files (who took it in, and when)."""

from flask_babel import lazy_gettext as _l

from xgapp import audit, clock
from xgapp.db import write
from xgapp.prints.models import SignedCopy
from xgapp.validation import Invalid


def received(form, ref):
    """The SignedCopy of form `form` for record `ref`, or None."""
    return (SignedCopy.select(SignedCopy).where(SignedCopy.form == form, SignedCopy.ref == str(ref)).first())


def received_map(form, refs):
    """{ref: SignedCopy} for many records of one form (one query)."""
    refs = [str(r) for r in refs]
    if not refs:
        return {}
    return {c.ref: c for c in SignedCopy.select().where(SignedCopy.form == form, SignedCopy.ref.in_(refs))}


NOTE_MAX = 200


def _already(existing):
    return _l("The signed copy was already marked received by %(name)s on %(when)s.",
              name=existing.received_by.display_name if existing.received_by else "—",
              when=clock.local(existing.received_at).strftime("%Y-%m-%d %H:%M"))


def received_problems(form, ref, note):
    """{field: message}: a note under NOTE_MAX characters, and a copy not marked received already."""
    errors = {}
    if len((note or "").strip()) > NOTE_MAX:
        errors["note"] = _l("At most 200 characters.")
    existing = received(form, ref)
    if existing is not None:
        errors["signed"] = _already(existing)
    return errors


def mark_received(by, form, ref, summary, note="", now=None):
    """Record that the signed copy is in the files. Marking it twice keeps the first (who, when) and says so."""
    errors = received_problems(form, ref, note)
    if errors:
        raise Invalid(errors)
    note = (note or "").strip()
    now = now or clock.now()
    with write():
        existing = received(form, ref)  # marked by someone else since the check
        if existing is not None:
            raise Invalid({"signed": _already(existing)})
        copy = SignedCopy.create(form=form, ref=str(ref), received_by=by, received_at=now, note=note)
        audit.record(by, "create", "signed_copy", copy.id, after=audit.snapshot(copy),
                     summary=("%s 签字件已收回" % summary)[:200])
    return copy
