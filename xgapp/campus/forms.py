"""The campus forms read into values: first-run setup, the campus's name and code, the campus rules.

Every problem of a form is reported at once (`validation.Invalid`).
"""

from xgapp import campus
from xgapp.accounts import forms as account_forms
from xgapp.campus import rules
from xgapp.validation import Reader

CODE_MAX = 20


def _read_campus(r):
    name = r.text("campus_name", required=True, limit=campus.NAME_MAX)
    code = r.text("campus_code", required=True, limit=CODE_MAX).upper()
    if code and "campus_code" not in r.errors:
        r.check(campus.code_problem(code) is None, "campus_code", campus.CODE_MESSAGE)
    return {"campus_name": name, "campus_code": code}


def parse_campus(form):
    """The campus's name and code (the code in capitals)."""
    r = Reader(form)
    values = _read_campus(r)
    r.done()
    return values


def parse_setup(form):
    """First run: the campus's name and code and the principal's account (name, username, password twice)."""
    r = Reader(form)
    values = _read_campus(r) | account_forms.read_principal(r)
    account_forms.confirmed(r, values["password"])
    r.done()
    return values


def parse_rules(form):
    """Every campus rule the form carries, as {name: text}: an unticked box is off; a rule the form does not carry
    (a form from before the rule existed) is left out, so it keeps its value."""
    r = Reader(form)
    values = {}
    for rule in rules.RULES:
        if rule.kind == "bool":
            values[rule.name] = "1" if r.flag(rule.name) else "0"
        elif rule.name in form:
            values[rule.name] = r.text(rule.name, limit=200)
    for name, message in rules.problems(values).items():
        r.fail(name, message)  # a field's own message (e.g. a control character) stays first
    r.done()
    return values
