"""The printable forms: what each is called, which record fills it, and the blank version for handwriting.

Every form is keyed by a text `ref`: a record id (briefing, parent-meeting, first-lesson), a campus-local day
(selfstudy-log, qa-log), advisor/day (daily-report) or a change number such as TK-12 (change-form). Loaders take the
viewer (None on the command line) so a day's lists show an advisor only her own students, as the screens do. They
never check other permissions: the views do that before calling them. Printed forms are always in Chinese: the paper
goes into the student's Chinese file.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

import peewee as pw
from peewee import fn

from xgapp import clock, policy
from xgapp.accounts.models import User
from xgapp.classes import domain as classes
from xgapp.classes.models import Enrolment, Lesson, SchoolClass, StudentChange, Suspension
from xgapp.campus import rules
from xgapp.complaints import domain as complaints
from xgapp.complaints.models import Complaint
from xgapp.contracts import domain as contracts
from xgapp.contracts.models import Contract, Refund
from xgapp.followups import domain as followups
from xgapp.meetings import briefings, parents
from xgapp.meetings.models import (Briefing, BriefingAttendee, FirstLessonFeedback, ParentMeeting,
                                   ParentMeetingAttendee, TeachingPlan)
from xgapp.numbers import daily, periods, report, targets
from xgapp.selfstudy import questions
from xgapp.selfstudy.models import Question, Visit, VisitExit
from xgapp.students import domain as students
from xgapp.students.models import Guardian, Student


class NotFound(LookupError):
    """No record behind this ref (or the ref is malformed)."""


ROLE_NAMES = {"advisor": "学管师", "teacher": "授课老师", "parent": "家长", "director": "教学主任",
              "supervisor": "学管师主管", "principal": "校长"}
CAME = {True: "√", False: "缺席", None: ""}
# The one spelling of each kind of ref (ASCII digits, no leading zero, upper case, years 2000–2099): a record is
# printed, and its signed copy filed, under exactly one name.
_ID, _DAY = r"[1-9][0-9]{0,17}", r"20[0-9]{2}-[0-9]{2}-[0-9]{2}"
REF_PATTERNS = {"id": _ID, "date": _DAY, "advisor-date": _ID + "/" + _DAY, "change": "(?:TK|ZB|TF)-" + _ID,
                "scope-month": "(?:campus|%s)/20[0-9]{2}-(?:0[1-9]|1[0-2])" % _ID}
BLANK_ROWS = 12


@dataclass(frozen=True)
class Form:
    name: str  # command-line and URL name
    title: str
    code: str  # printed in the form number
    template: str
    keyed_by: str  # "id", "date", "advisor-date", "change" (TK-n / ZB-n / TF-n) or "scope-month" (campus/2026-11)
    load: Callable = field(repr=False)  # (ref, viewer) -> context
    blank: Callable = field(repr=False)  # (params) -> context
    refs_between: Callable = field(default=None, repr=False)  # (first, last, viewer) -> [ref] for batch printing

    def number(self, ref):
        """The form number printed in the corner: YB-2026-11 for the campus's month, RB-7-2026-11-30 for a person's."""
        return "%s-%s" % (self.code, str(ref).removeprefix("campus/").replace("/", "-"))

    def check_ref(self, ref):
        """`ref` if it is this form's one spelling of a record key (NotFound otherwise: 05, ５, tk-5, 20260203)."""
        ref = str(ref)
        if not re.fullmatch(REF_PATTERNS[self.keyed_by], ref, flags=re.ASCII):
            raise NotFound(ref)
        if self.keyed_by in ("date", "advisor-date"):
            _day(ref.rpartition("/")[2])
        return ref


def _int(ref):
    try:
        value = int(str(ref))
    except ValueError:
        raise NotFound(ref) from None
    if not 0 < value < 2 ** 63:
        raise NotFound(ref)
    return value


def _day(ref):
    try:
        return ref if isinstance(ref, date) else date.fromisoformat(str(ref))
    except ValueError:
        raise NotFound(ref) from None


def _hm(instant):
    return clock.local(instant).strftime("%H:%M") if instant else ""


def _when(instant):
    return clock.local(instant).strftime("%Y-%m-%d %H:%M") if instant else ""


