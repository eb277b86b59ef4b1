"""The student timeline: everything that happened to a student, from every area that records it.

`SOURCES` is the explicit list of those areas' functions `student -> [(instant or date, kind, text, detail)]`; an
area whose records belong on the timeline adds its function here (see ARCHITECTURE.md).
"""

from xgapp.attendance.domain import attendance_events
from xgapp.changes.domain import change_events
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
]
MONEY_KINDS = ("contract", "payment", "hours", "referral")  # events only for who may see a student's money


def events(student, money=True):
    """Everything that happened to a student, newest first (without the money events when `money` is False)."""
    found = [event for source in SOURCES for event in source(student)]
    if not money:
        found = [event for event in found if event[1] not in MONEY_KINDS]
    return sorted(found, key=lambda e: e[0], reverse=True)
