"""Back-dating rules (补录与更正): what a person may record with a date before today, and how far back.

- Anything effective today or later: whoever may record it.
- A date in the past is a correction: only the principal or a supervisor, with a reason, and at most
  CORRECTION_DAYS days back (a week covers a roll call forgotten over the weekend or a leave reported on paper).
- Nothing is effective before the student existed: the student's first day on file (the day the file was
  created, or an earlier first contract or enrolment recorded for them when a roster was brought in).
- A roll call never before its lesson has started; a lesson more than CORRECTION_DAYS days old is no longer
  confirmed (its hours are corrected on the ledger).
- Records written by the system (`by` is None: the demo's history, imports, the command line) are not
  corrections; every rule about people binds only people.
"""

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from xgapp import clock, policy
from xgapp.classes.models import Enrolment
from xgapp.contracts.models import Contract
from xgapp.validation import Invalid

CORRECTION_DAYS = 7



def check_past(by, day, reason, field, reason_field="reason", today=None, started=False):
    """Refuse `day` before today (or a lesson that has `started`, today too) unless `by` may correct that far
    back and says why: {field: message}."""
    today = today or clock.today()
    if by is None or day is None or (day >= today and not started):
        return
    oldest = today - timedelta(days=CORRECTION_DAYS)
    if not policy.may_correct_past(by):
        raise Invalid({field: _l("%(day)s is in the past: only the principal or a supervisor can record a "
                                 "correction.", day=day.isoformat()) if day < today else
                       _l("This lesson has already started: only the principal or a supervisor can record a "
                          "correction.")})
    if day < oldest:
        raise Invalid({field: _l("A correction goes back at most %(n)d days (to %(day)s).", n=CORRECTION_DAYS,
                                 day=oldest.isoformat())})
    if not (reason or "").strip():
        raise Invalid({reason_field: _l("This is a correction in the past: say why.")})


def student_since(student):
    """The student's first day on file: the file's creation, or an earlier first contract or enrolment."""
    days = [clock.local(student.created_at).date()]
    days += [d for (d,) in Contract.select(Contract.signed_on).where(Contract.student == student)
             .order_by(Contract.signed_on).limit(1).tuples()]
    days += [d for (d,) in Enrolment.select(Enrolment.joined_on).where(Enrolment.student == student)
             .order_by(Enrolment.joined_on).limit(1).tuples()]
    return min(days)


def check_existed(student, day, field):
    """Refuse a change effective before the student was on file."""
    since = student_since(student)
    if day is not None and day < since:
        raise Invalid({field: _l("%(name)s has been on file only since %(day)s.", name=student.name,
                                 day=since.isoformat())})
