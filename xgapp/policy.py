"""Who may: every role group, every permission and every record-level scope, in one place.

Nothing outside this module tests a user's roles. Views guard routes with `security.require(permission)`;
domain code and templates ask the predicates and scopes below. The principal holds every permission.
"""

from flask_babel import lazy_gettext as _l

from xgapp.classes.models import Enrolment, Lesson, SchoolClass
from xgapp.complaints.models import Complaint
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
    # complaints: everyone who meets families records one; teachers see the closed ones about them
    "complaints.view": {"supervisor", "advisor", "director", "teacher", "frontdesk"},
    "complaints.record": {"supervisor", "advisor", "director", "frontdesk"},
    "complaints.manage": {"supervisor"},
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

SERIOUS_MEETING_ROLES = ("director", "supervisor", "principal")  # attend a serious parent meeting (sheet order)
MEETING_LEADERS = set(SERIOUS_MEETING_ROLES)  # ... and see every family's meeting
BRIEFING_OVERRIDERS = {"principal", "supervisor"}  # allow a briefing later than 24 h before the first lesson
PLAN_REVIEWERS = {"director", "principal"}  # review a teacher's revised teaching plan
PLAN_REVIEW_NOTIFIED = ("director",)  # told when a revised plan is handed in
MINUTES_COPY_TO = ("supervisor",)  # receive every parent meeting's minutes (and are named on the printed form)
PLAN_STANDINS = {"principal", "supervisor"}  # may hand a plan in for its teacher
FOLLOWUP_LEADERS = {"principal", "supervisor"}  # correct anyone's follow-up; are asked to look at escalations
REPORT_LEADERS = {"supervisor", "principal"}  # every advisor's daily and monthly reports, the campus's reports


def may_override_briefing(user):
    """A supervisor (or the principal) may allow a briefing later than 24 hours before the first lesson."""
    return has_role(user, *BRIEFING_OVERRIDERS)


def may_run_parent_meeting(user, meeting):
    """The host advisor, the class's advisor and the class managers run a parent meeting; a family's meeting also
    whoever may edit the student."""
    if has_role(user, *CLASS_MANAGERS) or meeting.host_id == user.id:
        return True
    if meeting.klass_id:
        return may_manage_class(user, meeting.klass)
    return "edit" in student_access(user, meeting.student)


def may_prepare_parent_meeting(user, meeting):
    """Who runs the meeting prepares the advisor's side; the class's teacher prepares their own."""
    return may_run_parent_meeting(user, meeting) or (meeting.klass_id is not None
                                                      and meeting.klass.teacher_id == user.id)


def may_see_family_meeting(user, meeting):
    """A family's meeting (no class) is for who runs it and the campus leaders, not every teacher."""
    return may_run_parent_meeting(user, meeting) or has_role(user, *MEETING_LEADERS)


def sees_every_parent_meeting(user):
    """The class managers and the teaching director list every meeting not yet minuted."""

    return has_role(user, *(CLASS_MANAGERS | {"director"}))


def may_submit_plan(user, plan):
    """The class's teacher writes the revised plan (the principal or supervisor may hand it in for them)."""
    return plan.teacher_id == user.id or has_role(user, *PLAN_STANDINS)


def may_review_plans(user):
    return has_role(user, *PLAN_REVIEWERS)


def may_edit_followup(user, followup):
    """Only who logged it changes a follow-up (a supervisor may correct any)."""
    return followup.advisor_id == user.id or has_role(user, *FOLLOWUP_LEADERS)


def is_report_leader(user):
    """The supervisor and the principal: every advisor's reports and the campus's."""
    return has_role(user, *REPORT_LEADERS)


def may_see_advisor_report(user, advisor):
    """An advisor's daily or monthly report: the advisor herself and the report leaders (and only of an advisor)."""
    return has_role(advisor, "advisor") and (advisor.id == user.id or is_report_leader(user))



# --- complaints -------------------------------------------------------------------------------------------------------

COMPLAINT_LEADERS = {"principal", "supervisor", "director"}  # every complaint of the campus


def complaints_visible_to(user, query=None):
    """Restrict a complaint query to what `user` may see: leaders every one; others those they received or own,
    an advisor those of her students, a teacher the closed ones about them."""
    query = query if query is not None else Complaint.select()
    if has_role(user, *COMPLAINT_LEADERS):
        return query
    if user is None:
        return query.where(Complaint.id.is_null())
    seen = (Complaint.owner == user) | (Complaint.received_by == user)
    if has_role(user, "advisor"):
        seen |= Complaint.student.in_(Student.select(Student.id).where(Student.advisor == user))
    if has_role(user, "teacher"):
        seen |= (Complaint.about_user == user) & Complaint.closed_at.is_null(False)
    return query.where(seen)


def complaints_due_scope(user, query):
    """The complaints whose lateness `user`'s first screen shows: the principal's and the supervisor's every one,
    anyone else's their own."""
    if has_role(user, "principal", "supervisor"):
        return query
    return query.where(Complaint.owner == user)


def may_handle_complaint(user, complaint):
    """The owner, the supervisor and the principal write its steps, hand it on and close it."""
    return user is not None and (complaint.owner_id == user.id or can(user, "complaints.manage"))


def hides_complainant(user, complaint, hide_rule):
    """True when `user` sees `complaint` only as the teacher it is about and the campus hides the family from them."""
    if not hide_rule or user is None or has_role(user, *COMPLAINT_LEADERS):
        return False
    if user.id in (complaint.owner_id, complaint.received_by_id):
        return False
    if has_role(user, "advisor") and complaint.student_id is not None and complaint.student.advisor_id == user.id:
        return False
    return complaint.about_user_id == user.id


# --- numbers, home, export --------------------------------------------------------------------------------------------

NUMBERS_LEADERS = {"supervisor", "principal"}  # see every advisor's numbers, set targets, write the campus's 月报
HOME_ALERT_ROLES = {"principal", "supervisor", "advisor", "director"}  # low-hour classes on the first screen
LOW_BALANCE_WATCHERS = STUDENT_FULL_ROLES | {"advisor"}  # low-balance students and suspensions ending
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
HOME_PANELS = ("study_overdue", "complaints_due", "campus_numbers", "my_numbers", "in_room", "followups_due", "plans_due",
               "my_questions", "notices", "resumptions", "lessons", "low_classes", "low_students")


def home_panels(user):
    """The first screen's panels `user` gets, in page order (each panel shows only when it has something to say,
    except the ones that say "nothing": the study room now and today's lessons)."""
    given = {"study_overdue", "my_questions", "notices"}  # every staff screen: a child still signed in after closing
    if can(user, "complaints.record"):  # late complaints they own (leaders: every late one, and the serious)
        given.add("complaints_due")
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
