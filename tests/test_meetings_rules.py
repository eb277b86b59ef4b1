"""Edge rules of follow-ups, meetings and tests found in review: each is a bug that once got through."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import csrf_from, earlier_today, login, make_user
from tests.factories import advisor, make_class, make_contract, make_student, teacher
from tests.test_parent_meetings import marks, minutes
from tests.test_queries import _queries
from xgapp.attendance import domain as attendance
from xgapp.classes import domain as classes
from xgapp.followups import domain as followups
from xgapp.followups.models import FollowTask, FollowUp
from xgapp.meetings import briefings, parents
from xgapp.meetings.models import Briefing, ParentMeeting, TeachingPlan
from xgapp.scores import domain as scores
from xgapp.students import domain as students
from xgapp.timetable import domain as timetable
from xgapp.validation import Invalid

ZONE = ZoneInfo("Asia/Shanghai")


def now():
    """The campus clock now (not at import: a full test run takes minutes)."""
    return datetime.now(ZONE)

TODAY = datetime.now(ZONE).date()


@pytest.fixture
def klass(app):
    adv = advisor("adv1")
    start = TODAY - timedelta(weeks=10)
    k = make_class(name="初二数学提高班", advisor_user=adv, teacher_user=teacher("t1"), start_on=start)
    timetable.schedule(None, k, [start.weekday()], time(18), time(20), start, 16)
    for name in ("张小明", "李小红"):
        kid = make_student(name=name, advisor_user=adv)
        make_contract(kid, hours="40")
        classes.enrol(None, k, kid, start)
    return k


def _new_class(adv, days_ahead=5):
    first = TODAY + timedelta(days=days_ahead)
    k = make_class(name="新班%d" % days_ahead, advisor_user=adv, teacher_user=teacher("t2"), start_on=first)
    timetable.schedule(None, k, [first.weekday()], time(18), time(20), first, 2)
    kids = []
    for name in ("甲", "乙"):
        kid = make_student(name=name + str(days_ahead), advisor_user=adv)
        make_contract(kid, hours="40")
        classes.enrol(None, k, kid, first)
        kids.append(kid)
    return k, kids, datetime.combine(first, time(18), tzinfo=ZONE)


def test_a_recorded_briefing_cannot_be_overwritten(app):
    adv = advisor("adv1")
    k, _, first = _new_class(adv)
    b = briefings.schedule(adv, k, first - timedelta(days=2), "101")
    came = {r["key"]: "yes" for r in briefings.expected(b)}
    later = first - timedelta(days=1)
    briefings.record(adv, b, {"syllabus": "力学", "sessions": "2"}, came, now=later)
    with pytest.raises(Invalid):
        briefings.record(adv, b, {"syllabus": "改过的", "sessions": "2"}, {k_: "no" for k_ in came}, now=later)
    assert Briefing.get().syllabus == "力学"


def test_marks_of_a_changed_attendee_list_are_refused_not_shifted(app):
    adv = advisor("adv1")
    k, kids, first = _new_class(adv)
    b = briefings.schedule(adv, k, first - timedelta(days=2), "101")
    came = {r["key"]: "yes" for r in briefings.expected(b)}
    from xgapp.classes.models import Enrolment

    Enrolment.delete().where(Enrolment.student == kids[0]).execute()  # the student left after the page was opened
    with pytest.raises(Invalid) as changed:
        briefings.record(adv, b, {"syllabus": "力学", "sessions": "2"}, came, now=first - timedelta(days=1))
    assert "came" in changed.value.errors


def test_a_task_handed_to_another_advisor_can_be_done_by_them(app, client):
    adv, other = advisor("adv1"), advisor("adv2")
    kid = make_student(name="张小明", advisor_user=adv)
    followups.log(adv, kid, {"kind": "routine", "channel": "phone", "whom": "parent", "at": earlier_today(5),
                             "purpose": "p", "content": "c", "next_on": TODAY + timedelta(days=1), "next_step": "回电"})
    task = FollowTask.get()
    followups.reassign(make_user("sup", roles=("supervisor",)), task, other)
    login(client, "adv2")
    form = client.get("/followups/new?task=%d" % task.id)
    assert form.status_code == 200
    when = earlier_today(1)
    done = client.post("/followups/new", data={
        "csrf_token": csrf_from(form.get_data(as_text=True)), "task": str(task.id), "kind": "routine",
        "channel": "phone", "whom": "parent", "day": when.strftime("%Y-%m-%d"), "time": when.strftime("%H:%M"),
        "purpose": "p", "content": "已回电"})
    assert done.status_code == 303 and FollowTask.get().status == "done"
    assert FollowUp.select().where(FollowUp.advisor == other).count() == 1


def test_superscript_digits_are_a_message_not_a_crash(klass, client):
    login(client, "t1")
    token = csrf_from(client.get("/scores/class/%d" % klass.id).get_data(as_text=True))
    bad = client.post("/scores/class/%d" % klass.id, data={"csrf_token": token, "name": "月测", "on": TODAY.isoformat(),
                                                            "full_score": "²"})
    assert bad.status_code == 422
    test = scores.create(klass.teacher, klass, "月测", TODAY, "100")
    odd = client.post("/scores/test/%d" % test.id, data={"csrf_token": token, "score-²": "90"})
    assert odd.status_code == 303


def test_the_reviewer_does_not_write_or_review_their_own_plan(klass, client):
    adv = klass.advisor
    director = make_user("dir", roles=("director",))
    meeting = parents.schedule(adv, klass, None, now() + timedelta(minutes=1), "101")
    parents.record(adv, meeting, minutes(), marks(meeting, "yyyy"), now=now() + timedelta(minutes=2))
    plan = TeachingPlan.get()
    with pytest.raises(Invalid):
        parents.submit_plan(director, plan, "主任自己写的")
    login(client, "adv1")
    page = client.get("/meetings/parents/%d" % meeting.id).get_data(as_text=True)
    assert "/meetings/plans/%d/submit" % plan.id not in page  # the advisor does not write the teacher's plan
    both = make_user("td", roles=("teacher", "director"))
    TeachingPlan.update(teacher=both).execute()
    submitted = parents.submit_plan(both, TeachingPlan.get(), "方案")
    with pytest.raises(Invalid):
        parents.review_plan(both, submitted, "approve", "")


def test_an_advisor_sees_only_her_students_scores_in_a_shared_class(klass, client):
    other = advisor("adv2")
    outsider = make_student(name="王别人", advisor_user=other)
    make_contract(outsider, hours="40")
    classes.enrol(None, klass, outsider, klass.start_on)
    test = scores.create(klass.teacher, klass, "月测", TODAY, "100")
    scores.save_scores(klass.teacher, test, {s.id: ("88", "计算粗心的秘密备注") for s in students.Student.select()})
    login(client, "adv2")
    page = client.get("/scores/test/%d" % test.id).get_data(as_text=True)
    assert "王别人" in page and "张小明" not in page and page.count("计算粗心的秘密备注") == 1


def test_a_familys_meeting_is_not_for_every_teacher(app, client):
    adv = advisor("adv1")
    kid = make_student(name="张小明", advisor_user=adv)
    meeting = parents.schedule(adv, None, kid, now() + timedelta(days=1), "办公室", prep={"prep_topics": "机密家庭情况"})
    make_user("tx", roles=("teacher",))
    login(client, "tx")
    assert client.get("/meetings/parents/%d" % meeting.id).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    login(client, "adv1")
    assert "机密家庭情况" in client.get("/meetings/parents/%d" % meeting.id).get_data(as_text=True)


def test_a_face_to_face_talk_with_the_teacher_does_not_count_as_seeing_the_student(app):
    adv = advisor("adv1")
    kid = make_student(name="张小明", advisor_user=adv)
    students.change_status(adv, kid, "active")
    start = TODAY - timedelta(days=15)
    k = make_class(name="周课", advisor_user=adv, start_on=start)
    make_contract(kid, hours="60")
    classes.enrol(None, k, kid, start)
    for day in (start, TODAY - timedelta(days=1)):
        [lesson] = timetable.schedule(None, k, [day.weekday()], time(18), time(20), day, 1)
        attendance.confirm(None, lesson, {str(kid.id): "present"}, today=TODAY)
    followups.log(adv, kid, {"kind": "routine", "channel": "face", "whom": "teacher", "at": earlier_today(5),
                             "purpose": "p", "content": "和老师当面聊了"})
    assert len(followups.face_alerts(adv, TODAY, advisor=adv)) == 1


def test_the_friday_list_shows_meeting_dates_in_campus_time(klass):
    early = datetime.combine(TODAY - timedelta(days=2), time(7, 30), tzinfo=ZONE)  # 23:30 UTC the day before
    ParentMeeting.create(klass=klass, starts_at=early, host=klass.advisor, created_at=early)
    rows = parents.friday_list(klass.advisor, TODAY)
    assert all(r["last_meeting"] == early.date() for r in rows)


def test_meeting_follow_up_and_score_lists_do_not_grow_with_rows(app, client):
    adv = advisor("adv1")
    make_user("sup", roles=("supervisor",))
    for n in range(2):
        advisor("extra%d" % n)
    k, kids, first = _new_class(adv, 5)
    test = scores.create(None, k, "月测1", TODAY, "100")
    login(client, "sup")
    urls = ("/meetings/", "/followups/overview", "/scores/class/%d" % k.id, "/")
    before = [_queries(client, url) for url in urls]
    for n in range(3):
        advisor("more%d" % n)
        _new_class(adv, 6 + n)
        scores.create(None, k, "月测%d" % (n + 2), TODAY, "100")
    meeting = parents.schedule(adv, k, None, now() + timedelta(days=1), "101")
    assert meeting and test
    assert [_queries(client, url) for url in urls] == before
