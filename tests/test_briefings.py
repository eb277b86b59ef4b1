"""Pre-class briefings and first-lesson feedback: the 24-hour rule, the override, the record, over HTTP too."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import csrf_from, login, make_user
from tests.factories import advisor, make_class, make_contract, make_student, teacher
from xgapp.audit.models import AuditLog
from xgapp.classes import domain as classes
from xgapp.meetings import briefings
from xgapp.meetings.models import Briefing, BriefingAttendee, FirstLessonFeedback
from xgapp.students import timeline
from xgapp.timetable import domain as timetable
from xgapp.validation import Invalid

ZONE = ZoneInfo("Asia/Shanghai")


def now():
    """The campus clock now (not at import: a full test run takes minutes)."""
    return datetime.now(ZONE)

TODAY = datetime.now(ZONE).date()


@pytest.fixture
def setup(app):
    """A new class starting in 5 days at 18:00, two students, its advisor and teacher."""
    adv = advisor("adv1", name="学管甲")
    first = TODAY + timedelta(days=5)
    klass = make_class(name="初二物理新班", advisor_user=adv, teacher_user=teacher("t1", name="物理刘老师"),
                       start_on=first)
    timetable.schedule(None, klass, [first.weekday()], time(18), time(20), first, 4)
    kids = []
    for name in ("张小明", "李小红"):
        kid = make_student(name=name, advisor_user=adv)
        make_contract(kid, subject="数学", hours="40")
        classes.enrol(None, klass, kid, first)
        kids.append(kid)
    return adv, klass, kids, datetime.combine(first, time(18), tzinfo=ZONE)


def test_a_briefing_later_than_24_hours_before_the_first_lesson_is_refused(setup):
    adv, klass, _, first = setup
    with pytest.raises(Invalid) as late:
        briefings.schedule(adv, klass, first - timedelta(hours=20), "101教室")
    assert "24" in str(late.value.errors["starts_at"])
    assert Briefing.select().count() == 0
    ok = briefings.schedule(adv, klass, first - timedelta(hours=24), "101教室")
    assert ok.starts_at == first - timedelta(hours=24) and ok.host_id == adv.id and not ok.override_reason
    with pytest.raises(Invalid):
        briefings.schedule(adv, klass, first + timedelta(hours=1), "101教室")  # after the first lesson: never


def test_a_supervisor_may_allow_a_late_briefing_with_a_reason(setup):
    _, klass, _, first = setup
    boss = make_user("sup", roles=("supervisor",), name="主管")
    with pytest.raises(Invalid) as no_reason:
        briefings.schedule(boss, klass, first - timedelta(hours=3), "101教室")
    assert set(no_reason.value.errors) == {"override_reason"}
    late = briefings.schedule(boss, klass, first - timedelta(hours=3), "101教室", "家长周末才有空，提前电话说明过")
    assert late.override_by_id == boss.id and late.override_reason.startswith("家长周末")
    assert briefings.problem(klass, late) is None


def test_the_class_is_at_risk_until_its_briefing_is_in_order(setup):
    adv, klass, _, first = setup
    risk = briefings.at_risk(adv, TODAY)
    assert [(k.id, str(issue)[:2]) for k, _, _, issue in risk] == [(klass.id, "No")]
    briefings.schedule(adv, klass, first - timedelta(days=2), "101教室")
    assert briefings.at_risk(adv, TODAY) == []
    # When the briefing time has passed without a record, the class is at risk again.
    assert briefings.problem(klass, briefings.of_class(klass), now=first - timedelta(days=1)) is not None


def test_the_record_lists_every_attendee_and_goes_into_each_students_file(setup):
    adv, klass, kids, first = setup
    briefing = briefings.schedule(adv, klass, first - timedelta(days=2), "101教室")
    rows = briefings.expected(briefing)
    assert [r["role"] for r in rows] == ["advisor", "teacher", "parent", "parent"]
    came = {row["key"]: flag for row, flag in zip(rows, ("yes", "yes", "yes", "no"))}
    with pytest.raises(Invalid) as early:  # minutes for a briefing that has not happened
        briefings.record(adv, briefing, {"syllabus": "力学", "sessions": "16"}, came)
    assert "syllabus" in early.value.errors
    later = first - timedelta(days=2) + timedelta(hours=2)
    with pytest.raises(Invalid) as partial:
        briefings.record(adv, briefing, {"syllabus": "力学", "sessions": "abc"}, {rows[0]["key"]: "yes"}, now=later)
    assert set(partial.value.errors) == {"sessions", "came"}
    held = briefings.record(adv, briefing, {"syllabus": "力学：运动和力、压强、浮力", "sessions": "16",
                                            "goals": "能独立完成中考力学题", "qa": "问：作业多吗？答：每次课一份"}, came,
                            now=later)
    assert held.status == "held" and held.sessions == 16
    assert [(a.role, a.came) for a in BriefingAttendee.select().order_by(BriefingAttendee.id)] == [
        ("advisor", True), ("teacher", True), ("parent", True), ("parent", False)]
    for kid, came_text in zip(kids, ("家长出席", "家长未出席")):
        events = [e for e in timeline.events(kid) if e[1] == "briefing"]
        assert events and events[0][3] == came_text
    with pytest.raises(Invalid):
        briefings.schedule(adv, klass, first - timedelta(days=3), "102教室")  # a held briefing is not moved
    filed = briefings.mark_paper(adv, held)
    assert filed.received_by_id == adv.id and filed.received_at is not None
    assert (filed.form, filed.ref) == ("briefing", str(held.id))
    with pytest.raises(Invalid):  # filed once: a second mark says who filed it and when
        briefings.mark_paper(adv, held)
    assert AuditLog.select().where(AuditLog.table == "briefing").count() == 2  # scheduled, recorded
    assert AuditLog.select().where(AuditLog.table == "signed_copy").count() == 1  # the paper filed, once


def test_first_lesson_feedback_is_kept_once_per_student_and_class(setup):
    adv, klass, kids, _ = setup
    with pytest.raises(Invalid):
        briefings.save_feedback(adv, klass, kids[0], {"from_student": " ", "from_teacher": "", "from_parent": ""})
    stranger = make_student(name="王别人", advisor_user=adv)
    with pytest.raises(Invalid):
        briefings.save_feedback(adv, klass, stranger, {"from_student": "好"})
    briefings.save_feedback(adv, klass, kids[0], {"from_student": "听得懂", "from_teacher": "反应快"})
    briefings.save_feedback(adv, klass, kids[0], {"from_student": "听得懂", "from_teacher": "反应快",
                                                  "from_parent": "孩子回家说喜欢"})
    assert FirstLessonFeedback.select().count() == 1
    assert FirstLessonFeedback.get().from_parent == "孩子回家说喜欢"
    assert any(e[1] == "feedback" for e in timeline.events(kids[0]))


def test_briefing_pages_by_role(setup, client):
    adv, klass, kids, first = setup
    login(client, "adv1")
    page = client.get("/classes/%d" % klass.id).get_data(as_text=True)
    assert 'id="briefing-warning"' in page
    token = csrf_from(page)
    late = first - timedelta(hours=10)
    refused = client.post("/meetings/briefing/%d/schedule" % klass.id, data={
        "csrf_token": token, "day": late.strftime("%Y-%m-%d"), "time": late.strftime("%H:%M"), "place": "101教室"})
    assert refused.status_code == 422 and "须在首次课" in refused.get_data(as_text=True)
    ok_at = first - timedelta(days=2)
    ok = client.post("/meetings/briefing/%d/schedule" % klass.id, data={
        "csrf_token": token, "day": ok_at.strftime("%Y-%m-%d"), "time": ok_at.strftime("%H:%M"), "place": "101教室"})
    assert ok.status_code == 303
    assert 'id="briefing-warning"' not in client.get("/classes/%d" % klass.id).get_data(as_text=True)
    early = client.post("/meetings/briefing/%d/record" % klass.id, data={
        "csrf_token": token, "syllabus": "力学", "sessions": "16", "came-advisor-%d" % adv.id: "yes"})
    assert early.status_code == 422 and "还没有召开" in early.get_data(as_text=True)
    paper = client.post("/meetings/briefing/%d/paper" % klass.id, data={"csrf_token": token})
    assert paper.status_code == 422 and "请先填写说明会记录" in paper.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token})
    make_user("t9", roles=("teacher",))
    login(client, "t9")
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/meetings/briefing/%d/schedule" % klass.id, data={"csrf_token": token}).status_code == 404
    make_user("fin", roles=("finance",))
    client.post("/logout", data={"csrf_token": token})
    login(client, "fin")
    assert client.get("/meetings/").status_code == 403


def test_first_lesson_feedback_page(setup, client):
    adv, klass, kids, _ = setup
    login(client, "adv1")
    url = "/meetings/feedback/%d/%d" % (klass.id, kids[0].id)
    token = csrf_from(client.get(url).get_data(as_text=True))
    empty = client.post(url, data={"csrf_token": token})
    assert empty.status_code == 422 and "请至少填写一方的反馈" in empty.get_data(as_text=True)
    ok = client.post(url, data={"csrf_token": token, "from_student": "老师讲得清楚", "from_teacher": "基础不错",
                                "from_parent": "满意"})
    assert ok.status_code == 303 and FirstLessonFeedback.get().from_teacher == "基础不错"
    assert "第一次课后备忘录" in client.get("/students/%d" % kids[0].id).get_data(as_text=True)


@pytest.fixture
def morning_class(app):
    """A new class whose first lesson is at 10:00 in 5 days: the evening before is less than 24 h ahead."""
    adv = advisor("adv1", name="学管甲")
    first = TODAY + timedelta(days=5)
    klass = make_class(name="初一数学早班", advisor_user=adv, teacher_user=teacher("t1"), start_on=first)
    timetable.schedule(None, klass, [first.weekday()], time(10), time(12), first, 4)
    return adv, klass, datetime.combine(first, time(10), tzinfo=ZONE)


def test_the_proposed_briefing_time_keeps_the_24_hour_rule(morning_class):
    _, klass, first = morning_class
    proposed = briefings.proposal(klass)
    assert proposed == datetime.combine(first.date() - timedelta(days=2), time(19), tzinfo=ZONE)
    assert proposed <= first - timedelta(hours=24)
    # the evening before the deadline has passed: the deadline itself, never a time that breaks the rule
    late_now = first - timedelta(hours=26)
    assert briefings.proposal(klass, now=late_now) == first - timedelta(hours=24)


def test_the_briefing_form_offers_an_allowed_time_and_says_the_rule_plainly(morning_class, client):
    import re

    adv, klass, first = morning_class
    login(client, "adv1")
    page = client.get("/meetings/briefing/%d" % klass.id).get_data(as_text=True)
    day = re.search(r'name="day" value="([^"]*)"', page).group(1)
    hhmm = re.search(r'name="time" value="([^"]*)"', page).group(1)
    assert (day, hhmm) == ((first.date() - timedelta(days=2)).isoformat(), "19:00")
    token = csrf_from(page)
    late = first - timedelta(hours=15)  # what the form used to offer: 19:00 the evening before
    refused = client.post("/meetings/briefing/%d/schedule" % klass.id, data={
        "csrf_token": token, "day": late.strftime("%Y-%m-%d"), "time": late.strftime("%H:%M"), "place": "101教室"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "课前说明会须在首次课开始前至少 24 小时召开（首次课：%s）" % first.strftime("%Y-%m-%d %H:%M") in text
    assert "以前召开" not in text
    ok = client.post("/meetings/briefing/%d/schedule" % klass.id, data={
        "csrf_token": token, "day": day, "time": hhmm, "place": "101教室"})
    assert ok.status_code == 303 and Briefing.get().starts_at == first - timedelta(hours=39)
