"""One-time submission keys: a form sent twice (a double tap, a Wi-Fi retry, the back button) is saved once.

Every form rendered with the `csrf()` macro carries a fresh random key (`FIELD`). The first `db.write()`
transaction of a POST that carries one claims it, inside that same transaction: the key's row and the record
commit together or not at all. A second POST with the same key is stopped there (`AlreadySubmitted`, before
anything is written) and answered with the first one's result: the page it redirected to. A form without a key
(a tab opened before this version, a kiosk button) is processed as before: no protection, no refusal.
"""

import re

import peewee as pw
from flask import g, has_request_context, request
from flask_babel import lazy_gettext as _l

from xgapp.accounts.models import User
from xgapp.db import BaseModel, UtcDateTimeField, write
from xgapp import clock

FIELD = "submission_key"
KEEP_DAYS = 30  # a key older than this is forgotten: a form left open for a month is processed like an old tab
_SHAPE = re.compile(r"^[0-9a-f]{32}$")
NOTICE = _l("This form had already been sent: it was saved once, not twice. To record another, open the form again.")


class FormSubmission(BaseModel):
    """A submission key that has been used, and where its first submission led."""

    key = pw.CharField(max_length=32, unique=True)
    path = pw.CharField(max_length=200)
    user = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    at = UtcDateTimeField(index=True)
    result_url = pw.CharField(max_length=500, default="")

    class Meta:
        table_name = "form_submission"


class AlreadySubmitted(Exception):
    """The form's key was used before; `result_url` is where the first submission led ("" when unknown)."""

    def __init__(self, result_url):
        super().__init__(result_url)
        self.result_url = result_url


def new_key():
    """A fresh key for one rendered form."""
    import uuid

    return uuid.uuid4().hex


def _posted_key():
    if not has_request_context() or request.method != "POST" or "submission_claim" in g:
        return None
    key = request.form.get(FIELD, "")
    return key if _SHAPE.match(key) else None  # missing or malformed: no protection, no refusal


class Guard:
    """Called by `db.write()` when its outermost transaction begins and when it rolls back."""

    def claim(self):
        """Claim the request's key in the transaction just begun, or stop a second submission."""
        key = _posted_key()
        if key is None:
            return False
        used = FormSubmission.get_or_none(FormSubmission.key == key)
        if used is not None:
            raise AlreadySubmitted(used.result_url)
        user = g.get("user")
        FormSubmission.create(key=key, path=request.path[:200], user=user.id if user else None, at=clock.now())
        g.submission_claim = key
        return True

    def release(self):
        """The transaction that claimed the key rolled back: the key is unused again (the row went with it)."""
        g.pop("submission_claim", None)


def remember(response):
    """After the request that claimed a key: keep where it led, to answer a second submission the same way."""
    key = g.pop("submission_claim", None) if has_request_context() else None
    if key is None:
        return response
    target = response.headers.get("HX-Redirect") or (response.location if 300 <= response.status_code < 400 else "")
    if target:
        g.submission_claim = key  # this bookkeeping write must not claim anything
        with write():
            FormSubmission.update(result_url=target[:500]).where(FormSubmission.key == key).execute()
        g.pop("submission_claim", None)
    return response


def forget_old(now=None):
    """Daily job: forget keys older than KEEP_DAYS (the table stays small). Returns how many went."""
    from datetime import timedelta

    cutoff = (now or clock.now()) - timedelta(days=KEEP_DAYS)
    with write():
        return FormSubmission.delete().where(FormSubmission.at < cutoff).execute()


def _where_the_form_was():
    from urllib.parse import urlsplit

    from flask import url_for

    source = urlsplit(request.referrer or "")
    if source.netloc == request.host and source.path.startswith("/") and not source.path.startswith("//"):
        return source.path + ("?" + source.query if source.query else "")
    return url_for("home.index")


def answer(exc):
    """The reply to a second submission: where the first one led (or the page the form was on), with a notice."""
    from flask import flash, make_response, redirect

    from xgapp import htmx

    flash(str(NOTICE), "warning")
    if htmx.is_request():
        if exc.result_url:
            return htmx.redirect(exc.result_url)
        return htmx.refresh(make_response("", 200))  # the first answer was a fragment: show the page as it is now
    return redirect(exc.result_url or _where_the_form_was(), code=303)
