"""Manual counters: what the advisor taps in because no record knows it. Clearly marked as manual everywhere."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from peewee import fn

from xgapp import audit, clock, policy
from xgapp.db import write
from xgapp.numbers.models import ManualCount
from xgapp.validation import Invalid

KINDS = {"hotline": _l("Hotline calls that did not become a lead")}
LATE_DAYS = policy.MANUAL_LATE_DAYS  # an advisor may still correct her own counter this many days later
MAX_COUNT = 9999


def may_tap(user, advisor, day, today=None):
    """The advisor on her own counter (today and the last week); supervisors and the principal on anyone's."""
    return policy.may_tap_counter(user, advisor, day, today or clock.today())


def tap(by, advisor, day, kind, delta, today=None):
    """Add `delta` (+1 or −1) to a counter; never below zero. Returns the new count."""
    if kind not in KINDS:
        raise Invalid({"kind": _l("Unknown counter.")})
    if delta not in (1, -1):
        raise Invalid({"kind": _l("Tap + or −.")})
    if not may_tap(by, advisor, day, today):
        raise Invalid({"kind": _l("This day's counter can no longer be changed here; ask your supervisor.")})
    with write():
        row = ManualCount.get_or_none(ManualCount.advisor == advisor, ManualCount.day == day, ManualCount.kind == kind)
        before = row.count if row else 0
        after = min(max(before + delta, 0), MAX_COUNT)
        if after == before:
            return before
        if row is None:
            row = ManualCount.create(advisor=advisor, day=day, kind=kind, count=after, updated_at=clock.now(),
                                     updated_by=by)
        else:
            ManualCount.update(count=after, updated_at=clock.now(), updated_by=by).where(ManualCount.id == row.id).execute()
        audit.record(by, "update", "manual_count", row.id, before={"count": before}, after={"count": after},
                     summary="%s %s %s：%d → %d（手工）" % (advisor.display_name, day.isoformat(), KINDS[kind], before,
                                                     after))
    return after


def counts(day, advisor=None, last=None):
    """{advisor id: {kind: count}} of a day, or of the days to `last` (one query)."""
    query = (ManualCount.select(ManualCount.advisor, ManualCount.kind, fn.SUM(ManualCount.count))
             .where(ManualCount.day.between(day, last or day)).group_by(ManualCount.advisor, ManualCount.kind))
    if advisor is not None:
        query = query.where(ManualCount.advisor == advisor)
    found = {}
    for advisor_id, kind, n in query.tuples():
        found.setdefault(advisor_id, {})[kind] = n
    return found


def window(today=None):
    """The oldest day an advisor may still change herself."""
    return (today or clock.today()) - timedelta(days=LATE_DAYS)
