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

PRINCIPAL = "principal"  # the role that holds every permission; the campus always keeps one active principal
SETUP_ROLES = frozenset({PRINCIPAL})  # the roles of the account first-run setup creates


def roles_of(user):
    """The user's role codes, sorted (for forms, badges and audit snapshots)."""
    return sorted(user.role_set) if user is not None else []


def loses_principal(user, roles, active):
    """True when giving `user` these `roles` (and this `active` flag) takes away an active principal."""
    return PRINCIPAL in user.role_set and (PRINCIPAL not in roles or not active)



# --- students, changes, contracts, hours, leads --------------------------------------------------------------------


# --- classes, timetable, attendance, scores, selfstudy -------------------------------------------------------------


# --- meetings, followups, notices, prints ---------------------------------------------------------------------------


# --- numbers, home, export --------------------------------------------------------------------------------------------