def _name(user):
    return user.display_name if user is not None else ""


def _local_bounds(first, last):
    """The instants from campus-local midnight starting `first` to the one ending `last`."""
    return clock.days_bounds(first, last)


# --- 课前说明会记录单 --------------------------------------------------------------------------------------------


def _class_head(klass, student=None):
    """The class, its subject, teacher and first lesson (the student's own first lesson when given)."""
    first = briefings.first_lesson(klass)
    if student is not None:
        joined = (Enrolment.select(fn.MIN(Enrolment.joined_on))
                  .where(Enrolment.klass == klass, Enrolment.student == student).scalar())
        if joined is not None:
            first = (Lesson.select().where(Lesson.klass == klass, Lesson.status != "cancelled", Lesson.day >= joined)
                     .order_by(Lesson.starts_at).first())
    return {"klass_name": klass.name, "subject": " / ".join(x for x in (klass.subject, klass.grade) if x),
            "teacher": klass.teacher.display_name, "first_lesson": _when(first.starts_at) if first else ""}


def _briefing(ref, viewer=None):
    briefing = (Briefing.select(Briefing, SchoolClass).join(SchoolClass)
                .where(Briefing.id == _int(ref)).first())
    if briefing is None:
        raise NotFound(ref)
    klass = briefing.klass
    if briefing.status == "held":
        rows = list(BriefingAttendee.select().where(BriefingAttendee.briefing == briefing)
                    .order_by(BriefingAttendee.id))
        attendees = [{"role": ROLE_NAMES.get(a.role, a.role), "name": a.name, "came": CAME[a.came]} for a in rows]
    else:  # printed before the briefing: the sign-in sheet, content left to write by hand
        attendees = [{"role": ROLE_NAMES.get(r["role"], r["role"]), "name": r["name"], "came": ""}
                     for r in briefings.expected(briefing)]
    held = briefing.status == "held"
    return dict(_class_head(klass), when=_when(briefing.starts_at), place=briefing.place,
                host=briefing.host.display_name, sessions=briefing.sessions if held else None,
                syllabus=briefing.syllabus if held else "", goals=briefing.goals if held else "",
                qa=briefing.qa if held else "", attendees=attendees, extra_rows=0 if held else 2,
                form_date=clock.local(briefing.starts_at).strftime("%Y-%m-%d"), record=briefing,
                summary="%s 课前说明会记录单" % klass.name)


def _briefing_blank(params):
    context = dict(klass_name="", subject="", teacher="", first_lesson="", when="", place="", host="", sessions=None,
                   syllabus="", goals="", qa="", attendees=[], extra_rows=BLANK_ROWS + 6)
    klass = params.get("class")
    if klass is not None:  # a class without a briefing yet: its people listed, the rest by hand
        host = klass.advisor
        people = [{"role": "学管师", "name": host.display_name, "came": ""},
                  {"role": "授课老师", "name": klass.teacher.display_name, "came": ""}]
        first = briefings.first_lesson(klass)
        members = classes.members(klass, day=first.day) if first is not None else classes.members(klass)
        guardians = _first_guardians([e.student_id for e in members])
        people += [{"role": "家长", "name": _parent_label(guardians.get(e.student_id), e.student), "came": ""}
                   for e in members]
        context.update(_class_head(klass), host=host.display_name, attendees=people, extra_rows=2)
    return context


def _first_guardians(student_ids):
    found = {}
    for guardian in Guardian.select().where(Guardian.student.in_(student_ids)).order_by(Guardian.position):
        found.setdefault(guardian.student_id, guardian)
    return found


def _parent_label(guardian, student):
    return "%s（%s%s）" % (guardian.name if guardian else "家长", student.name,
                         "的" + guardian.relation if guardian else "")


def _briefings_between(first, last, viewer):
    start, end = _local_bounds(first, last)
    query = Briefing.select(Briefing.id).where(Briefing.starts_at >= start, Briefing.starts_at < end)
    if viewer is not None:
        query = query.where(Briefing.klass.in_(policy.classes_visible_to(viewer, SchoolClass.select(SchoolClass.id))))
    return [str(b.id) for b in query.order_by(Briefing.starts_at)]


