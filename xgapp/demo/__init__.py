"""A realistic, deterministic demo campus (seeded), used for trying xgapp out and for benchmarks."""

import random
import secrets
from datetime import timedelta

from xgapp import audit, campus
from xgapp.accounts import domain as accounts
from xgapp.db import write
from xgapp.clock import now as utcnow
from xgapp.clock import today as campus_today

from xgapp.demo.classes import classes as _classes
from xgapp.demo.complaints import complaints as _complaints
from xgapp.demo.followups import followups as _followups
from xgapp.demo.meetings import briefings as _briefings, meetings_and_tests as _meetings_and_tests
from xgapp.demo.paperwork import paperwork as _paperwork
from xgapp.demo.common import STAFF, Names
from xgapp.demo.selfstudy import selfstudy as _selfstudy
from xgapp.demo.students import students as _students

def build(password=None, years=1, seed=2024, campus_name="阳光教育 海淀校区", campus_code="BJ-HD01", today=None):
    """Create the demo campus in the bound (empty) database; return (accounts, password)."""
    if not campus.needs_setup():
        raise ValueError("this data folder already holds a campus; use an empty folder for the demo")
    password = password or secrets.token_urlsafe(9)
    rng = random.Random(seed)
    names = Names(rng)
    made = []
    with write():
        first = "principal"
        _, principal = campus.setup(campus_name, campus_code, first, names.person(), password)
        made.append((principal, ["principal"], None))
        for prefix, roles, count in STAFF[1:]:
            for n in range(1, count + 1):
                username = prefix if count == 1 else "%s%d" % (prefix, n)
                pin = None
                if "teacher" in roles or "frontdesk" in roles:
                    pin = "%06d" % rng.randrange(100000, 999999)
                    while accounts.pin_problem(pin):
                        pin = "%06d" % rng.randrange(100000, 999999)
                user = accounts.create_user(principal, username, names.person(), password, roles, pin=pin)
                made.append((user, roles, pin))
        advisors = [user for user, roles, _ in made if "advisor" in roles]
        for user in advisors:
            user.__dict__.pop("_role_set", None)
        today = today or campus_today()
        from xgapp.followups import engine

        with engine.deferred():  # history: the tasks due now are made once, by the sweep in _followups
            _students(rng, names, advisors, principal, years, today)
            _classes(rng, [user for user, roles, _ in made if "teacher" in roles], advisors, principal, today)
            _briefings(random.Random(seed + 4), [user for user, roles, _ in made if "teacher" in roles], today)
            _meetings_and_tests(random.Random(seed + 7), today)
        _followups(random.Random(seed + 5), today)
        _selfstudy(random.Random(seed + 6), [user for user, roles, _ in made if "frontdesk" in roles][0],
                   [user for user, roles, _ in made if "teacher" in roles], today)
        _paperwork(random.Random(seed + 8), [user for user, roles, _ in made if "frontdesk" in roles][0], today)
        _complaints(random.Random(seed + 9), today)
        from xgapp.notices.models import Notice

        # Notices of the simulated past were read back then; only the last two days' are still new.
        Notice.update(read_at=Notice.at).where(Notice.at < utcnow() - timedelta(days=2),
                                               Notice.read_at.is_null()).execute()
        audit.record(principal, "create", "campus", None, summary="demo campus, %d year(s), seed %d" % (years, seed))
    return made, password
