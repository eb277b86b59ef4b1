"""Who may: every role group, every permission and every record-level scope, in one place.

Nothing outside this module tests a user's roles. Views guard routes with `security.require(permission)`;
domain code and templates ask the predicates and scopes below. The principal holds every permission.
"""

from flask_babel import lazy_gettext as _l

ROLES = {
    "principal": _l("Principal"),
    "supervisor": _l("Advisor supervisor"),
    "advisor": _l("Advisor"),
    "director": _l("Teaching director"),
    "teacher": _l("Teacher"),
    "frontdesk": _l("Study-room teacher / front desk"),
    "finance": _l("Finance"),
}

# permission -> roles holding it; the principal holds every permission.
PERMISSIONS = {
    "accounts.manage": set(),
    "campus.edit": set(),
    "audit.view": {"supervisor"},
    "backups.manage": set(),
    "students.list": {"supervisor", "advisor", "frontdesk", "teacher", "director", "finance"},
    "students.reassign": {"supervisor"},
    "leads.view": {"supervisor", "advisor", "frontdesk"},
    "students.import": {"supervisor"},
    "hours.overdraft": {"supervisor"},
    "refunds.approve": {"supervisor"},
    "revenue.view": {"supervisor", "finance"},
    "classes.view": {"supervisor", "advisor", "teacher", "director"},
    "timetable.view": {"supervisor", "advisor", "teacher", "director", "frontdesk"},
    "attendance.take": {"supervisor", "advisor", "teacher", "director"},
    "rooms.manage": {"supervisor", "director"},
    "followups.view": {"supervisor", "advisor"},
    "meetings.view": {"supervisor", "advisor", "director", "teacher"},
    "followups.manage": {"supervisor"},
    "numbers.view": {"supervisor", "advisor"},
    "selfstudy.view": {"supervisor", "advisor", "frontdesk", "teacher", "director"},
    "selfstudy.desk": {"supervisor", "frontdesk"},
    "selfstudy.questions": {"supervisor", "frontdesk", "teacher", "director"},
    "export.view": {"supervisor"},
    "export.settings": set(),
}



def can(user, permission):
    """True when `user` holds `permission` through one of their roles."""
    if permission not in PERMISSIONS:
        raise KeyError("unknown permission %r" % permission)
    if user is None:
        return False
    roles = user.role_set
    return "principal" in roles or bool(roles & PERMISSIONS[permission])


def has_role(user, *roles):
    """True when `user` holds any of `roles` (role codes of ROLES)."""
    return user is not None and bool(user.role_set & set(roles))


# --- accounts, campus, backup, audit -------------------------------------------------------------------------------


# --- students, changes, contracts, hours, leads --------------------------------------------------------------------


# --- classes, timetable, attendance, scores, selfstudy -------------------------------------------------------------


# --- meetings, followups, notices, prints ---------------------------------------------------------------------------


# --- numbers, home, export --------------------------------------------------------------------------------------------

NUMBERS_LEADERS = {"supervisor", "principal"}  # see every advisor's numbers, set targets, write the campus's 月报
HOME_ALERT_ROLES = {"principal", "supervisor", "advisor", "director"}  # low-hour classes on the first screen
LOW_BALANCE_WATCHERS = {"principal", "supervisor", "advisor"}  # low-balance students and suspensions ending
MANUAL_LATE_DAYS = 7  # an advisor may still correct her own manual counter this many days later


def is_numbers_leader(user):
    """The supervisor and the principal: the campus's numbers, every advisor's day, the targets form."""
    return has_role(user, *NUMBERS_LEADERS)


def is_advisor(user):
    """`user` is an advisor (whose own numbers, leads and ranking row are shown)."""
    return has_role(user, "advisor")


def may_see_advisor_numbers(user, advisor):
    """An advisor sees her own day, month and targets; a leader sees every advisor's."""
    return is_numbers_leader(user) or (user is not None and user.id == advisor.id)


def may_tap_counter(user, advisor, day, today):
    """The advisor on her own manual counter (today and the last MANUAL_LATE_DAYS days); a leader on anyone's; no
    one on a day still to come."""
    if day > today:
        return False
    if is_numbers_leader(user):
        return True
    return user.id == advisor.id and (today - day).days <= MANUAL_LATE_DAYS


def may_write_month_report(user, advisor):
    """An advisor writes her own 月报; a leader writes the campus's (advisor None)."""
    if advisor is None:
        return is_numbers_leader(user)
    return user.id == advisor.id


def may_see_ranking_figures(user, advisor):
    """On the monthly ranking every advisor sees every position and name, but the figures (amounts, contracts,
    rates, targets, complaints, classes) of her own row only; the supervisor and the principal see all of them."""
    return is_numbers_leader(user) or (user is not None and user.id == advisor.id)


def role_codes(user):
    """The user's role codes, sorted (the badges under the greeting)."""
    return sorted(user.role_set)


def may_print_own_daily_report(user):
    """The 'today's daily report' button of the first screen: an advisor who logs follow-ups."""
    return is_advisor(user) and can(user, "followups.view")


# The first screen's panels, in the order they are shown.
HOME_PANELS = ("study_overdue", "campus_numbers", "my_numbers", "in_room", "followups_due", "plans_due",
               "my_questions", "notices", "resumptions", "lessons", "low_classes", "low_students")


def home_panels(user):
    """The first screen's panels `user` gets, in page order (each panel shows only when it has something to say,
    except the ones that say "nothing": the study room now and today's lessons)."""
    given = {"study_overdue", "my_questions", "notices"}  # every staff screen: a child still signed in after closing
    if can(user, "followups.view"):
        given.add("followups_due")
    if can(user, "numbers.view"):
        if is_numbers_leader(user):
            given.add("campus_numbers")
        elif is_advisor(user):
            given.add("my_numbers")
    elif has_role(user, "frontdesk"):  # the desk's first screen: who is in the study room now
        given.add("in_room")
    if has_role(user, "teacher"):
        given.add("plans_due")
    if can(user, "attendance.take"):
        given.add("lessons")
    if has_role(user, *HOME_ALERT_ROLES):
        given.add("low_classes")
        if has_role(user, *LOW_BALANCE_WATCHERS):
            given |= {"low_students", "resumptions"}
    return [name for name in HOME_PANELS if name in given]