# --- 家长会记录表 ---------------------------------------------------------------------------------------------


def _parent_meeting(ref, viewer=None):
    meeting = ParentMeeting.get_or_none(ParentMeeting.id == _int(ref))
    if meeting is None:
        raise NotFound(ref)
    held = meeting.status == "held"
    if held:
        rows = list(ParentMeetingAttendee.select().where(ParentMeetingAttendee.meeting == meeting)
                    .order_by(ParentMeetingAttendee.id))
        attendees = [{"role": ROLE_NAMES.get(a.role, a.role), "name": a.name, "came": CAME[a.came]} for a in rows]
        staff = [a.name for a in rows if a.role != "parent" and a.came]
    else:
        rows = parents.expected(meeting)
        attendees = [{"role": ROLE_NAMES.get(r["role"], r["role"]), "name": r["name"], "came": ""} for r in rows]
        staff = []
    plan = TeachingPlan.get_or_none(TeachingPlan.meeting == meeting)
    if plan is not None:
        plan_due = plan.due_on.isoformat()
    elif meeting.klass_id:  # the class teacher's revised plan will be due a week after the meeting
        plan_due = (clock.local(meeting.starts_at).date() + timedelta(days=7)).isoformat()
    else:  # a family meeting: no teaching plan follows
        plan_due = None
    copy_to = [u.display_name for role in policy.MINUTES_COPY_TO for u in parents.role_users(role)]
    copy_to += [name for name in staff if name not in copy_to and name != meeting.host.display_name]
    minutes = {f: getattr(meeting, f) if held else "" for f in parents.MINUTES_FIELDS}
    return dict(minutes, about=parents.title(meeting), kind="重要问题（领导参加）" if meeting.serious else "常规",
                when=_when(meeting.starts_at), place=meeting.place, host=meeting.host.display_name,
                teacher=meeting.klass.teacher.display_name if meeting.klass_id else "",
                attendees=attendees, extra_rows=0 if held else 2, plan_due=plan_due,
                copy_to="、".join(copy_to), form_date=clock.local(meeting.starts_at).strftime("%Y-%m-%d"),
                record=meeting, summary="%s 家长会记录表" % parents.title(meeting))


def _parent_meeting_blank(params):
    context = dict({f: "" for f in parents.MINUTES_FIELDS}, about="", kind="□常规　□重要问题", when="", place="",
                   host="", teacher="", attendees=[], extra_rows=BLANK_ROWS, plan_due="", copy_to="")
    klass = params.get("class")
    if klass is not None:  # a class's meeting to be held: its advisor, teacher and families listed, the rest by hand
        guardians = _first_guardians([e.student_id for e in classes.members(klass)])
        people = [{"role": "学管师", "name": klass.advisor.display_name, "came": ""},
                  {"role": "授课老师", "name": klass.teacher.display_name, "came": ""}]
        people += [{"role": "家长", "name": _parent_label(guardians.get(e.student_id), e.student), "came": ""}
                   for e in classes.members(klass)]
        context.update(about=klass.name, host=klass.advisor.display_name, teacher=klass.teacher.display_name,
                       attendees=people, extra_rows=2)
    return context


def _meetings_between(first, last, viewer):
    start, end = _local_bounds(first, last)
    query = ParentMeeting.select().where(ParentMeeting.starts_at >= start, ParentMeeting.starts_at < end)
    rows = list(query.order_by(ParentMeeting.starts_at))
    if viewer is not None:
        seen = {k.id for k in policy.classes_visible_to(viewer, SchoolClass.select(SchoolClass.id))}
        rows = [m for m in rows if (m.klass_id in seen if m.klass_id else policy.may_see_family_meeting(viewer, m))]
    return [str(m.id) for m in rows]


# --- 学员自习登记表 / 答疑记录表 -----------------------------------------------------------------------------------


def _among(viewer):
    """Advisors print their own students' rows; the desk, teachers and managers the whole room."""
    if viewer is None or policy.sees_all_students(viewer):
        return None
    return policy.students_visible_to(viewer, Student.select(Student.id))


