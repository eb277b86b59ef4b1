"""Small factories for domain tests: make_student(**overrides), make_contract(**overrides)."""

from datetime import date
from decimal import Decimal
from itertools import count

from xgapp.accounts.models import User
from tests.conftest import make_user

_mobiles = count(13800000001)


def advisor(username="adv1", name=None):
    """An advisor account (created once per username)."""
    existing = User.get_or_none(User.username == username)
    return existing or make_user(username, roles=("advisor",), name=name or "学管师" + username)


def make_student(by=None, name="张小明", advisor_user=None, mobile=None, **overrides):
    """A student with one guardian."""
    from xgapp.students import domain

    data = {"name": name, "school": "海淀实验小学", "grade": "五年级", "source": "hotline",
            "advisor": advisor_user or advisor()}
    data.update(overrides)
    guardians = [{"name": name[0] + "妈妈", "relation": "母亲", "mobile": mobile or str(next(_mobiles)),
                  "can_pickup": True}]
    return domain.create(by, data, guardians)


def make_contract(student, by=None, subject="数学", hours="40", unit_price="150", kind=None, payments=None,
                  free_hours="0", discount="0", today=None):
    """A contract with, by default, the full amount paid in cash."""
    from xgapp.contracts import domain

    kind = kind or domain.suggested_kind(student, subject)
    amount = Decimal(hours) * Decimal(unit_price) - Decimal(discount)
    payments = payments if payments is not None else [{"amount": str(amount), "method": "cash"}]
    return domain.create(by, student, {"kind": kind, "subject": subject, "hours": hours, "unit_price": unit_price,
                                       "free_hours": free_hours, "discount": discount}, payments,
                         today=today or date(2026, 9, 1))
