"""The student timeline: everything that happened to a student, from every area that records it.

`SOURCES` is the explicit list of those areas' functions
`(student, limit=None, before=None) -> [(instant, kind, text, detail)]` (with a limit, that area's newest events
only; with `before`, only those at or before that instant); an area whose records belong on the timeline adds its
function here (see ARCHITECTURE.md).
"""

from xgapp.attendance.domain import attendance_events
from xgapp.changes.domain import change_events
from xgapp.complaints.domain import complaint_events
from xgapp.contracts.domain import contract_events
from xgapp.followups.domain import followup_events
from xgapp.hours.domain import hour_events
from xgapp.leads.domain import lead_events
from xgapp.meetings.briefings import briefing_events, feedback_events
from xgapp.meetings.parents import meeting_events
from xgapp.scores.domain import score_events
from xgapp.selfstudy.domain import question_events, visit_events
from xgapp.students.domain import status_events

SOURCES = [
    status_events,
    contract_events,  # contracts, referrals, payments and refunds paid: money, shown to who may see it
    hour_events,  # ledger movements other than purchases (those show with their contract)
    lead_events,
    change_events,
    attendance_events,
    score_events,
    followup_events,
    meeting_events,
    briefing_events,
    feedback_events,
    visit_events,
    question_events,
    complaint_events,
]
MONEY_KINDS = ("contract", "payment", "hours", "referral")  # events only for who may see a student's money
MONEY_SOURCES = (contract_events, hour_events)  # the areas whose events are all of those kinds


def _order(event):
    return event[0], event[1], str(event[2]), str(event[3])  # a fixed order within one instant, page after page


def events(student, money=True, limit=None, before=None, skip=0):
    """Everything that happened to a student, newest first (without the money events when `money` is False).

    With `limit`, only the newest `limit` events: each area reads at most that many of its own, newest first by an
    indexed time, so a file with years of lessons costs what a new one does and the merge is still exact.
    `before` and `skip` give the next page (see `next_page`): the events at or before that instant, less the first
    `skip` of them (those at exactly that instant already shown) — a keyset page, as cheap as the first.
    """
    sources = SOURCES if money else [source for source in SOURCES if source not in MONEY_SOURCES]
    fetch = None if limit is None else limit + skip
    found = [event for source in sources for event in source(student, fetch, before)]
    if not money:
        found = [event for event in found if event[1] not in MONEY_KINDS]
    found.sort(key=_order, reverse=True)
    found = found[skip:]
    return found if limit is None else found[:limit]


def next_page(shown, before=None, skip=0):
    """(before, skip) of the page after `shown` (a page as events() returned it, after the one at `before`/`skip`)."""
    last = shown[-1][0]
    same = sum(1 for event in shown if event[0] == last)
    return last, same + (skip if before == last else 0)