def _selfstudy_log(ref, viewer=None):
    day = _day(ref)
    advisor = User.alias()
    query = (Visit.select(Visit, Student, advisor).join(Student, on=(Visit.student == Student.id))
             .join_from(Student, advisor, pw.JOIN.LEFT_OUTER, on=(Student.advisor == advisor.id))
             .where(Visit.day == day))
    among = _among(viewer)
    if among is not None:
        query = query.where(Visit.student.in_(among))
    visits = list(query.order_by(Visit.arrived_at))
    exits = {}
    for e in (VisitExit.select().where(VisitExit.visit.in_([v.id for v in visits])).order_by(VisitExit.out_at)
              if visits else []):
        exits.setdefault(e.visit_id, []).append("%s–%s %s" % (_hm(e.out_at), _hm(e.back_at) or "未回", e.reason))
    rows = []
    for v in visits:
        if v.pickup_kind == "alone":
            pickup = "自行回家"
        elif v.resolved_at and not v.pickup_kind:
            pickup = "补登：%s" % v.resolved_note
        elif v.pickup_name:
            relation = v.pickup_relation if v.pickup_relation and v.pickup_relation not in v.pickup_name else ""
            pickup = v.pickup_name + ("（%s）" % relation if relation else "") + ("" if v.pickup_on_file else " 非档案登记人")
        else:
            pickup = ""
        left = _hm(v.left_at) if v.left_at else "未签退"
        if v.resolved_at:
            left += "（补登）"
        rows.append({"student": v.student.name, "school": v.student.school,
                     "advisor": v.student.advisor.display_name if v.student.advisor_id else "",
                     "arrived": _hm(v.arrived_at), "left": left, "subjects": v.subjects,
                     "homework": {True: "已检查", False: "未完成", None: ""}[v.homework_checked],
                     "pickup": pickup, "exits": "；".join(exits.get(v.id, []))})
    return {"rows": rows, "extra_rows": 0 if rows else 9, "form_date": day.isoformat(),  # 9: one landscape page
            "summary": "%s 学员自习登记表" % day.isoformat()}


def _selfstudy_blank(params):
    return {"rows": [], "extra_rows": 20, "form_date": ""}  # two full pages: a busy evening


def _visit_days(first, last, viewer):
    query = Visit.select(Visit.day).where(Visit.day.between(first, last))
    among = _among(viewer)
    if among is not None:
        query = query.where(Visit.student.in_(among))
    return [d.isoformat() for (d,) in query.distinct().order_by(Visit.day).tuples()]


def _qa_log(ref, viewer=None):
    day = _day(ref)
    rows = []
    for q in questions.of_day(day, _among(viewer)):
        if q.status == "handed":
            status = "转交 %s，待解答" % _name(q.handed_to)
        elif q.status == "closed":
            status = "已由 %s 解答" % (_name(q.closed_by) or "老师")
        else:
            status = "已解答"
        rows.append({"student": q.student.name, "subject": q.subject, "question": q.question, "answer": q.answer,
                     "teacher": _name(q.teacher), "status": status})
    return {"rows": rows, "extra_rows": 0 if rows else BLANK_ROWS, "form_date": day.isoformat(),
            "summary": "%s 答疑记录表" % day.isoformat()}


def _qa_blank(params):
    return {"rows": [], "extra_rows": 16, "form_date": ""}


def _question_days(first, last, viewer):
    query = Question.select(Question.day).where(Question.day.between(first, last))
    among = _among(viewer)
    if among is not None:
        query = query.where(Question.student.in_(among))
    return [d.isoformat() for (d,) in query.distinct().order_by(Question.day).tuples()]


# --- 第一次课后备忘录 ---------------------------------------------------------------------------------------------


def _first_lesson(ref, viewer=None):
    row = (FirstLessonFeedback.select(FirstLessonFeedback, SchoolClass, Student)
           .join(SchoolClass).join_from(FirstLessonFeedback, Student)
           .where(FirstLessonFeedback.id == _int(ref)).first())
    if row is None:
        raise NotFound(ref)
    head = _class_head(row.klass, row.student)
    return dict(head, student=row.student.name, advisor=_name(row.student.advisor) if row.student.advisor_id else "",
                written="%s（%s）" % (_when(row.at), _name(row.by)), from_student=row.from_student,
                from_teacher=row.from_teacher, from_parent=row.from_parent, form_date=clock.local(row.at).strftime("%Y-%m-%d"),
                record=row, summary="%s %s 第一次课后备忘录" % (row.student.name, row.klass.name))


