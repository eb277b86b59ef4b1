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


def teacher(username="t1", name=None):
    """A teacher account (created once per username)."""
    existing = User.get_or_none(User.username == username)
    return existing or make_user(username, roles=("teacher",), name=name or "老师" + username)


def make_class(by=None, name="初二数学提高班", subject="数学", teacher_user=None, advisor_user=None, capacity=15,
               classroom="default", lesson_hours="2", start_on=None, kind="group"):
    """A class with a teacher, an advisor and (by default) a room of its own."""
    from xgapp.classes import domain
    from xgapp.classes.models import Classroom

    if classroom == "default":
        classroom = domain.save_classroom(None, "教室%d" % (Classroom.select().count() + 1), 20)
    return domain.create(by, {"name": name, "subject": subject, "grade": "初二", "kind": kind,
                              "teacher": teacher_user or teacher(), "advisor": advisor_user or advisor(),
                              "classroom": classroom, "capacity": str(capacity), "planned_lessons": "16",
                              "lesson_hours": lesson_hours, "start_on": start_on or date(2026, 9, 5)})
