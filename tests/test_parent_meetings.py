"""Parent meetings, the 7-day teaching plan, the Friday list and stage tests: domain rules and the pages."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import csrf_from, login, make_user
from tests.factories import advisor, make_class, make_contract, make_student, teacher
from xgapp.campus import rules
from xgapp.classes import domain as classes
from xgapp.meetings import parents
from xgapp.meetings.models import ParentMeeting, ParentMeetingAttendee, TeachingPlan
from xgapp.notices import domain as notices
from xgapp.scores import domain as scores
from xgapp.scores.models import Score
from xgapp.students import timeline
from xgapp.timetable import domain as timetable
from xgapp.validation import Invalid

ZONE = ZoneInfo("Asia/Shanghai")


def now():
    """The campus clock now (not at import: a full test run takes minutes)."""
    return datetime.now(ZONE)

TODAY = datetime.now(ZONE).date()


@pytest.fixture
def running(app):
    """A class that started ten weeks ago with two students."""
    adv = advisor("adv1", name="学管甲")
    maths = teacher("t1", name="数学刘老师")
    start = TODAY - timedelta(weeks=10)
    klass = make_class(name="初二数学提高班", advisor_user=adv, teacher_user=maths, start_on=start)
    timetable.schedule(None, klass, [start.weekday()], time(18), time(20), start, 16)
    kids = []
    for name in ("张小明", "李小红"):
        kid = make_student(name=name, advisor_user=adv)
        make_contract(kid, hours="40")
        classes.enrol(None, klass, kid, start)
        kids.append(kid)
    return adv, maths, klass, kids


def marks(meeting, pattern):
    """Attendance marks keyed as the form keys them: 'yyn' = the first two came, the third did not."""
    return {row["key"]: "yes" if flag == "y" else "no" for row, flag in zip(parents.expected(meeting), pattern)}


def minutes(**kw):
    data = {"teacher_report": "两位同学函数掌握较好，几何证明还需练习", "advisor_report": "作业按时完成，课堂纪律好",
            "parent_questions": "问：寒假怎么安排？", "problems": "几何证明步骤不规范", "solutions": "每周一次专项练习",
            "parents_to_do": "每天督促完成练习"}
    data.update(kw)
    return data


def test_minutes_of_a_meeting_that_has_not_happened_are_refused(running):
    adv, _, klass, _ = running
    meeting = parents.schedule(adv, klass, None, now() + timedelta(days=2), "101教室")
    with pytest.raises(Invalid) as early:
        parents.record(adv, meeting, minutes(), marks(meeting, "yyyy"))
    assert "teacher_report" in early.value.errors
    assert ParentMeeting.get().status == "scheduled" and TeachingPlan.select().count() == 0


def test_minutes_make_the_plan_due_in_seven_days_and_go_out(running):
    adv, maths, klass, kids = running
    boss = make_user("sup", roles=("supervisor",), name="主管")
    meeting = parents.schedule(adv, klass, None, now() + timedelta(hours=1), "101教室", prep={"prep_topics": "期中"})
    assert "初二数学提高班" in notices.unread(maths)[0].text  # the teacher is told to prepare
    rows = parents.expected(meeting)
    assert [r["role"] for r in rows] == ["advisor", "teacher", "parent", "parent"]
    with pytest.raises(Invalid) as missing:
        parents.record(adv, meeting, minutes(advisor_report=""), marks(meeting, "y"), now=now() + timedelta(hours=2))
    assert set(missing.value.errors) == {"advisor_report", "came"}
    held = parents.record(adv, meeting, minutes(), marks(meeting, "yyyn"), now=now() + timedelta(hours=2))
    assert held.status == "held" and not held.missing_required
    plan = TeachingPlan.get()
    assert (plan.teacher_id, plan.due_on, plan.status) == (maths.id, (now() + timedelta(hours=1)).date() +
                                                           timedelta(days=7), "due")
    assert [p.id for p in parents.plans_for_teacher(maths)] == [plan.id]
    assert any("初二数学提高班" in n.text and n.link == "/meetings/parents/%d" % meeting.id
               for n in notices.unread(boss))
    assert [e[3] for e in timeline.events(kids[1]) if e[1] == "meeting"] == ["家长未出席"]
    with pytest.raises(Invalid):
        parents.record(adv, meeting, minutes(), marks(meeting, "yyyy"), now=now() + timedelta(hours=3))


def test_the_plan_after_seven_days_is_accepted_but_late_then_reviewed_and_put_in_effect(running):
    adv, maths, klass, _ = running
    director = make_user("dir", roles=("director",), name="教学主任")
    meeting = parents.schedule(adv, klass, None, now() + timedelta(minutes=1), "101教室")
    parents.record(adv, meeting, minutes(), marks(meeting, "yyyy"), now=now() + timedelta(minutes=2))
    plan = TeachingPlan.get()
    with pytest.raises(Invalid):
        parents.submit_plan(maths, plan, "  ")
    with pytest.raises(Invalid):
        parents.submit_plan(adv, plan, "不是老师写的")  # an advisor does not write the teacher's plan
    late = parents.submit_plan(maths, plan, "几何证明每周专项", now=now() + timedelta(days=9))
    assert late.status == "submitted" and late.late is True
    assert "初二数学提高班" in notices.unread(director)[0].text
    with pytest.raises(Invalid):
        parents.review_plan(director, late, "return", "")
    returned = parents.review_plan(director, late, "return", "请补充每周练习题目")
    assert returned.status == "returned" and [p.id for p in parents.plans_for_teacher(maths)] == [plan.id]
    again = parents.submit_plan(maths, returned, "几何证明每周专项，附练习清单", now=now() + timedelta(days=10))
    approved = parents.review_plan(director, again, "approve", "")
    assert approved.status == "approved" and [p.id for p in parents.plans_to_apply(adv)] == [plan.id]
    effective = parents.make_effective(adv, approved)
    assert effective.status == "effective" and effective.effective_by_id == adv.id
    with pytest.raises(Invalid):
        parents.make_effective(adv, approved)  # only once, and only from "approved"


def test_a_serious_meeting_calls_the_leaders_and_flags_their_absence(running):
    adv, _, klass, _ = running
    leaders = [make_user(u, roles=(r,)) for u, r in (("dir", "director"), ("sup", "supervisor"))]
    meeting = parents.schedule(adv, klass, None, now() + timedelta(minutes=1), "101教室", serious=True)
    for leader in leaders:
        assert "初二数学提高班" in notices.unread(leader)[0].text
    roles = [r["role"] for r in parents.expected(meeting)]
    assert roles[:5] == ["advisor", "teacher", "director", "supervisor", "principal"]
    came = marks(meeting, "yyn" + "y" * (len(roles) - 3))  # the teaching director did not come
    held = parents.record(adv, meeting, minutes(), came, now=now() + timedelta(minutes=2))
    assert held.missing_required is True


def test_the_friday_list_names_classes_due_a_meeting_or_a_test(running):
    adv, maths, klass, kids = running
    rows = parents.friday_list(adv, TODAY)
    assert [(r["klass"].id, r["needs"]) for r in rows] == [(klass.id, ["meeting", "test"])]
    test = scores.create(maths, klass, "月测", TODAY - timedelta(days=3), "100")
    assert test.full_score == 100
    assert [r["needs"] for r in parents.friday_list(adv, TODAY)] == [["meeting"]]
    parents.schedule(adv, klass, None, now() + timedelta(days=1), "101教室")
    assert parents.friday_list(adv, TODAY) == []
    rules.save(None, dict(rules.raw_values(), stage_test_weeks="1", absent_consumes="1", late_consumes="1"))
    assert [r["needs"] for r in parents.friday_list(adv, TODAY)] == [["test"]]
    with pytest.raises(Invalid):
        rules.save(None, dict(rules.raw_values(), stage_test_weeks="0", absent_consumes="1", late_consumes="1"))


def test_scores_must_be_within_the_full_score_and_give_class_statistics(running):
    adv, maths, klass, kids = running
    with pytest.raises(Invalid) as bad:
        scores.create(maths, klass, "", None, "0")
    assert set(bad.value.errors) == {"name", "on", "full_score"}
    test = scores.create(maths, klass, "十一月月测", TODAY - timedelta(days=7), "120")
    with pytest.raises(Invalid) as out_of_range:
        scores.save_scores(maths, test, {kids[0].id: ("121", ""), kids[1].id: ("abc", "")})
    assert set(out_of_range.value.errors) == {"score-%d" % kids[0].id, "score-%d" % kids[1].id}
    assert Score.select().count() == 0  # all or nothing
    with pytest.raises(Invalid):
        scores.save_scores(maths, test, {kids[0].id: ("99.55", "")})
    scores.save_scores(maths, test, {kids[0].id: ("108.5", "函数满分，几何扣分"), kids[1].id: ("66", "计算失误多")})
    stats = scores.stats(test)
    assert (stats["average"], stats["high"], stats["low"]) == (Decimal("87.3"), Decimal("108.5"), Decimal("66.0"))
    assert stats["bands"]["≥90%"] == 1 and stats["bands"]["<60%"] == 1  # 66/120 = 55 %
    second = scores.create(maths, klass, "十二月月测", TODAY, "100")
    scores.save_scores(maths, second, {kids[0].id: ("95", "")})
    assert [(t.name, pct) for t, _, pct in scores.trend(kids[0])] == [("十一月月测", Decimal("90")),
                                                                    ("十二月月测", Decimal("95"))]
    assert any(e[1] == "score" for e in timeline.events(kids[0]))


def test_parent_meeting_pages(running, client):
    adv, maths, klass, kids = running
    login(client, "adv1")
    form = client.get("/meetings/parents/new?class=%d" % klass.id).get_data(as_text=True)
    token = csrf_from(form)
    past = client.post("/meetings/parents/new", data={"csrf_token": token, "class": str(klass.id),
                                                      "day": "2020-01-01", "time": "19:00"})
    assert past.status_code == 422 and "会议不能安排在过去" in past.get_data(as_text=True)
    soon = now() + timedelta(minutes=3)
    ok = client.post("/meetings/parents/new", data={"csrf_token": token, "class": str(klass.id),
                                                    "day": soon.strftime("%Y-%m-%d"), "time": soon.strftime("%H:%M"),
                                                    "place": "101教室", "prep_topics": "期中总结"})
    assert ok.status_code == 303
    meeting = ParentMeeting.get()
    form = {"came-" + key: value for key, value in marks(meeting, "yyyy").items()}
    early = client.post("/meetings/parents/%d/record" % meeting.id, data=dict(minutes(), csrf_token=token, **form))
    assert early.status_code == 422 and "会议还没有召开" in early.get_data(as_text=True)
    ParentMeeting.update(starts_at=now() - timedelta(hours=1)).execute()
    form = {"came-" + key: value for key, value in marks(meeting, "yyyn").items()}
    done = client.post("/meetings/parents/%d/record" % meeting.id, data=dict(minutes(), csrf_token=token, **form))
    assert done.status_code == 303 and ParentMeetingAttendee.select().count() == 4
    client.post("/logout", data={"csrf_token": token})
    login(client, "t1")
    home = client.get("/").get_data(as_text=True)
    due = (now() - timedelta(hours=1)).date() + timedelta(days=7)
    assert 'id="plans-due"' in home and due.isoformat() in home
    assert "初二数学提高班" in client.get("/meetings/").get_data(as_text=True)
    plan = TeachingPlan.get()
    token = csrf_from(home)
    assert client.post("/meetings/plans/%d/approve" % plan.id, data={"csrf_token": token}
                       ).status_code == 403
    assert client.post("/meetings/plans/%d/submit" % plan.id, data={"csrf_token": token, "content": "新方案"}
                       ).status_code == 303
    assert TeachingPlan.get().status == "submitted"
    page = client.get("/scores/class/%d" % klass.id)
    assert page.status_code == 200
    bad = client.post("/scores/class/%d" % klass.id, data={"csrf_token": token, "name": "", "on": "",
                                                           "full_score": "x"})
    assert bad.status_code == 422 and "请填写测试名称" in bad.get_data(as_text=True)


def test_a_family_meeting_speaks_of_the_family_not_the_class(running, client):
    adv, maths, klass, kids = running
    login(client, "adv1")
    form = client.get("/meetings/parents/new?student=%d" % kids[0].id).get_data(as_text=True)
    assert "问题严重：教学主任、学管师主管和校长须参加" in form and "该班问题严重" not in form
    soon = now() + timedelta(days=1)
    ok = client.post("/meetings/parents/new", data={"csrf_token": csrf_from(form), "student": str(kids[0].id),
                                                    "day": soon.strftime("%Y-%m-%d"), "time": "19:00",
                                                    "place": "接待室"})
    assert ok.status_code == 303
    page = client.get(ok.headers["Location"]).get_data(as_text=True)
    assert "家庭面谈会已安排。" in page and "已通知任课老师" not in page


def test_a_parent_meeting_far_in_the_future_is_refused(running, client):
    adv, maths, klass, kids = running
    login(client, "adv1")
    token = csrf_from(client.get("/meetings/parents/new?class=%d" % klass.id).get_data(as_text=True))
    for day, says in (("9999-12-31", "请填写会议的日期和时间"), ("2099-12-31", "最多提前一年")):
        refused = client.post("/meetings/parents/new", data={"csrf_token": token, "class": str(klass.id),
                                                             "day": day, "time": "19:00", "place": "101教室"})
        assert refused.status_code == 422 and says in refused.get_data(as_text=True), day
    assert ParentMeeting.select().count() == 0