def _first_lesson_blank(params):
    context = dict(klass_name="", subject="", teacher="", first_lesson="", student="", advisor="", written="",
                   from_student="", from_teacher="", from_parent="")
    klass, student = params.get("class"), params.get("student")
    if klass is not None:
        context.update(_class_head(klass, student))
    if student is not None:
        context.update(student=student.name, advisor=_name(student.advisor) if student.advisor_id else "")
    return context


def _feedback_between(first, last, viewer):
    start, end = _local_bounds(first, last)
    query = FirstLessonFeedback.select(FirstLessonFeedback.id).where(FirstLessonFeedback.at >= start,
                                                                     FirstLessonFeedback.at < end)
    if viewer is not None:  # as the memo's own page: a class the viewer sees, and a student they see
        query = query.where(FirstLessonFeedback.klass.in_(policy.classes_visible_to(viewer, SchoolClass.select(SchoolClass.id))),
                            FirstLessonFeedback.student.in_(policy.students_visible_to(viewer, Student.select(Student.id))))
    return [str(f.id) for f in query.order_by(FirstLessonFeedback.at)]


# --- 学管师日报 -------------------------------------------------------------------------------------------------


def split_advisor_day(ref):
    """'7/2026-11-28' → (User 7, date); NotFound otherwise."""
    advisor_id, _, day = str(ref).partition("/")
    advisor = User.get_or_none(User.id == _int(advisor_id))
    if advisor is None:
        raise NotFound(ref)
    return advisor, _day(day)


def _daily_report(ref, viewer=None):
    advisor, day = split_advisor_day(ref)
    n = daily.advisor_day(advisor, day)
    figures = [("咨询电话", n["inquiries"]), ("邀约", n["invitations"]), ("上门", n["visits"]),
               ("试听", n["trials"]), ("回访", n["followups"]),
               ("新签", "%d 单 ¥%s" % (n["new"]["count"], n["new"]["amount"])),
               ("续费 / 续班", "%d 单 ¥%s" % (n["renewal"]["count"], n["renewal"]["amount"])),
               ("扩科", "%d 单 ¥%s" % (n["expansion"]["count"], n["expansion"]["amount"])),
               ("转介绍", "%d 单 ¥%s" % (n["referral"]["count"], n["referral"]["amount"])),
               ("课消（课时）", n["hours_consumed"]), ("进账", "¥%s" % n["revenue"]),
               ("热线电话（手工）", n["manual"]["hotline"])]
    rows = [{"time": _hm(f.at), "student": f.student.name, "kind": str(followups.KINDS.get(f.kind, f.kind)),
             "channel": str(followups.CHANNELS.get(f.channel, f.channel)),
             "content": "；".join(x for x in (f.content, f.result) if x)} for f in n["followup_rows"]]
    return {"advisor": advisor.display_name, "day": day.isoformat(), "figures": figures, "followups": rows,
            "extra_rows": 0 if rows else 4, "low_classes": [(k.name, left) for k, left in n["low_classes"]],
            "extra_low_rows": 0 if n["low_classes"] else 2, "form_date": day.isoformat(),
            "summary": "%s %s 日报" % (advisor.display_name, day.isoformat())}


def _daily_blank(params):
    labels = ["咨询电话", "邀约", "上门", "试听", "回访", "新签", "续费 / 续班", "扩科", "转介绍", "课消（课时）", "进账",
              "热线电话（手工）"]
    return {"advisor": "", "day": "", "figures": [(label, None) for label in labels], "followups": [],
            "extra_rows": 4, "low_classes": [], "extra_low_rows": 2, "form_date": ""}  # one page


def _daily_between(first, last, viewer):
    if viewer is not None and not policy.is_report_leader(viewer):
        people = [viewer] if policy.has_role(viewer, "advisor") else []
    else:
        people = list(students.advisors())
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return ["%d/%s" % (p.id, d.isoformat()) for d in days for p in people]


