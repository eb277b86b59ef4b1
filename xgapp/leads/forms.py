"""Lead forms: an inquiry (咨询登记), the next funnel step, a contact, a loss, taking a step back, a reassignment.

Each parser reads every field with `validation.Reader` and raises `validation.Invalid` with every problem at once;
funnel rules (one step at a time, dates after the previous step, a known family) stay in `leads.domain`.
"""

from flask_babel import lazy_gettext as _l

from xgapp import clock, validation
from xgapp.students import domain as students
from xgapp.students.forms import active_advisor
from xgapp.validation import Reader

NOTE_MAX = 200
SUBJECT_MAX = 20


def _future_date(r, name, today):
    """An optional date in field `name`, not before `today`."""
    day = r.date(name, required=False)
    if day is not None:
        r.check(day >= today, name, _l("The next contact cannot be in the past."))
    return day


def family_of(mobile_text):
    """The students on file with a guardian holding this mobile (none when it is not a mobile number)."""
    try:
        found = students.families_with({validation.mobile(mobile_text)})
    except ValueError:
        return []
    return [s for group in found.values() for s in group]


def parse_inquiry(form):
    """An inquiry: the advisor, the channel, the child, the parent, the subject, a note, the next contact, and which
    child of a known family it is about ("attach_to") or that it is a new child of that family ("new_family")."""
    r = Reader(form)
    today = clock.today()
    attach = r.raw("attach")
    known = family_of(r.raw("mobile"))
    # only a child of the family whose mobile was typed: the lead then goes to that child's advisor
    attach_to = next((s for s in known if attach.isdigit() and s.id == int(attach)), None)
    name = r.text("name", required=attach_to is None, limit=students.NAME_MAX, message=_l("Enter the child's name."))
    values = {
        "advisor": active_advisor(r),
        "channel": r.choice("channel", students.SOURCES, message=_l("Choose how the family reached us.")),
        "child": {"name": name, "school": r.text("school", limit=60),
                  "grade": r.choice("grade", students.GRADES, required=False, default="",
                                    message=_l("Choose a grade from the list."))},
        "guardian": {"name": r.text("guardian_name", limit=students.NAME_MAX) or name[:1] + "家长",
                     "relation": r.choice("relation", students.RELATIONS, required=False, default="母亲",
                                          message=_l("Choose a relation.")),
                     "mobile": r.mobile("mobile")},
        "subject": r.text("subject", limit=SUBJECT_MAX),
        "note": r.text("note", multiline=True),
        "next_contact": _future_date(r, "next_contact", today),
        "attach_to": attach_to,
        "new_family": attach == "new",
    }
    r.done()
    return values


def parse_advance(form):
    """The next step: {"stage", "on" (today when empty), "note"}; whether the step may follow is the domain's."""
    r = Reader(form)
    values = {"stage": r.raw("stage"), "on": r.date("on", required=False, default=clock.today()),
              "note": r.text("note", limit=NOTE_MAX)}
    r.done()
    return values


def parse_contact(form):
    """A contact with the family: {"note", "next_contact"}."""
    r = Reader(form)
    values = {"note": r.text("note", required=True, limit=NOTE_MAX, message=_l("Write what was said.")),
              "next_contact": _future_date(r, "next_contact", clock.today())}
    r.done()
    return values


def parse_lose(form):
    """A lost lead: {"lost_reason"}."""
    r = Reader(form)
    values = {"lost_reason": r.text("lost_reason", required=True, limit=NOTE_MAX,
                                    message=_l("Say why the family did not sign."))}
    r.done()
    return values


def parse_step_back(form):
    """Taking back the last step: {"correct_reason"}."""
    r = Reader(form)
    values = {"correct_reason": r.text("correct_reason", required=True, limit=NOTE_MAX,
                                       message=_l("Say what was wrong with the step."))}
    r.done()
    return values
