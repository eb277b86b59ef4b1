"""Follow-up pages over HTTP: quick entry, bad input beside the field, who may see and change what."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.conftest import csrf_from, earlier_today, login, make_user
from tests.factories import advisor, make_student
from xgapp.followups import domain
from xgapp.followups.models import FollowTask, FollowUp
from xgapp.students import domain as students

ZONE = ZoneInfo("Asia/Shanghai")


def _token(client, url="/"):
    return csrf_from(client.get(url).get_data(as_text=True))


def _now():
    return earlier_today(2)


def _form(token, student, **kw):
    now = _now()
    data = {"csrf_token": token, "student": str(student.id), "kind": "routine", "channel": "phone", "whom": "parent",
            "day": now.strftime("%Y-%m-%d"), "time": now.strftime("%H:%M"), "purpose": "了解作业情况",
            "content": "妈妈说作业按时完成", "result": "", "next_step": "", "next_on": ""}
    data.update(kw)
    return data


def test_an_advisor_logs_a_phone_follow_up_from_the_student_file(app, client):
    adv = advisor("adv1")
    kid = make_student(name="张小明", advisor_user=adv)
    login(client, "adv1")
    page = client.get("/students/%d" % kid.id).get_data(as_text=True)
    assert "/followups/new?student=%d" % kid.id in page
    form = client.get("/followups/new?student=%d" % kid.id).get_data(as_text=True)
    assert "了解近期学习状态" in form and 'value="phone" checked' in form  # template purpose, phone, now
    response = client.post("/followups/new", data=_form(csrf_from(form), kid, next_on=(
        _now().date() + timedelta(days=7)).isoformat(), next_step="下周问月考成绩"))
    assert response.status_code == 303
    saved = FollowUp.get()
    assert (saved.student_id, saved.advisor_id, saved.content) == (kid.id, adv.id, "妈妈说作业按时完成")
    assert FollowTask.get().note == "下周问月考成绩"
    timeline = client.get("/students/%d" % kid.id).get_data(as_text=True)
    assert "回访 · 日常 · 电话 · 家长" in timeline


def test_bad_input_is_shown_beside_the_field_with_nothing_saved(app, client):
    adv = advisor("adv1")
    kid = make_student(name="张小明", advisor_user=adv)
    login(client, "adv1")
    token = _token(client, "/followups/new?student=%d" % kid.id)
    future = (_now() + timedelta(days=1))
    response = client.post("/followups/new", data=_form(token, kid, content="", channel="", day=future.strftime(
        "%Y-%m-%d"), next_on="2020-01-01", next_step="x"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请填写沟通内容" in html and "回访时间不能晚于现在" in html and "下一步日期须在今天以后" in html
    assert 'id="err-content"' in html
    assert FollowUp.select().count() == 0 and FollowTask.select().count() == 0


def test_an_advisor_cannot_touch_another_advisors_follow_ups(app, client):
    mine, theirs = advisor("adv1"), advisor("adv2")
    other_kid = make_student(name="王别人", advisor_user=theirs)
    followup = domain.log(theirs, other_kid, {"kind": "routine", "channel": "phone", "whom": "parent", "at": _now(),
                                              "purpose": "p", "content": "c"})
    login(client, "adv1")
    token = _token(client)
    assert client.get("/followups/%d/edit" % followup.id).status_code == 403
    assert client.post("/followups/%d/edit" % followup.id, data=_form(token, other_kid)).status_code == 403
    assert client.post("/followups/new", data=_form(token, other_kid)).status_code == 404
    # A supervisor may see it; a follow-up of one's own student logged by the supervisor is still not the advisor's.
    assert FollowUp.get().content == "c" and mine.id != theirs.id


def test_an_advisor_editing_a_supervisors_follow_up_of_her_own_student_is_403(app, client):
    adv = advisor("adv1")
    kid = make_student(name="张小明", advisor_user=adv)
    boss = make_user("sup", roles=("supervisor",))
    followup = domain.log(boss, kid, {"kind": "routine", "channel": "phone", "whom": "parent", "at": _now(),
                                      "purpose": "主管回访", "content": "c"})
    login(client, "adv1")
    token = _token(client)
    assert client.get("/followups/%d/edit" % followup.id).status_code == 403
    assert client.post("/followups/%d/edit" % followup.id, data=_form(token, kid)).status_code == 403
    assert FollowUp.get().purpose == "主管回访"


def test_roles_without_follow_ups_are_refused(app, client):
    kid = make_student(name="张小明")
    for role in ("teacher", "frontdesk", "finance"):
        make_user("u-" + role, roles=(role,))
        login(client, "u-" + role)
        token = _token(client)
        assert client.get("/followups/").status_code == 403, role
        assert client.post("/followups/new", data=_form(token, kid)).status_code == 403, role
        client.post("/logout", data={"csrf_token": token})
    assert FollowUp.select().count() == 0


def test_the_to_do_list_postpone_and_the_supervisor_panel(app, client):
    adv = advisor("adv1", name="学管甲")
    kid = make_student(name="张小明", advisor_user=adv)
    students.change_status(adv, kid, "active")
    today = datetime.now(ZONE).date()
    domain.log(adv, kid, {"kind": "routine", "channel": "phone", "whom": "parent", "at": _now(), "purpose": "p",
                          "content": "c", "next_on": today + timedelta(days=1), "next_step": "回电确认"})
    FollowTask.update(due_on=today - timedelta(days=1)).execute()
    task = FollowTask.get()
    login(client, "adv1")
    page = client.get("/followups/").get_data(as_text=True)
    assert 'class="task overdue"' in page and "回电确认" in page
    assert "张小明 <small>1/2</small>" in page  # short of two this month
    token = csrf_from(page)
    later = (today + timedelta(days=3)).isoformat()
    bad = client.post("/followups/task/%d/postpone" % task.id, data={"csrf_token": token, "until": later, "reason": ""})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "请填写推迟原因" in html
    assert "<details open>" in html and 'value="%s"' % later in html  # the box stays open with the day chosen
    ok = client.post("/followups/task/%d/postpone" % task.id, data={
        "csrf_token": token, "until": (today + timedelta(days=3)).isoformat(), "reason": "家长出差"})
    assert ok.status_code == 303 and FollowTask.get().due_on == today + timedelta(days=3)
    assert client.get("/followups/overview").status_code == 403
    assert client.post("/followups/task/%d/reassign" % task.id, data={"csrf_token": token,
                                                                      "advisor": str(adv.id)}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    make_user("sup", roles=("supervisor",))
    login(client, "sup")
    panel = client.get("/followups/overview").get_data(as_text=True)
    assert 'data-advisor="学管甲"' in panel
    one = client.get("/followups/?advisor=%d" % adv.id).get_data(as_text=True)
    assert "回电确认" in one


def test_seen_today_resets_the_face_to_face_rule(app, client):
    adv = advisor("adv1")
    kid = make_student(name="张小明", advisor_user=adv)
    login(client, "adv1")
    token = _token(client, "/followups/")
    assert client.post("/followups/face/%d" % kid.id, data={"csrf_token": token}).status_code == 303
    saved = FollowUp.get()
    assert (saved.channel, saved.whom) == ("face", "student")


def test_while_the_job_worker_has_not_run_today_the_to_do_list_says_new_tasks_are_coming(app, login_as):
    from xgapp import clock, scheduler

    client = login_as("advisor")
    paths = app.config["XGAPP_PATHS"]
    assert "正在生成" not in client.get("/followups/").get_data(as_text=True)  # no worker here: nothing promised
    scheduler.write_state(paths, worker=True, daily=(clock.today() - timedelta(days=1)).isoformat())
    assert "今天新的跟进任务正在生成" in client.get("/followups/").get_data(as_text=True)
    assert "今天新的跟进任务正在生成" in client.get("/").get_data(as_text=True)
    scheduler.run_jobs(app)  # the worker's daily run
    assert scheduler.read_state(paths)["daily"] == clock.today().isoformat()
    assert "正在生成" not in client.get("/followups/").get_data(as_text=True)


def test_a_long_backlog_shows_the_earliest_tasks_first_then_page_after_page(app, client):
    import html

    from xgapp.followups import views

    adv = advisor("adv1", name="学管甲")
    kids = [make_student(name=name, advisor_user=adv) for name in ("张小明", "李小红")]
    today = datetime.now(ZONE).date()
    total = 2 * views.TASKS_SHOWN + 5
    for n in range(total):  # the oldest first: tasks n and n+1 are due on the same day, for two students
        FollowTask.create(student=kids[n % 2], advisor=adv, kind="routine",
                          due_on=today - timedelta(days=total - n // 2), source="test:%d" % n, note="第%d项" % n,
                          created_at=_now())
    login(client, "adv1")
    page = client.get("/followups/").get_data(as_text=True)
    shown = [int(n) for n in re.findall(r"第(\d+)项", page)]
    assert shown == list(range(views.TASKS_SHOWN))  # the ones overdue longest
    assert '<span class="count">%d</span>' % total in page and "最早到期" not in page
    seen, url = list(shown), re.search(r'href="([^"]+)#tasks">后面的任务', page).group(1)
    while url:
        more = client.get(html.unescape(url)).get_data(as_text=True)
        seen += [int(n) for n in re.findall(r"第(\d+)项", more)]
        assert '<span class="count">%d</span>' % total in more and "最早到期" in more
        found = re.search(r'href="([^"]+)#tasks">后面的任务', more)
        url = found.group(1) if found else None
    assert seen == list(range(total))  # every task once, in order, over three pages
    last = FollowTask.get(FollowTask.source == "test:%d" % (total - 1))
    refused = client.post("/followups/task/%d/postpone" % last.id, data={
        "csrf_token": csrf_from(page), "until": (today + timedelta(days=3)).isoformat(), "reason": ""})
    assert refused.status_code == 422 and 'id="task-%d"' % last.id in refused.get_data(as_text=True)