# --- 校区日报 --------------------------------------------------------------------------------------------------


def _campus_daily(ref, viewer=None):
    day = _day(ref)
    figures = daily.campus_day(day)
    names = {advisor.id: advisor.display_name for advisor, _ in figures["by_advisor"]}
    return {"columns": report.COLUMNS, "rows": [(a.display_name, report.row(f)) for a, f in figures["by_advisor"]],
            "total": report.row(figures), "extra_rows": 0 if figures["by_advisor"] else 3,
            "low_classes": [(k.name, names.get(k.advisor_id, ""), left) for k, left in figures["low_classes"]],
            "form_date": day.isoformat(), "summary": "%s 校区日报" % day.isoformat()}


def _campus_daily_blank(params):
    return {"columns": report.COLUMNS, "rows": [], "total": [""] * len(report.COLUMNS), "extra_rows": 4,
            "low_classes": [], "form_date": ""}


def _every_day(first, last, viewer):
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


# --- 月报 ---------------------------------------------------------------------------------------------------------


def split_scope_month(ref):
    """'campus/2026-11' → (None, date(2026, 11, 1)); '7/2026-11' → (User 7, …); NotFound otherwise."""
    scope, _, month = str(ref).partition("/")
    first = date.fromisoformat(month + "-01") if re.fullmatch(r"20[0-9]{2}-(?:0[1-9]|1[0-2])", month) else None
    if first is None:
        raise NotFound(ref)
    if scope == "campus":
        return None, first
    advisor = User.get_or_none(User.id == _int(scope))
    if advisor is None:
        raise NotFound(ref)
    return advisor, first


def _month_report(ref, viewer=None):
    advisor, month = split_scope_month(ref)
    last = clock.month_last(month)
    data = periods.figures(month, last, advisor)
    signing, renewal = periods.month_rates(month, advisor)
    text = periods.text_of(month, advisor)

    def shown(v, kind):
        return "¥%s" % v if kind == "money" else v

    def rate(r):
        return "—" if r[2] is None else "%s%%（%d/%d）" % (r[2], r[0], r[1])

    label = month.strftime("%Y-%m")
    return {"report_title": "学管师月报" if advisor else "校区月报", "advisor": advisor.display_name if advisor else None,
            "month": label,
            "figures": [(header, shown(report.value(data, key), kind)) for key, header, kind, _l in report.COLUMNS],
            "signing": rate(signing), "renewal": rate(renewal),
            "goals": [(lab, targets.fmt(c["target"], unit), targets.fmt(c["actual"], unit), c["percent"])
                      for lab, unit, c in periods.target_rows(month, advisor, data)],
            "month_summary": text.summary if text else "", "month_plan": text.plan if text else "",
            "form_date": last.isoformat(), "summary": "%s %s" % (label, "学管师月报" if advisor else "校区月报")}


def _month_report_blank(params):
    return {"report_title": "学管师月报", "advisor": "", "month": "", "figures": [(h, "") for _k, h, _kind, _l in
                                                                                report.COLUMNS],
            "signing": "", "renewal": "", "goals": [], "month_summary": "", "month_plan": "", "form_date": ""}


# --- 学员异动申请表（停课 / 转班 / 退费）-------------------------------------------------------------------------------

CHANGE_PREFIX = {"TK": "suspend", "ZB": "transfer", "TF": "refund"}


def change_ref(kind, record_id):
    """The printed number of a change: TK-12 (停课), ZB-34 (转班), TF-5 (退费)."""
    prefix = {v: k for k, v in CHANGE_PREFIX.items()}[kind]
    return "%s-%d" % (prefix, record_id)


def _student_head(student):
    guardian = _first_guardians([student.id]).get(student.id)
    return {"student": student.name, "school": " / ".join(x for x in (student.school, student.grade) if x),
            "guardian": "%s（%s）" % (guardian.name, guardian.relation) if guardian else "",
            "advisor": _name(student.advisor) if student.advisor_id else ""}


