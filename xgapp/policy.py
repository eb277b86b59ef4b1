"""Who may: every role group, every permission and every record-level scope, in one place.

Nothing outside this module tests a user's roles. Views guard routes with `security.require(permission)`;
domain code and templates ask the predicates and scopes below. The principal holds every permission.
"""

from flask_babel import lazy_gettext as _l

from xgapp.leads.models import Lead
from xgapp.students.models import Student

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
    # the student list as a workbook carries every guardian's mobile: advisors get only their own students
    "students.export": {"supervisor", "advisor"},
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

# Who sees what of a student file.
STUDENT_FULL_ROLES = {"principal", "supervisor"}  # every student, everything
STUDENT_BASIC_ROLES = {"frontdesk", "teacher", "director"}  # every student: name, school, advisor, guardians; no money
STUDENT_MONEY_ROLES = {"finance"}  # every student, with contracts and payments, read-only file
STUDENT_CREATORS = STUDENT_FULL_ROLES | {"advisor"}  # who opens student files
LEAD_DESK_ROLES = {"frontdesk"}  # front desk records walk-ins, sees every lead and works on them
PAYMENT_TAKERS = {"finance"}  # take further payments on any contract they can see


def student_access(user, student):
    """What `user` may do with `student`: a set of 'view', 'edit', 'money'."""
    if user is None:
        return set()
    roles = user.role_set
    if roles & STUDENT_FULL_ROLES:
        return {"view", "edit", "money"}
    rights = set()
    if "advisor" in roles and student.advisor_id == user.id:
        rights |= {"view", "edit", "money"}
    if roles & STUDENT_MONEY_ROLES:
        rights |= {"view", "money"}
    if roles & STUDENT_BASIC_ROLES:
        rights.add("view")
    return rights


def sees_all_students(user):
    """True when `user` may list every student (not only their own)."""
    return user is not None and bool(user.role_set & (STUDENT_FULL_ROLES | STUDENT_BASIC_ROLES | STUDENT_MONEY_ROLES))


def may_create_student(user):
    """Advisors, supervisors and principals open student files."""
    return has_role(user, *STUDENT_CREATORS)


def owns_students(user):
    """True for an advisor: new files and inquiries are theirs by default."""
    return has_role(user, "advisor")


def students_visible_to(user, query=None):
    """Restrict a student query to what `user` may see."""
    query = query if query is not None else Student.select()
    if sees_all_students(user):
        return query
    if has_role(user, "advisor"):
        return query.where(Student.advisor == user)
    return query.where(Student.id.is_null())


def may_filter_by_advisor(user):
    """The advisor filter of the student list: for everyone but an advisor who sees only their own students."""
    return can(user, "students.reassign") or not has_role(user, "advisor") or has_role(user, "principal")


def counts_all_leads(user):
    """The day's funnel numbers of the whole campus (supervisors, the principal, the front desk), not one advisor's."""
    return has_role(user, *(STUDENT_FULL_ROLES | LEAD_DESK_ROLES))


def leads_visible_to(user, query):
    """Restrict a lead query (joined to its student) to what `user` may see: all for supervisors and the principal,
    their own students' leads for an advisor, all for the front desk (it records walk-ins and sees who follows them
    up), none otherwise."""
    if has_role(user, *STUDENT_FULL_ROLES):
        return query
    if has_role(user, "advisor"):
        return query.where(Student.advisor == user)
    if has_role(user, *LEAD_DESK_ROLES):
        return query
    return query.where(Lead.id.is_null())


def may_filter_leads_by_advisor(user):
    """The advisor filter of the lead list: not for an advisor who sees only their own leads."""
    return not has_role(user, "advisor") or can(user, "students.reassign")


def may_work_lead(user, lead):
    """Advance, contact, lose or correct a lead: who may edit its student, and the front desk."""
    return "edit" in student_access(user, lead.student) or has_role(user, *LEAD_DESK_ROLES)


def may_take_payment(user, contract):
    """Record a further payment: who may edit the student, and finance."""
    return "edit" in student_access(user, contract.student) or has_role(user, *PAYMENT_TAKERS)



# --- classes, timetable, attendance, scores, selfstudy -------------------------------------------------------------


# --- meetings, followups, notices, prints ---------------------------------------------------------------------------


# --- numbers, home, export --------------------------------------------------------------------------------------------
