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

from xgapp.classes.models import Enrolment, Lesson, SchoolClass  # noqa: E402  (models sit below policy)
from xgapp.students.models import Student  # noqa: E402

CLASS_MANAGERS = {"principal", "supervisor", "director"}  # change every class; advisors change the ones they run
CLASS_VIEWERS = CLASS_MANAGERS | {"finance", "frontdesk"}  # see every class
PAST_CORRECTORS = {"principal", "supervisor"}  # record a lesson, roll call or change dated before today
QUESTION_CLOSERS = {"principal", "supervisor", "director"}  # close a study-room question handed to someone else


def manages_classes(user):
    """True for the roles that run every class (and see the campus's teaching figures and teacher hours)."""
    return has_role(user, *CLASS_MANAGERS)


def runs_own_classes_only(user):
    """An advisor who is not a manager: the classes she opens are hers, and she cannot hand one to someone else."""
    return has_role(user, "advisor") and not manages_classes(user)


def may_manage_class(user, klass=None):
    """True when `user` may create classes (klass=None) or change `klass` (its plan, lessons, enrolments)."""
    if manages_classes(user):
        return True
    if has_role(user, "advisor"):
        return klass is None or klass.advisor_id == user.id
    return False


def classes_visible_to(user, query=None):
    """Classes `user` may see: all for managers, finance and the desk; an advisor's own and those her students sit
    in; a teacher's own and those they teach a lesson of."""
    query = query if query is not None else SchoolClass.select()
    if has_role(user, *CLASS_VIEWERS):
        return query
    mine = SchoolClass.id.is_null()
    if has_role(user, "advisor"):
        with_my_students = (Enrolment.select(Enrolment.klass).join(Student)
                            .where(Student.advisor == user, Enrolment.status == "active"))
        mine = mine | (SchoolClass.advisor == user) | SchoolClass.id.in_(with_my_students)
    if has_role(user, "teacher"):
        taught = Lesson.select(Lesson.klass).where(Lesson.teacher == user)
        mine = mine | (SchoolClass.teacher == user) | SchoolClass.id.in_(taught)
    return query.where(mine)


def may_take_roll_call(user, lesson):
    """The lesson's teacher, the class's advisor, and managers take attendance."""
    return manages_classes(user) or lesson.teacher_id == user.id or (
        has_role(user, "advisor") and lesson.klass.advisor_id == user.id)


def roll_calls_of(user, query):
    """The lessons of `query` (joined with their class) whose roll call `user` takes: all for managers, else the
    lessons they teach and (for an advisor) the lessons of the classes they run."""
    if manages_classes(user):
        return query
    mine = Lesson.teacher == user
    if has_role(user, "advisor"):
        mine = mine | (SchoolClass.advisor == user)
    return query.where(mine)


def may_enter_scores(user, klass):
    """Who may change the class, and the class's teacher, create its tests and enter their scores."""
    return may_manage_class(user, klass) or klass.teacher_id == user.id


def may_correct_past(user):
    """The principal and supervisors record corrections in the past (the system, user None, too)."""
    return user is None or has_role(user, *PAST_CORRECTORS)


def sees_every_teacher_month(user):
    """Managers and advisors see every teacher's month of lessons; a teacher sees their own."""
    return manages_classes(user) or has_role(user, "advisor")


def may_confirm_teacher_month(user, classes_taught):
    """The campus side of a teacher's month: managers, or an advisor running one of `classes_taught` (the classes
    the teacher held lessons of that month)."""
    if manages_classes(user):
        return True
    return has_role(user, "advisor") and any(klass.advisor_id == user.id for klass in classes_taught)


def may_resolve_visit(user, visit):
    """The desk, and the student's own advisor (who calls the parent), close a study-room visit left open."""
    return can(user, "selfstudy.desk") or (has_role(user, "advisor") and visit.student.advisor_id == user.id)


def may_close_question(user, question):
    """A handed-on question is closed by the teacher it was handed to, or by a manager."""
    return question.status == "handed" and (question.handed_to_id == user.id or has_role(user, *QUESTION_CLOSERS))



# --- meetings, followups, notices, prints ---------------------------------------------------------------------------


# --- numbers, home, export --------------------------------------------------------------------------------------------
