"""Shared form helpers: bound to WTForms via Flask-WTF, one macro renders every field."""

from flask import abort, render_template, request
from flask_wtf import FlaskForm

from xgapp import validation


class Form(FlaskForm):
    """Base form; `fail` attaches a domain error to its field; control characters are refused in every field."""

    def validate(self, extra_validators=None):
        """WTForms' validation, then no control characters (tab and line breaks only in a multi-line box)."""
        valid = super().validate(extra_validators)
        for field in self:
            problem = validation.control_problem(field.data, multiline=field.type == "TextAreaField")
            if problem:
                field.errors = list(field.errors) + [problem]
                valid = False
        return valid

    def fail(self, field, message):
        """Show `message` beside `field` (or at the form's top when the field is unknown)."""
        target = getattr(self, field, None)
        if target is None:
            self.form_errors.append(message)
        else:
            target.errors = list(target.errors) + [message]


def render_form(template, form, status=None, **context):
    """Render a form page; 422 when it carries errors, so htmx and tests see the failure."""
    if status is None:
        status = 422 if (form.errors or form.form_errors) else 200
    return render_template(template, form=form, **context), status


def attrs(**kwargs):
    """HTML attributes for a field, dropping the ones left unset (None or False)."""
    return {k: v for k, v in kwargs.items() if v is not None and v is not False}


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
