"""Follow-up rules without HTTP: logging, the engine's tasks, the monthly minimum, the face-to-face rule."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import earlier_today, make_user
from tests.factories import advisor, make_class, make_contract, make_student
from xgapp import policy
from xgapp.attendance import domain as attendance
from xgapp.audit.models import AuditLog
from xgapp.classes import domain as classes
from xgapp.clock import fixed as clock
from xgapp.followups import domain, engine
from xgapp.followups.models import FollowTask, FollowUp
from xgapp.notices import domain as notices
from xgapp.students import domain as students
from xgapp.students import handover
from xgapp.students import timeline
from xgapp.timetable import domain as timetable
from xgapp.validation import Invalid

ZONE = ZoneInfo("Asia/Shanghai")
TODAY = datetime.now(ZONE).date()


def at(day, hhmm="10:00"):
    hh, mm = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=ZONE)


def call(**overrides):
    data = {"kind": "routine", "channel": "phone", "whom": "parent", "at": earlier_today(5),
            "purpose": "了解近期作业情况", "content": "妈妈说数学作业完成得不错", "result": "下周多练计算"}
    data.update(overrides)
    return data


@pytest.fixture
def adv(app):
    return advisor("adv1", name="学管甲")


@pytest.fixture
def kid(adv):
    return make_student(name="张小明", advisor_user=adv)


def test_a_follow_up_is_logged_with_who_when_and_what(adv, kid):
    followup = domain.log(adv, kid, call())
    saved = FollowUp.get_by_id(followup.id)
    assert (saved.advisor_id, saved.kind, saved.channel, saved.whom) == (adv.id, "routine", "phone", "parent")
    assert saved.content == "妈妈说数学作业完成得不错"
    assert AuditLog.select().where(AuditLog.table == "follow_up", AuditLog.record_id == str(followup.id)).count() == 1
    assert any(e[1] == "followup" and ("日常" in e[2] or "Routine" in e[2]) for e in timeline.events(kid))


def test_bad_follow_ups_are_refused_and_nothing_is_saved(adv, kid):
    with pytest.raises(Invalid) as future:
        domain.log(adv, kid, call(at=datetime.now(ZONE) + timedelta(hours=2)))
    assert set(future.value.errors) == {"at"}
    with pytest.raises(Invalid) as empty:
        domain.log(adv, kid, call(purpose=" ", content="", kind="chat", channel="pigeon", whom="", at=None))
    assert set(empty.value.errors) == {"purpose", "content", "kind", "channel", "whom", "at"}
    with pytest.raises(Invalid) as next_day:
        domain.log(adv, kid, call(next_on=TODAY, next_step="再打一次"))
    assert set(next_day.value.errors) == {"next_on"}
    assert FollowUp.select().count() == 0 and FollowTask.select().count() == 0


def test_a_next_step_becomes_a_task_and_logging_its_kind_does_it(adv, kid):
    domain.log(adv, kid, call(next_on=TODAY + timedelta(days=3), next_step="周五确认测验成绩"))
    task = FollowTask.get()
    assert (task.kind, task.due_on, task.advisor_id, task.status) == ("routine", TODAY + timedelta(days=3), adv.id,
                                                                      "open")
    assert task.note == "周五确认测验成绩"
    done = domain.log(adv, kid, call(content="已确认成绩 92 分"))
    assert FollowTask.get_by_id(task.id).status == "done" and done.task_id == task.id


def test_escalating_tells_the_supervisors(adv, kid):
    boss = make_user("sup", roles=("supervisor",), name="主管")
    domain.log(adv, kid, call(kind="complaint", escalate=True, purpose="家长投诉老师拖堂"))
    assert "家长投诉老师拖堂" in notices.unread(boss)[0].text
    assert [f.student_id for f in domain.escalations(TODAY)] == [kid.id]


def _class_with(kid, first_day, weekday_count=1, seq_done=False):
    klass = make_class(name="初二数学提高班", advisor_user=kid.advisor, start_on=first_day)
    make_contract(kid, hours="40")
    classes.enrol(None, klass, kid, first_day)
    lessons = timetable.schedule(None, klass, [first_day.weekday()], time(18), time(20), first_day, weekday_count)
    return klass, lessons


def test_the_engine_asks_for_a_call_the_day_before_the_first_lesson_once(adv, kid):
    first = TODAY + timedelta(days=5)
    klass, _ = _class_with(kid, first)
    assert engine.generate(TODAY) == 1
    task = FollowTask.get()
    assert (task.kind, task.due_on, task.advisor_id, task.klass_id) == ("pre_class", first - timedelta(days=1),
                                                                        adv.id, klass.id)
    assert first.isoformat() in task.note
    assert engine.generate(TODAY) == 0 and FollowTask.select().count() == 1  # idempotent
    # Logging the 课前 call does it.
    domain.log(adv, kid, call(kind="pre_class", purpose=domain.PURPOSES["pre_class"]))
    assert FollowTask.get().status == "done"


def test_no_pre_class_task_when_the_first_lesson_is_far_or_already_attended(adv, kid):
    _class_with(kid, TODAY + timedelta(days=30))
    assert engine.generate(TODAY) == 0


def test_after_a_new_classs_first_lesson_each_student_who_came_gets_a_task(adv, kid):
    other = make_student(name="李小红", advisor_user=adv)
    klass, [lesson, *_] = _class_with(kid, TODAY - timedelta(days=1), 2)
    make_contract(other, hours="40")
    classes.enrol(None, klass, other, TODAY - timedelta(days=1))
    attendance.confirm(None, lesson, {str(kid.id): "present", str(other.id): "absent"})
    engine.generate(TODAY)
    firsts = list(FollowTask.select().where(FollowTask.kind == "first_lesson"))
    assert [(t.student_id, t.due_on) for t in firsts] == [(kid.id, TODAY)]
    assert "先问学员，再问老师，最后反馈家长" in firsts[0].note


def test_course_end_gives_a_renewal_call_after_a_week_and_an_invitation_after_a_month(adv, kid):
    from xgapp.changes import domain as changes

    klass, _ = _class_with(kid, TODAY - timedelta(days=21), 1)
    enrolment = classes.members(klass)[0]
    with clock(at(TODAY - timedelta(days=2), "20:00")):  # recorded on the day, not as a correction later
        changes.leave_class(adv, enrolment, TODAY - timedelta(days=2), "课程结束", finished=True)
    engine.generate(TODAY)
    ends = sorted((t.due_on, t.note[:4]) for t in FollowTask.select().where(FollowTask.kind == "course_end"))
    assert ends == [(TODAY + timedelta(days=5), "结课一周"), (TODAY + timedelta(days=28), "结课一月")]


def test_fewer_than_two_follow_ups_a_month_counted_in_campus_time(adv, kid):
    students.change_status(adv, kid, "active")
    other = make_student(name="李小红", advisor_user=adv)
    students.change_status(adv, other, "active")
    # 23:30 on 31 October in Beijing is 15:30 UTC the same day; 00:10 on 1 November is still 31 October in UTC.
    october_night = datetime(2026, 10, 31, 23, 30, tzinfo=ZONE)
    november_dawn = datetime(2026, 11, 1, 0, 10, tzinfo=ZONE)
    assert november_dawn.astimezone(timezone.utc).date() == date(2026, 10, 31)
    for when in (october_night, november_dawn):
        FollowUp.create(student=kid, advisor=adv, at=when, kind="routine", channel="phone", whom="parent",
                        purpose="p", content="c", created_at=when, updated_at=when)
    scope = domain._scope(adv, adv)
    assert domain.monthly_counts(scope, date(2026, 10, 15)) == {kid.id: 1}
    assert domain.monthly_counts(scope, date(2026, 11, 15)) == {kid.id: 1}
    nov = domain.short_this_month(adv, date(2026, 11, 20), advisor=adv)
    assert [(s.name, n) for s, n in nov] == [("李小红", 0), ("张小明", 1)]
    FollowUp.create(student=kid, advisor=adv, at=datetime(2026, 11, 30, 23, 59, tzinfo=ZONE), kind="routine",
                    channel="phone", whom="parent", purpose="p", content="c", created_at=november_dawn,
                    updated_at=november_dawn)
    assert [s.name for s, _ in domain.short_this_month(adv, date(2026, 11, 20), advisor=adv)] == ["李小红"]


def _attend(kid, days):
    klass = make_class(name="周课%d" % len(days), advisor_user=kid.advisor, start_on=days[0])
    make_contract(kid, hours="60")
    classes.enrol(None, klass, kid, days[0])
    for day in days:
        [lesson] = timetable.schedule(None, klass, [day.weekday()], time(18), time(20), day, 1)
        attendance.confirm(None, lesson, {str(kid.id): "present"}, today=TODAY)


def test_two_weeks_of_lessons_without_a_face_to_face_raises_an_alert(adv, kid):
    students.change_status(adv, kid, "active")
    _attend(kid, [TODAY - timedelta(days=15), TODAY - timedelta(days=8), TODAY - timedelta(days=1)])
    [(student, since, last)] = domain.face_alerts(adv, TODAY, advisor=adv)
    assert (student.id, since, last) == (kid.id, TODAY - timedelta(days=15), None)
    domain.log(adv, kid, call())  # a phone call does not count
    assert len(domain.face_alerts(adv, TODAY, advisor=adv)) == 1
    domain.log(adv, kid, call(channel="face", whom="student", at=earlier_today(1)))
    assert domain.face_alerts(adv, TODAY, advisor=adv) == []


def test_a_morning_face_to_face_counts_for_its_campus_day_not_the_utc_one(adv, kid):
    students.change_status(adv, kid, "active")
    met = TODAY - timedelta(days=20)
    _attend(kid, [met, TODAY - timedelta(days=15), TODAY - timedelta(days=1)])
    # 07:30 in Beijing is 23:30 UTC the day before: that evening's lesson (18:00) is on the day they met
    domain.log(adv, kid, call(channel="face", whom="student", at=at(met, "07:30")))
    [(student, since, last)] = domain.face_alerts(adv, TODAY, advisor=adv)
    assert (student.id, since, last) == (kid.id, TODAY - timedelta(days=15), met)
    assert domain.overview(TODAY)[0]["face"] == 1


def test_thirteen_days_of_lessons_is_not_yet_an_alert(adv, kid):
    students.change_status(adv, kid, "active")
    _attend(kid, [TODAY - timedelta(days=13), TODAY - timedelta(days=6)])
    assert domain.face_alerts(adv, TODAY, advisor=adv) == []


def test_postponing_needs_a_later_day_and_a_reason_and_reassigning_moves_it(adv, kid):
    domain.log(adv, kid, call(next_on=TODAY + timedelta(days=1), next_step="回电"))
    task = FollowTask.get()
    with pytest.raises(Invalid) as bad:
        domain.postpone(adv, task, TODAY, "")
    assert set(bad.value.errors) == {"until", "reason"}
    domain.postpone(adv, task, TODAY + timedelta(days=4), "家长出差")
    task = FollowTask.get()
    assert (task.due_on, task.postponed, task.postpone_reason) == (TODAY + timedelta(days=4), 1, "家长出差")
    other = advisor("adv2", name="学管乙")
    boss = make_user("sup", roles=("supervisor",))
    domain.reassign(boss, task, other)
    assert FollowTask.get().advisor_id == other.id
    assert [t.id for t in domain.open_tasks(other)] == [task.id] and domain.open_tasks(adv) == []


def test_reassigning_a_student_moves_their_open_tasks(adv, kid):
    domain.log(adv, kid, call(next_on=TODAY + timedelta(days=2), next_step="回电"))
    other = advisor("adv2")
    boss = make_user("sup", roles=("supervisor",))
    handover.reassign(boss, kid, other)
    assert FollowTask.get().advisor_id == other.id


def test_only_who_logged_it_edits_a_follow_up(adv, kid):
    followup = domain.log(adv, kid, call())
    other = advisor("adv2")
    boss = make_user("sup", roles=("supervisor",))
    assert policy.may_edit_followup(adv, followup) and policy.may_edit_followup(boss, followup) and not policy.may_edit_followup(other, followup)
    domain.update(adv, followup, call(content="更正：妈妈说英语作业需要加强"))
    assert FollowUp.get_by_id(followup.id).content == "更正：妈妈说英语作业需要加强"


def test_the_overview_counts_per_advisor(adv, kid):
    students.change_status(adv, kid, "active")
    domain.log(adv, kid, call(next_on=TODAY + timedelta(days=1), next_step="回电"))
    FollowTask.update(due_on=TODAY - timedelta(days=2)).execute()
    [row] = [r for r in domain.overview(TODAY) if r["advisor"].id == adv.id]
    assert (row["open"], row["overdue"], row["short"], row["students"]) == (1, 1, 1, 1)


def test_tasks_are_there_as_soon_as_the_enrolment_and_the_first_roll_call_are_saved(adv, kid, client):
    from tests.conftest import login

    klass = make_class(name="初二数学新班", advisor_user=adv, start_on=TODAY - timedelta(days=1))
    lessons = timetable.schedule(None, klass, [(TODAY - timedelta(days=1)).weekday()], time(18), time(20),
                                 TODAY - timedelta(days=1), 2)  # yesterday and in six days
    make_contract(kid, hours="40")
    classes.enrol(None, klass, kid, TODAY - timedelta(days=1))
    other = make_student(name="李小红", advisor_user=adv)
    make_contract(other, hours="40")
    classes.enrol(adv, klass, other, TODAY + timedelta(days=1))  # joins from the next lesson on
    assert sorted((t.student_id, t.kind) for t in FollowTask.select()) == \
        [(kid.id, "pre_class"), (other.id, "pre_class")]  # no sweep needed
    attendance.confirm(None, lessons[0], {str(kid.id): "present"}, today=TODAY - timedelta(days=1))
    firsts = [(t.student_id, t.due_on) for t in FollowTask.select().where(FollowTask.kind == "first_lesson")]
    assert firsts == [(kid.id, TODAY)]
    login(client, "adv1")
    page = client.get("/followups/").get_data(as_text=True)
    assert "没有待办回访" not in page and "张小明" in page and "李小红" in page
    assert engine.generate(TODAY) == 0  # the half-hourly sweep finds nothing left to make


def test_a_call_logged_before_its_task_existed_does_the_task(adv, kid):
    klass, [lesson, *_] = _class_with(kid, TODAY - timedelta(days=1), 2)
    # the roll call is confirmed late, after the advisor already made the 首课后 call
    attendance.confirm(None, lesson, {str(kid.id): "present"}, today=TODAY - timedelta(days=1))
    FollowTask.delete().execute()  # as if the task had not been made yet (the scheduler runs every half hour)
    called = domain.log(adv, kid, call(kind="first_lesson", purpose=domain.PURPOSES["first_lesson"]))
    assert engine.generate(TODAY) == 1
    task = FollowTask.get(FollowTask.kind == "first_lesson")
    assert task.status == "done" and FollowUp.get_by_id(called.id).task_id == task.id


def test_a_call_from_before_the_cause_does_not_do_the_task(adv, kid):
    klass, [lesson, *_] = _class_with(kid, TODAY - timedelta(days=1), 2)
    early = domain.log(adv, kid, call(kind="first_lesson", purpose=domain.PURPOSES["first_lesson"]))
    FollowUp.update(at=lesson.starts_at - timedelta(hours=1)).where(FollowUp.id == early.id).execute()
    attendance.confirm(None, lesson, {str(kid.id): "present"}, today=TODAY - timedelta(days=1))
    task = FollowTask.get(FollowTask.kind == "first_lesson")
    assert task.status == "open" and FollowUp.get_by_id(early.id).task_id is None


def test_pre_class_tasks_follow_their_lesson(adv, kid):
    first = TODAY + timedelta(days=5)
    klass, lessons = _class_with(kid, first, 3)
    engine.generate(TODAY)
    task = FollowTask.get(FollowTask.kind == "pre_class")
    assert task.due_on == first - timedelta(days=1)
    new_day = first + timedelta(days=1)
    timetable.move(None, lessons[0], new_day, time(18), time(20), reason="老师出差")
    task = FollowTask.get_by_id(task.id)
    assert (task.status, task.due_on) == ("open", new_day - timedelta(days=1)) and new_day.isoformat() in task.note
    attendance.report_leave(adv, lessons[0], kid, "家里有事")
    assert FollowTask.get_by_id(task.id).status == "cancelled"
    assert engine.generate(TODAY) == 0  # the sweep does not bring it back


def test_a_trial_task_is_called_off_when_its_lesson_is_cancelled(adv, kid):
    klass, lessons = _class_with(make_student(name="王同学", advisor_user=adv), TODAY + timedelta(days=3), 1)
    classes.book_one_lesson(adv, lessons[0], kid, "trial")
    task = FollowTask.get(FollowTask.student == kid, FollowTask.kind == "pre_class")
    assert task.source.startswith("pre:trial:") and task.status == "open"
    timetable.cancel(None, lessons[0], "老师生病")
    assert FollowTask.get_by_id(task.id).status == "cancelled"