def _change(ref, viewer=None):
    prefix, _, number = str(ref).upper().partition("-")
    kind = CHANGE_PREFIX.get(prefix)
    if kind is None:
        raise NotFound(ref)
    record_id = _int(number)
    blank = {"suspend_period": "", "from_class": "", "to_class": "", "contract": "", "refund_hours": "",
             "refund_amount": "", "refund_method": "", "hours_effect": "", "decision": ""}
    if kind == "refund":
        refund = (Refund.select(Refund, Contract).join(Contract).where(Refund.id == record_id).first())
        if refund is None:
            raise NotFound(ref)
        student = refund.contract.student
        decision = {"pending": "待审批", "approved": "已批准", "rejected": "已驳回"}.get(refund.status, refund.status)
        if refund.decided_at:
            decision += "（%s，%s）%s" % (_name(refund.decided_by), _when(refund.decided_at), refund.decision_note)
        context = dict(blank, contract="%s %s" % (refund.contract.number, refund.contract.subject),
                       refund_hours=refund.hours, refund_amount="¥%s" % refund.amount + (
                           "（按退费规则应退 ¥%s，已下调）" % refund.rule_amount if refund.lowered else ""),
                       refund_method=str(contracts.METHODS.get(refund.method, refund.method)),
                       effective=clock.local(refund.decided_at).strftime("%Y-%m-%d") if refund.status == "approved" else "",
                       reason=refund.reason,
                       handled="%s，%s" % (_name(refund.requested_by), _when(refund.requested_at)),
                       decision=decision, form_date=clock.local(refund.requested_at).strftime("%Y-%m-%d"), record=refund)
    else:
        change = StudentChange.get_or_none(StudentChange.id == record_id, StudentChange.kind == kind)
        if change is None:
            raise NotFound(ref)
        student = change.student
        context = dict(blank, effective=change.effective_on.isoformat(), reason=change.reason,
                       hours_effect=change.hours_effect, handled="%s，%s" % (_name(change.by), _when(change.at)),
                       form_date=clock.local(change.at).strftime("%Y-%m-%d"), record=change)
        if kind == "suspend":
            stay = (Suspension.select().where(Suspension.student == change.student_id,
                                              Suspension.start_on == change.effective_on)
                    .order_by(Suspension.id.desc()).first())
            if stay is not None:
                context["suspend_period"] = "%s 至 %s%s" % (stay.start_on, stay.end_on,
                                                           "（%s 已复课）" % stay.resumed_on if stay.resumed_on else "")
        else:
            context.update(from_class=change.klass.name if change.klass_id else "",
                           to_class=change.to_klass.name if change.to_klass_id else "")
    context.update(_student_head(student), kind=kind, student_record=student,
                   summary="%s 学员异动申请表 %s" % (student.name, str(ref).upper()))
    return context


def _changes_between(first, last, viewer):
    """Every 停课 / 转班 recorded and every refund asked for in the days, in the order they happened."""
    start, end = _local_bounds(first, last)
    among = _among(viewer)
    changes = StudentChange.select(StudentChange.id, StudentChange.kind, StudentChange.at).where(
        StudentChange.kind.in_(("suspend", "transfer")), StudentChange.at >= start, StudentChange.at < end)
    refunds = (Refund.select(Refund.id, Refund.requested_at).join(Contract)
               .where(Refund.requested_at >= start, Refund.requested_at < end))
    if among is not None:
        changes = changes.where(StudentChange.student.in_(among))
        refunds = refunds.where(Contract.student.in_(among))
    found = [(c.at, change_ref(c.kind, c.id)) for c in changes] + [(r.requested_at, change_ref("refund", r.id))
                                                                    for r in refunds]
    return [ref for _, ref in sorted(found)]


def _change_blank(params):
    context = {"kind": None, "student": "", "school": "", "guardian": "", "advisor": "", "suspend_period": "",
               "from_class": "", "to_class": "", "contract": "", "refund_hours": "", "refund_amount": "",
               "refund_method": "", "effective": "", "hours_effect": "", "reason": "", "handled": "", "decision": ""}
    student = params.get("student")
    if student is not None:
        context.update(_student_head(student))
    if params.get("kind") in CHANGE_PREFIX.values():
        context["kind"] = params["kind"]
    return context


# --- 投诉处理单 ------------------------------------------------------------------------------------------------------

