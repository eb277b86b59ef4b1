"""The body check every request passes before a view reads its form (the parsers are in `<area>/forms.py`)."""

from flask import abort, request

from xgapp import validation


def read_body():
    """A form body xgapp cannot read (a multipart part without a name, a broken encoding) is a 400, not a 500;
    a field holding a control character is refused (see validation.refuse_control_characters)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    try:
        fields, files = request.form, request.files
    except ValueError:
        abort(400)
    if None in fields or "" in fields or None in files:
        abort(400)
    validation.refuse_control_characters(fields)
