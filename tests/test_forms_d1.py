"""Every form page of meetings, follow-ups and prints reports all its errors in one response, and saves nothing.

Each test posts everything wrong at once and reads the one 422 page through a parser: every wrong field has its
message beside it (or, for a field that is not one input — the roll call, the time of a meeting, a choice of
chips — in its own marked place). Then a few decisions of the section's policy.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests import html
from tests.conftest import csrf_from, earlier_today, login, make_user
from tests.factories import advisor, make_class, make_contract, make_student, teacher
from xgapp import policy
from xgapp.classes import domain as classes
from xgapp.followups import domain as followups
from xgapp.followups.models import FollowTask, FollowUp
from xgapp.meetings import briefings, parents
from xgapp.meetings.models import (Briefing, BriefingAttendee, FirstLessonFeedback, ParentMeeting,
                                   ParentMeetingAttendee, TeachingPlan)
from xgapp.prints import domain as prints
from xgapp.prints.models import SignedCopy
from xgapp.timetable import domain as timetable

ZONE = ZoneInfo("Asia/Shanghai")
TODAY = datetime.now(ZONE).date()
LONG = "长" * 4001
TOO_LONG = "请不要超过 %d 个字。"
MARK_ALL = "请为每位参会人标记是否出席。"


def now():
    return datetime.now(ZONE)


@pytest.fixture
def new_class(app):
    """A class starting in 5 days at 18:00 with two students; its advisor adv1 and teacher t1."""
    adv = advisor("adv1", name="学管甲")
    first = TODAY + timedelta(days=5)
    klass = make_class(name="初二物理新班", advisor_user=adv, teacher_user=teacher("t1", name="物理刘老师"),
                       start_on=first)
    timetable.schedule(None, klass, [first.weekday()], time(18), time(20), first, 4)
    kids = []
    for name in ("张小明", "李小红"):
        kid = make_student(name=name, advisor_user=adv)
        make_contract(kid, hours="40")
        classes.enrol(None, klass, kid, first)
        kids.append(kid)
    return adv, klass, kids


def _page(client, url):
    return client.get(url).get_data(as_text=True)


def _held_briefing(adv, klass):
    """A briefing two days before the first lesson, scheduled a day before that, which has now happened."""
    at = briefings.first_lesson(klass).starts_at - timedelta(days=2)
    briefing = briefings.schedule(adv, klass, at, "101教室", now=at - timedelta(days=1))
    Briefing.update(starts_at=now() - timedelta(hours=1)).execute()
    return Briefing.get_by_id(briefing.id)


# --- meetings --------------------------------------------------------------------------------------------------------


def test_the_briefing_schedule_reports_every_error_at_once(new_class, client):
    adv, klass, _ = new_class
    make_user("sup", roles=("supervisor",))
    login(client, "sup")  # a supervisor sees the override reason too
    url = "/meetings/briefing/%d" % klass.id
    token = csrf_from(_page(client, url))
    response = client.post(url + "/schedule", data={"csrf_token": token, "day": "2026-13-45", "time": "25:99",
                                                    "place": "室" * 61, "override_reason": "因" * 201})
    assert response.status_code == 422
    page = html.parse(response)
    assert html.text(page, "#err-starts_at") == "请填写说明会的日期和时间。"
    assert html.errors(page) == {"place": TOO_LONG % 60, "override_reason": TOO_LONG % 200}
    assert Briefing.select().count() == 0


def test_the_briefing_record_reports_every_error_at_once(new_class, client):
    adv, klass, _ = new_class
    _held_briefing(adv, klass)
    login(client, "adv1")
    url = "/meetings/briefing/%d" % klass.id
    token = csrf_from(_page(client, url))
    response = client.post(url + "/record", data={"csrf_token": token, "syllabus": " ", "sessions": "abc",
                                                  "goals": LONG, "qa": LONG, "came-advisor-%d" % adv.id: "yes"})
    assert response.status_code == 422
    page = html.parse(response)
    assert html.errors(page) == {"syllabus": "请填写老师介绍的课程大纲。", "sessions": "请填写课次（1–500）。",
                                 "goals": TOO_LONG % 4000, "qa": TOO_LONG % 4000}
    assert html.text(page, "#record-form fieldset .error") == MARK_ALL
    assert Briefing.get().status == "scheduled" and BriefingAttendee.select().count() == 0


def test_first_lesson_feedback_reports_every_error_at_once(new_class, client):
    adv, klass, kids = new_class
    login(client, "adv1")
    url = "/meetings/feedback/%d/%d" % (klass.id, kids[0].id)
    token = csrf_from(_page(client, url))
    response = client.post(url, data={"csrf_token": token, "from_student": LONG, "from_teacher": LONG,
                                      "from_parent": LONG})
    assert response.status_code == 422
    assert html.errors(html.parse(response)) == {name: TOO_LONG % 4000
                                                 for name in ("from_student", "from_teacher", "from_parent")}
    assert FirstLessonFeedback.select().count() == 0


def test_a_new_parent_meeting_reports_every_error_at_once(new_class, client):
    adv, klass, _ = new_class
    login(client, "adv1")
    token = csrf_from(_page(client, "/meetings/parents/new?class=%d" % klass.id))
    data = {"csrf_token": token, "class": str(klass.id), "day": "tomorrow", "time": "19:00", "place": "室" * 61}
    data.update({name: LONG for name in parents.PREP_FIELDS})
    response = client.post("/meetings/parents/new", data=data)
    assert response.status_code == 422
    page = html.parse(response)
    assert html.text(page, "#err-starts_at") == "请填写会议的日期和时间。"
    assert html.errors(page) == dict({"place": TOO_LONG % 60}, **{name: TOO_LONG % 4000
                                                                 for name in parents.PREP_FIELDS})
    assert ParentMeeting.select().count() == 0


@pytest.fixture
def meeting(new_class):
    adv, klass, _ = new_class
    return parents.schedule(adv, klass, None, now() + timedelta(days=1), "101教室", prep={"prep_topics": "期中"})


def test_the_preparation_reports_every_error_at_once(new_class, meeting, client):
    login(client, "adv1")
    url = "/meetings/parents/%d" % meeting.id
    token = csrf_from(_page(client, url))
    data = dict({name: LONG for name in parents.PREP_FIELDS}, csrf_token=token)
    response = client.post(url + "/prep", data=data)
    assert response.status_code == 422
    assert html.errors(html.parse(response)) == {name: TOO_LONG % 4000 for name in parents.PREP_FIELDS}
    assert ParentMeeting.get().prep_topics == "期中"


def test_the_minutes_report_every_error_at_once(new_class, meeting, client):
    ParentMeeting.update(starts_at=now() - timedelta(hours=1)).execute()
    login(client, "adv1")
    url = "/meetings/parents/%d" % meeting.id
    token = csrf_from(_page(client, url))
    data = {"csrf_token": token, "teacher_report": "", "advisor_report": " ", "parent_questions": LONG,
            "problems": LONG, "solutions": LONG, "parents_to_do": LONG}
    response = client.post(url + "/record", data=data)
    assert response.status_code == 422
    page = html.parse(response)
    assert html.errors(page) == {"teacher_report": "请填写任课老师对学习进展的汇报。",
                                 "advisor_report": "请填写学管师发言（学科以外的问题）。",
                                 "parent_questions": TOO_LONG % 4000, "problems": TOO_LONG % 4000,
                                 "solutions": TOO_LONG % 4000, "parents_to_do": TOO_LONG % 4000}
    assert html.text(page, "#minutes-form fieldset .error") == MARK_ALL
    assert ParentMeeting.get().status == "scheduled" and ParentMeetingAttendee.select().count() == 0


@pytest.fixture
def plan(new_class, meeting):
    adv, klass, _ = new_class
    ParentMeeting.update(starts_at=now() - timedelta(hours=1)).execute()
    held = ParentMeeting.get_by_id(meeting.id)
    parents.record(adv, held, {"teacher_report": "进展好", "advisor_report": "作业按时"},
                   {row["key"]: "yes" for row in parents.expected(held)})
    return TeachingPlan.get()


def test_handing_in_a_plan_reports_its_error(new_class, plan, client):
    login(client, "t1")
    token = csrf_from(_page(client, "/meetings/parents/%d" % plan.meeting_id))
    response = client.post("/meetings/plans/%d/submit" % plan.id, data={"csrf_token": token, "content": "  "})
    assert response.status_code == 422
    assert html.errors(html.parse(response)) == {"content": "请填写调整后的教学方案。"}
    assert TeachingPlan.get().status == "due"


def test_sending_a_plan_back_reports_its_error(new_class, plan, client):
    parents.submit_plan(plan.teacher, plan, "几何证明每周专项")
    make_user("dir", roles=("director",))
    login(client, "dir")
    token = csrf_from(_page(client, "/meetings/parents/%d" % plan.meeting_id))
    for note, says in (("", "请说明需要修改的地方。"), ("改" * 201, TOO_LONG % 200)):
        response = client.post("/meetings/plans/%d/return" % plan.id, data={"csrf_token": token, "note": note})
        assert response.status_code == 422
        assert html.errors(html.parse(response)) == {"note": says}
    assert TeachingPlan.get().status == "submitted"


# --- follow-ups ------------------------------------------------------------------------------------------------------


def _chip_errors(page):
    """{field: message} of the kind / channel / whom chips (fieldsets, not single inputs)."""
    return {box.select_one("input")["name"]: html.text(box, ".error") for box in page.select("fieldset.has-error")}


WRONG_FOLLOWUP = {"kind": "chat", "channel": "pigeon", "whom": "", "day": "yesterday", "time": "noon",
                  "purpose": " ", "content": "", "result": "果" * 2001, "next_step": "步" * 201}


def test_a_new_follow_up_reports_every_error_at_once(app, client):
    adv = advisor("adv1")
    kid = make_student(name="张小明", advisor_user=adv)
    login(client, "adv1")
    token = csrf_from(_page(client, "/followups/new?student=%d" % kid.id))
    response = client.post("/followups/new", data=dict(WRONG_FOLLOWUP, csrf_token=token, student=str(kid.id),
                                                       next_on="someday"))
    assert response.status_code == 422
    page = html.parse(response)
    assert _chip_errors(page) == {"kind": "请从列表中选择。", "channel": "请从列表中选择。", "whom": "请从列表中选择。"}
    assert html.text(page, "#err-at") == "请填写回访的日期和时间（HH:MM）。"
    assert html.errors(page) == {"purpose": "请填写回访目的。", "content": "请填写沟通内容。",
                                 "result": TOO_LONG % 2000, "next_step": TOO_LONG % 200,
                                 "next_on": "请填写日期，例如 2026-09-05。"}
    assert FollowUp.select().count() == 0 and FollowTask.select().count() == 0


def test_correcting_a_follow_up_reports_every_error_at_once(app, client):
    adv = advisor("adv1")
    kid = make_student(name="张小明", advisor_user=adv)
    followup = followups.log(adv, kid, {"kind": "routine", "channel": "phone", "whom": "parent",
                                        "at": earlier_today(5), "purpose": "了解作业", "content": "按时完成"})
    login(client, "adv1")
    url = "/followups/%d/edit" % followup.id
    token = csrf_from(_page(client, url))
    response = client.post(url, data=dict(WRONG_FOLLOWUP, csrf_token=token))
    assert response.status_code == 422
    page = html.parse(response)
    assert len(_chip_errors(page)) == 3 and html.text(page, "#err-at") == "请填写回访的日期和时间（HH:MM）。"
    assert html.errors(page) == {"purpose": "请填写回访目的。", "content": "请填写沟通内容。",
                                 "result": TOO_LONG % 2000, "next_step": TOO_LONG % 200}
    assert FollowUp.get().content == "按时完成"


@pytest.fixture
def task(app):
    adv = advisor("adv1")
    kid = make_student(name="张小明", advisor_user=adv)
    followups.log(adv, kid, {"kind": "routine", "channel": "phone", "whom": "parent", "at": earlier_today(5),
                             "purpose": "p", "content": "c", "next_on": TODAY + timedelta(days=1),
                             "next_step": "回电确认"})
    return FollowTask.get()


def test_postponing_a_task_reports_every_error_at_once(task, client):
    login(client, "adv1")
    token = csrf_from(_page(client, "/followups/"))
    response = client.post("/followups/task/%d/postpone" % task.id, data={"csrf_token": token, "until": "",
                                                                          "reason": ""})
    assert response.status_code == 422
    assert html.errors(html.parse(response)) == {"until-%d" % task.id: "请选择今天以后的日期。",
                                                 "reason-%d" % task.id: "请填写推迟原因。"}
    assert FollowTask.get().due_on == TODAY + timedelta(days=1) and FollowTask.get().postponed == 0


def test_handing_a_task_over_reports_its_error(task, client):
    make_user("sup", roles=("supervisor",))
    login(client, "sup")
    token = csrf_from(_page(client, "/followups/?advisor=%d" % task.advisor_id))
    response = client.post("/followups/task/%d/reassign" % task.id, data={"csrf_token": token, "advisor": "abc"})
    assert response.status_code == 422
    assert "请选择一位在职的学管师。" in response.get_data(as_text=True)
    assert FollowTask.get().advisor_id == task.advisor_id


# --- prints ----------------------------------------------------------------------------------------------------------


def test_the_signed_copy_form_reports_its_errors(new_class, client):
    adv, klass, _ = new_class
    briefing = _held_briefing(adv, klass)
    briefings.record(adv, briefing, {"syllabus": "力学", "sessions": "4"},
                     {row["key"]: "yes" for row in briefings.expected(briefing)})
    login(client, "adv1")
    url = "/print/briefing/%d" % briefing.id
    token = csrf_from(_page(client, "/meetings/briefing/%d" % klass.id))
    response = client.post(url + "/signed", data={"csrf_token": token, "note": "注" * 201})
    assert response.status_code == 422
    assert html.errors(html.parse(response)) == {"note": "最多 200 个字。"}
    assert SignedCopy.select().count() == 0
    prints.mark_received(adv, "briefing", briefing.id, "初二物理新班")  # meanwhile, at another desk
    again = client.post(url + "/signed", data={"csrf_token": token, "note": "已归档"})
    assert again.status_code == 422
    assert any(message.startswith("签字件已由 学管甲 于") for message in html.texts(html.parse(again), "p.error"))
    assert SignedCopy.select().count() == 1


def test_batch_printing_reports_every_error_at_once(new_class, client):
    login(client, "adv1")
    token = csrf_from(_page(client, "/print/batch"))
    response = client.post("/print/batch", data={"csrf_token": token, "form": "campus-daily", "first": "x",
                                                 "last": "2026-02-30"}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert html.errors(html.parse(response)) == {"batch-kind": "请选择表单。", "batch-first": "请填写日期。",
                                                 "batch-last": "请填写日期。"}
    assert 'id="job-card"' not in response.get_data(as_text=True)


# --- policy: meetings, followups, notices, prints --------------------------------------------------------------------


def test_who_may_in_meetings_follow_ups_and_prints(new_class, meeting):
    adv, klass, kids = new_class
    maths = klass.teacher
    boss = make_user("sup", roles=("supervisor",))
    director = make_user("dir", roles=("director",))
    other = advisor("adv2")
    # the 24-hour rule: only a supervisor or the principal may allow a later briefing
    assert policy.may_override_briefing(boss) and not policy.may_override_briefing(adv)
    assert not policy.may_override_briefing(director)
    # the class's advisor runs its meeting, its teacher prepares but does not run it, another advisor neither
    assert policy.may_run_parent_meeting(adv, meeting) and policy.may_prepare_parent_meeting(adv, meeting)
    assert policy.may_prepare_parent_meeting(maths, meeting) and not policy.may_run_parent_meeting(maths, meeting)
    assert not policy.may_prepare_parent_meeting(other, meeting)
    # a family's meeting: its advisor and the campus leaders, not a teacher
    family = parents.schedule(adv, None, kids[0], now() + timedelta(days=1), "接待室")
    assert policy.may_see_family_meeting(director, family) and not policy.may_see_family_meeting(maths, family)
    # the teaching director reviews plans; an advisor does not; only the teacher (or a stand-in) hands one in
    assert policy.may_review_plans(director) and not policy.may_review_plans(adv)
    plan = TeachingPlan(teacher=maths.id)
    assert policy.may_submit_plan(maths, plan) and policy.may_submit_plan(boss, plan)
    assert not policy.may_submit_plan(director, plan) and not policy.may_submit_plan(adv, plan)
    # follow-ups: who logged it corrects it, and a supervisor; another advisor not
    followup = FollowUp(advisor=adv.id)
    assert policy.may_edit_followup(adv, followup) and policy.may_edit_followup(boss, followup)
    assert not policy.may_edit_followup(other, followup)
    # reports: an advisor's own and the leaders'; never a teacher's "report"
    assert policy.may_see_advisor_report(adv, adv) and policy.may_see_advisor_report(boss, adv)
    assert not policy.may_see_advisor_report(other, adv) and not policy.may_see_advisor_report(boss, maths)