def _complaint(ref, viewer=None):
    complaint = Complaint.get_or_none(Complaint.id == _int(ref))
    if complaint is None:
        raise NotFound(ref)
    respond_by, close_by = complaints.deadlines(complaint)
    student = complaint.student if complaint.student_id else None
    steps = [(_when(s.at), _name(s.by), "移交给%s%s" % (_name(s.handed_to), "：" + s.text if s.text else "")
              if s.kind == "handover" else s.text) for s in complaints.steps(complaint)]
    return {"complainant": "%s（%s）" % (complaint.complainant, complaints.COMPLAINANTS[complaint.complainant_kind]),
            "student": student.name if student else "",
            "advisor": _name(student.advisor) if student is not None and student.advisor_id else "",
            "about": str(complaints.ABOUT[complaint.about]),
            "about_user": _name(complaint.about_user) if complaint.about_user_id else "",
            "channel": str(complaints.CHANNELS[complaint.channel]), "serious": complaint.severity == "serious",
            "received": "%s（%s）" % (_when(complaint.received_at), _name(complaint.received_by)),
            "owner": _name(complaint.owner), "deadlines": "首次回应 %s 前；结案 %s 前" % (_when(respond_by), _when(close_by)),
            "content": complaint.content,
            "steps": steps, "pad": max(3 - len(steps), 1), "resolution": complaint.resolution,
            "answer": complaint.satisfaction,
            "answer_note": complaint.satisfaction_note,
            "closed": "%s（%s）" % (_when(complaint.closed_at), _name(complaint.closed_by)) if complaint.closed_at else "",
            "form_date": clock.local(complaint.received_at).strftime("%Y-%m-%d"), "record": complaint,
            "summary": "%s 投诉处理单" % complaint.complainant}


def _complaint_blank(params):
    student = params.get("student")
    return {"complainant": "", "student": student.name if student is not None else "",
            "advisor": _name(student.advisor) if student is not None and student.advisor_id else "", "about": "",
            "about_user": "", "channel": "", "serious": None, "received": "", "owner": "", "deadlines": "",
            "content": "", "steps": [], "pad": 3, "resolution": "", "answer": "", "answer_note": "", "closed": ""}


def _complaints_between(first, last, viewer):
    """The complaints received in the days, that the viewer sees with the family's name."""
    start, end = _local_bounds(first, last)
    query = Complaint.select().where(Complaint.received_at >= start, Complaint.received_at < end)
    if viewer is not None:
        hide = rules.get("complaint_hide_family")
        query = [c for c in policy.complaints_visible_to(viewer, query) if not policy.hides_complainant(viewer, c, hide)]
    return [str(c.id) for c in sorted(query, key=lambda c: (c.received_at, c.id))]


FORMS = {f.name: f for f in (
    Form("briefing", "课前说明会记录单", "KQ", "print/briefing.html", "id", _briefing, _briefing_blank,
         _briefings_between),
    Form("parent-meeting", "家长会记录表", "JZ", "print/parent_meeting.html", "id", _parent_meeting,
         _parent_meeting_blank, _meetings_between),
    Form("selfstudy-log", "学员自习登记表", "ZX", "print/selfstudy_log.html", "date", _selfstudy_log, _selfstudy_blank,
         _visit_days),
    Form("first-lesson", "第一次课后备忘录", "SK", "print/first_lesson.html", "id", _first_lesson, _first_lesson_blank,
         _feedback_between),
    Form("qa-log", "答疑记录表", "DY", "print/qa_log.html", "date", _qa_log, _qa_blank, _question_days),
    Form("daily-report", "学管师日报", "RB", "print/daily_report.html", "advisor-date", _daily_report, _daily_blank,
         _daily_between),
    Form("change-form", "学员异动申请表", "YD", "print/change_form.html", "change", _change, _change_blank,
         _changes_between),
    Form("campus-daily", "校区日报", "XR", "print/campus_daily.html", "date", _campus_daily, _campus_daily_blank,
         _every_day),
    Form("month-report", "月报", "YB", "print/month_report.html", "scope-month", _month_report, _month_report_blank),
    Form("complaint", "投诉处理单", "TS", "print/complaint.html", "id", _complaint, _complaint_blank,
         _complaints_between),
)}
