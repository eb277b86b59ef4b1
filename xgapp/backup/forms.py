"""The backup forms read into values: the uploaded backup file and the restore's confirmation."""

from flask_babel import lazy_gettext as _l

from xgapp.validation import Reader


def parse_upload(files):
    """The uploaded backup file (a werkzeug FileStorage) from a request's files."""
    r = Reader({})
    upload = files.get("file")
    r.check(upload is not None and upload.filename, "file", _l("Choose a file."))
    r.done()
    return {"file": upload}


def parse_restore(form, code):
    """The restore's confirmation: the campus code typed again (any case), which must be `code`."""
    r = Reader(form)
    typed = r.text("confirm", required=True)
    if typed and "confirm" not in r.errors:
        r.check(typed.upper() == code, "confirm", _l("The campus code does not match."))
    return r.done()
