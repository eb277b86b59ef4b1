"""Study-room pages over HTTP: the kiosk (and its fence), sign-in/out, the board, closing time, records, Q&A."""

from datetime import datetime, timedelta

from tests.conftest import csrf_from, login, make_user
from tests.factories import advisor, make_student, teacher
from xgapp import clock as campus_clock
from xgapp import security
from xgapp.campus import rules
from xgapp.clock import fixed as clock
from xgapp.clock import zone as campus_zone
from xgapp.selfstudy import domain
from xgapp.selfstudy.models import Question, Visit
from xgapp.students.models import Guardian, Student

HX = {"HX-Request": "true"}


def today_at(hour, minute=0):
    """Today at hh:mm campus time: what the room shows depends on whether it has closed yet."""
    day = campus_clock.today()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=campus_zone())


def _token(client, url="/"):
    return csrf_from(client.get(url).get_data(as_text=True))


def _desk(client, username="desk"):
    make_user(username, roles=("frontdesk",), name="前台小李")
    assert login(client, username).status_code == 303
    return _token(client, "/selfstudy/kiosk")


def _post(client, url, token, **data):
    return client.post(url, data=data, headers=dict(HX, **{"X-CSRFToken": token}))


def test_the_kiosk_signs_a_student_in_and_out_in_two_taps(app, client):
    kid = make_student(name="张小明")
    token = _desk(client)
    found = client.get("/selfstudy/kiosk/search?q=zxm", headers=HX).get_data(as_text=True)
    assert "张小明" in found and "/selfstudy/kiosk/in/%d" % kid.id in found
    signed = _post(client, "/selfstudy/kiosk/in/%d" % kid.id, token)
    assert signed.status_code == 200 and signed.headers["HX-Trigger"] == "kiosk-changed"
    assert "张小明 已签到" in signed.get_data(as_text=True)
    visit = Visit.get()
    again = _post(client, "/selfstudy/kiosk/in/%d" % kid.id, token)
    assert again.status_code == 422 and "张小明 已在自习室" in again.get_data(as_text=True)
    assert Visit.select().count() == 1
    # The search now offers sign-out; the pickup panel names the guardians but never shows their phones.
    assert "/selfstudy/kiosk/out/%d" % visit.id in client.get("/selfstudy/kiosk/search?q=zxm",
                                                              headers=HX).get_data(as_text=True)
    panel = client.get("/selfstudy/kiosk/out/%d" % visit.id, headers=HX).get_data(as_text=True)
    mother = kid.guardians.get()
    assert "张妈妈" in panel and mother.mobile not in panel
    assert "自己回家" not in panel  # the file does not allow it
    out = _post(client, "/selfstudy/kiosk/out/%d" % visit.id, token, kind="guardian", guardian=str(mother.id))
    assert out.status_code == 200 and "张小明 已签退" in out.get_data(as_text=True)
    visit = Visit.get()
    assert visit.left_at is not None and visit.pickup_name == "张妈妈"
    late = _post(client, "/selfstudy/kiosk/out/%d" % visit.id, token, kind="guardian", guardian=str(mother.id))
    assert late.status_code == 422 and "已于" in late.get_data(as_text=True)


def test_without_javascript_the_kiosk_is_plain_pages_and_forms(app, client):
    """No HX-Request header: the search answers with the whole kiosk, every button is a form or a link, every answer
    comes back to the kiosk page with what happened."""
    kid = make_student(name="张小明")
    token = _desk(client)
    page = client.get("/selfstudy/kiosk/search?q=zxm")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html and 'value="zxm"' in html
    assert 'method="post" action="/selfstudy/kiosk/in/%d"' % kid.id in html
    signed = client.post("/selfstudy/kiosk/in/%d" % kid.id, data={"csrf_token": token})
    assert signed.status_code == 303 and signed.headers["Location"].endswith("/selfstudy/kiosk")
    assert "张小明 已签到" in client.get("/selfstudy/kiosk").get_data(as_text=True)
    visit = Visit.get()
    found = client.get("/selfstudy/kiosk/search?q=zxm").get_data(as_text=True)
    assert 'href="/selfstudy/kiosk/out/%d"' % visit.id in found
    panel = client.get("/selfstudy/kiosk/out/%d" % visit.id).get_data(as_text=True)
    assert "<html" in panel and 'data-testid="pickup-panel"' in panel and "谁来接 张小明" in panel
    nameless = client.post("/selfstudy/kiosk/out/%d" % visit.id, data={"csrf_token": token, "kind": "other",
                                                                       "name": "", "relation": "姑姑"})
    html = nameless.get_data(as_text=True)
    assert nameless.status_code == 422 and "<html" in html and "请填写接孩子的人的姓名" in html
    assert Visit.get().left_at is None
    mother = kid.guardians.get()
    out = client.post("/selfstudy/kiosk/out/%d" % visit.id, data={"csrf_token": token, "kind": "guardian",
                                                                  "guardian": str(mother.id)})
    assert out.status_code == 303 and "张小明 已签退" in client.get("/selfstudy/kiosk").get_data(as_text=True)
    assert Visit.get().pickup_name == "张妈妈"


def test_bad_pickups_are_refused_beside_the_field_and_nothing_is_saved(app, client):
    kid = make_student(name="张小明")
    token = _desk(client)
    _post(client, "/selfstudy/kiosk/in/%d" % kid.id, token)
    visit = Visit.get()
    alone = _post(client, "/selfstudy/kiosk/out/%d" % visit.id, token, kind="alone")
    assert alone.status_code == 422 and "档案未允许 张小明 自行回家" in alone.get_data(as_text=True)
    nameless = _post(client, "/selfstudy/kiosk/out/%d" % visit.id, token, kind="other", name="", relation="姑姑")
    html = nameless.get_data(as_text=True)
    assert nameless.status_code == 422 and "请填写接孩子的人的姓名" in html and 'hx-swap-oob="true"' in html
    bogus = _post(client, "/selfstudy/kiosk/out/%d" % visit.id, token, kind="guardian", guardian="99999999999999999999")
    assert bogus.status_code == 422
    assert Visit.get().left_at is None
    other = _post(client, "/selfstudy/kiosk/out/%d" % visit.id, token, kind="other", name="王阿姨", relation="邻居")
    assert other.status_code == 200
    board = client.get("/selfstudy/").get_data(as_text=True)
    assert "王阿姨" in board and "非登记接送人" in board


def test_sign_out_of_a_visit_that_does_not_exist_is_404_and_csrf_is_required(app, client):
    kid = make_student(name="张小明")
    token = _desk(client)
    assert _post(client, "/selfstudy/kiosk/out/4242", token, kind="alone").status_code == 404
    assert client.get("/selfstudy/kiosk/out/4242", headers=HX).status_code == 404
    no_token = client.post("/selfstudy/kiosk/in/%d" % kid.id, headers=HX)
    assert no_token.status_code in (400, 403) and Visit.select().count() == 0


def test_a_kiosk_session_reaches_only_the_kiosk(app, client):
    make_student(name="张小明")
    token = _desk(client)
    assert client.get("/students/").status_code == 200  # a normal session first
    started = client.post("/selfstudy/kiosk/start", data={"csrf_token": token})
    assert started.status_code == 303 and started.headers["Location"].endswith("/selfstudy/kiosk")
    for url in ("/", "/students/", "/selfstudy/", "/leads/", "/accounts/me", "/selfstudy/questions"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].endswith("/selfstudy/kiosk"), url
    assert client.get("/students/search?q=zxm", headers=HX).status_code == 403
    assert client.post("/accounts/me/password", data={"csrf_token": token}).status_code == 403
    page = client.get("/selfstudy/kiosk").get_data(as_text=True)
    assert 'id="mainnav"' not in page and "退出签到屏" in page
    assert client.get("/selfstudy/kiosk/search?q=zxm", headers=HX).status_code == 200
    # Leaving the kiosk is logging out.
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/selfstudy/kiosk").status_code == 302


def test_a_kiosk_session_outlives_the_normal_idle_limit(app, client):
    _desk(client)
    token = _token(client, "/selfstudy/kiosk")
    client.post("/selfstudy/kiosk/start", data={"csrf_token": token})
    with client.session_transaction() as session:
        session[security.SESSION_SEEN] -= 3 * 3600  # three hours without a request: a normal session ends at 30 min
    assert client.get("/selfstudy/kiosk").status_code == 200
    with client.session_transaction() as session:
        session[security.SESSION_SEEN] -= 13 * 3600
    assert client.get("/selfstudy/kiosk").status_code == 302


def test_only_the_desk_signs_students_in(app, client):
    kid = make_student(name="张小明")
    for role in ("advisor", "teacher", "finance"):
        make_user("u-" + role, roles=(role,))
        login(client, "u-" + role)
        token = _token(client)
        assert _post(client, "/selfstudy/kiosk/in/%d" % kid.id, token).status_code == 403, role
        assert client.get("/selfstudy/kiosk").status_code == 403, role
        assert client.post("/selfstudy/kiosk/start", data={"csrf_token": token}).status_code == 403, role
        client.post("/logout", data={"csrf_token": token})
    assert Visit.select().count() == 0


def test_after_closing_every_staff_home_page_shows_the_child_until_resolved(app, client):
    kid = make_student(name="张小明")
    desk = make_user("desk", roles=("frontdesk",), name="前台小李")
    visit = domain.sign_in(desk, kid)
    rules.save(None, dict(rules.raw_values(), study_closing_time="00:00", absent_consumes="1", late_consumes="1"))
    teacher("t9", name="刘老师")
    for username in ("t9", "desk"):
        login(client, username)
        home = client.get("/").get_data(as_text=True)
        assert 'id="study-overdue"' in home and "张小明" in home, username
        client.post("/logout", data={"csrf_token": csrf_from(home)})
    login(client, "desk")
    token = _token(client, "/selfstudy/visit/%d" % visit.id)
    page = client.get("/selfstudy/visit/%d" % visit.id).get_data(as_text=True)
    assert 'id="resolve"' in page
    today = campus_clock.today()
    empty = client.post("/selfstudy/visit/%d/resolve" % visit.id, data={
        "csrf_token": token, "note": "", "left_day": today.isoformat(), "left_time": "25:99"})
    html = empty.get_data(as_text=True)
    assert empty.status_code == 422 and "请填写处理经过" in html and "请填写孩子离开的日期和时间" in html
    assert Visit.get().left_at is None
    left = campus_clock.local(visit.arrived_at) + timedelta(minutes=1)
    ok = client.post("/selfstudy/visit/%d/resolve" % visit.id, data={
        "csrf_token": token, "note": "已电话联系妈妈，孩子已到家", "left_day": left.strftime("%Y-%m-%d"),
        "left_time": left.strftime("%H:%M")})
    assert ok.status_code == 303
    assert Visit.get().resolved_note == "已电话联系妈妈，孩子已到家"
    assert 'id="study-overdue"' not in client.get("/").get_data(as_text=True)


def test_an_advisor_resolves_only_her_own_students_overdue_visit(app, client):
    mine, theirs = advisor("a1"), advisor("a2")
    desk = make_user("desk", roles=("frontdesk",))
    own = domain.sign_in(desk, make_student(name="甲", advisor_user=mine))
    other = domain.sign_in(desk, make_student(name="乙", advisor_user=theirs))
    rules.save(None, dict(rules.raw_values(), study_closing_time="00:00", absent_consumes="1", late_consumes="1"))
    login(client, "a1")
    token = _token(client)
    now = campus_clock.local_now()
    data = {"csrf_token": token, "note": "妈妈接走", "left_day": now.strftime("%Y-%m-%d"),
            "left_time": now.strftime("%H:%M")}
    assert client.post("/selfstudy/visit/%d/resolve" % other.id, data=data).status_code == 404
    assert client.post("/selfstudy/visit/%d/resolve" % own.id, data=data).status_code == 303


def test_the_board_lists_who_is_in_with_the_advisors_flag(app, client):
    with clock(today_at(16)):  # opening hours (closing is 21:00)
        _board_while_open(client)


def _board_while_open(client):
    mine = advisor("adv")
    flagged = make_student(name="李特别", special_attention=True, attention_note="作业拖拉，需盯紧", advisor_user=mine)
    other = make_student(name="王别人", special_attention=True, attention_note="父母离异，勿提", advisor_user=advisor("a9"))
    desk = make_user("desk", roles=("frontdesk",))
    domain.sign_in(desk, flagged)
    domain.sign_in(desk, other)
    login(client, "desk")  # the study-room teacher sees the whole room, with every advisor's flag
    html = client.get("/selfstudy/board", headers=HX).get_data(as_text=True)
    assert "作业拖拉，需盯紧" in html and "父母离异，勿提" in html
    assert '<span class="count" data-testid="in-room-count">2</span>' in html
    assert 'hx-trigger="every 5s"' in html and "X-Xgapp-Poll" in html
    client.post("/logout", data={"csrf_token": _token(client)})
    login(client, "adv")  # an advisor sees her own students, and only how many others there are
    board = client.get("/selfstudy/board", headers=HX)
    html = board.get_data(as_text=True)
    assert board.status_code == 200 and "李特别" in html and "作业拖拉，需盯紧" in html
    assert "王别人" not in html and "父母离异" not in html
    assert '<span class="count" data-testid="in-room-count">1</span>' in html and "自习室共 2 人" in html


def test_after_closing_every_advisor_is_told_which_children_are_still_signed_in(app, client):
    """A child not signed out is everyone's alarm: names and times for all, the notes and Resolve for her own only."""
    mine = advisor("adv")
    with clock(today_at(16)):
        desk = make_user("desk", roles=("frontdesk",))
        own = domain.sign_in(desk, make_student(name="李特别", special_attention=True, attention_note="作业拖拉",
                                                advisor_user=mine))
        other = domain.sign_in(desk, make_student(name="王别人", special_attention=True, attention_note="父母离异",
                                                  advisor_user=advisor("a9")))
    with clock(today_at(21, 30)):
        login(client, "adv")
        html = client.get("/selfstudy/board", headers=HX).get_data(as_text=True)
        alert = html.split('class="card alert overdue"')[1].split("</section>")[0]
        assert "李特别" in alert and "王别人" in alert and "父母离异" not in html
        assert "/selfstudy/visit/%d#resolve" % own.id in alert and "/selfstudy/visit/%d#" % other.id not in alert
        assert '<span class="count" data-testid="in-room-count">1</span>' in html


def test_the_visit_record_is_kept_by_the_desk_only(app, client):
    kid = make_student(name="张小明")
    desk = make_user("desk", roles=("frontdesk",))
    visit = domain.sign_in(desk, kid)
    make_user("t1", roles=("teacher",))
    login(client, "t1")
    token = _token(client)
    assert client.post("/selfstudy/visit/%d" % visit.id, data={"csrf_token": token, "subjects": "数学"}
                       ).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    login(client, "desk")
    token = _token(client)
    bad = client.post("/selfstudy/visit/%d" % visit.id, data={"csrf_token": token, "subjects": "围棋"})
    assert bad.status_code == 422 and "请从列表中选择科目" in bad.get_data(as_text=True)
    ok = client.post("/selfstudy/visit/%d" % visit.id, data={
        "csrf_token": token, "subjects": ["数学", "物理"], "homework_checked": "yes", "homework_note": "完成",
        "behaviour_note": "", "parent_note": "物理错题需订正", "teacher": str(desk.id)})
    assert ok.status_code == 303
    saved = Visit.get()
    assert (saved.subjects, saved.homework_checked, saved.parent_note) == ("数学、物理", True, "物理错题需订正")
    out = client.post("/selfstudy/visit/%d/out" % visit.id, data={"csrf_token": token, "reason": ""})
    assert out.status_code == 422 and "请填写学员离开自习室的原因" in out.get_data(as_text=True)
    assert client.post("/selfstudy/visit/%d/out" % visit.id, data={"csrf_token": token, "reason": "接电话"}
                       ).status_code == 303
    assert "暂离" in client.get("/selfstudy/").get_data(as_text=True)


def test_a_question_handed_to_a_teacher_stays_on_their_list_until_answered(app, client):
    kid = make_student(name="张小明")
    maths = teacher("tm", name="数学刘老师")
    desk = make_user("desk", roles=("frontdesk",))
    domain.sign_in(desk, kid)
    login(client, "desk")
    token = _token(client, "/selfstudy/questions")
    missing = client.post("/selfstudy/questions", data={"csrf_token": token, "student": str(kid.id),
                                                        "subject": "数学", "question": "顶点坐标", "status": "handed"})
    assert missing.status_code == 422 and "请选择负责解答的学科老师" in missing.get_data(as_text=True)
    assert Question.select().count() == 0
    ok = client.post("/selfstudy/questions", data={"csrf_token": token, "student": str(kid.id), "subject": "数学",
                                                   "question": "顶点坐标", "status": "handed",
                                                   "handed_to": str(maths.id)})
    assert ok.status_code == 303
    client.post("/logout", data={"csrf_token": token})
    login(client, "tm")
    home = client.get("/").get_data(as_text=True)
    assert 'id="my-questions"' in home and "顶点坐标" in home
    token = csrf_from(home)
    question = Question.get()
    assert client.post("/selfstudy/questions/%d/close" % question.id, data={"csrf_token": token, "answer": ""}
                       ).status_code == 422
    assert client.post("/selfstudy/questions/%d/close" % question.id,
                       data={"csrf_token": token, "answer": "配方法"}).status_code == 303
    assert 'id="my-questions"' not in client.get("/").get_data(as_text=True)
    assert "配方法" in client.get("/selfstudy/questions").get_data(as_text=True)


def test_figures_page_and_excel_export(app, client):
    kid = make_student(name="张小明")
    desk = make_user("desk", roles=("frontdesk",))
    visit = domain.sign_in(desk, kid)
    domain.sign_out(desk, visit, {"kind": "guardian", "guardian": kid.guardians.get().id})
    login(client, "desk")
    page = client.get("/selfstudy/report")
    assert page.status_code == 200
    assert '<strong data-testid="total-visits">1</strong>' in page.get_data(as_text=True)
    sheet = client.get("/selfstudy/report.xlsx")
    assert sheet.status_code == 200 and sheet.data[:2] == b"PK"
    assert client.get("/selfstudy/report?from=2026-13-01&to=garbage").status_code == 200


def test_advisors_see_figures_of_their_own_students_only(app, client):
    a1, a2 = advisor("a1"), advisor("a2")
    desk = make_user("desk", roles=("frontdesk",))
    domain.sign_in(desk, make_student(name="甲同学", advisor_user=a1))
    domain.sign_in(desk, make_student(name="乙同学", advisor_user=a2))
    login(client, "a1")
    html = client.get("/selfstudy/report").get_data(as_text=True)
    assert "甲同学" in html and "乙同学" not in html


def test_the_file_says_whether_the_child_may_go_home_alone(app, client):
    kid = make_student(name="张小明")
    make_user("sup", roles=("supervisor",))
    login(client, "sup")
    form = client.get("/students/%d/edit" % kid.id).get_data(as_text=True)
    assert 'name="may_leave_alone"' in form
    mother = kid.guardians.get()
    response = client.post("/students/%d/edit" % kid.id, data={
        "csrf_token": csrf_from(form), "name": "张小明", "school": "海淀实验小学", "grade": "五年级",
        "may_leave_alone": "y", "guardians-0-name": mother.name, "guardians-0-relation": mother.relation,
        "guardians-0-mobile": mother.mobile,
        "guardians-0-can_pickup": "y"})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert Student.get_by_id(kid.id).may_leave_alone is True
    assert Guardian.select().count() == 1


def test_odd_input_is_a_4xx_with_a_message_never_a_500(app, client):
    with clock(today_at(16)):  # "the room has not closed yet" needs a time before closing
        _odd_input(client)


def _odd_input(client):
    kid = make_student(name="张小明")
    teacher("tm")
    token = _desk(client)
    _post(client, "/selfstudy/kiosk/in/%d" % kid.id, token)
    visit = Visit.get()
    huge = client.post("/selfstudy/questions", data={"csrf_token": token, "student": str(kid.id), "subject": "数学",
                                                     "question": "题", "status": "handed",
                                                     "handed_to": "99999999999999999999999"})
    assert huge.status_code == 422 and "请选择负责解答的学科老师" in huge.get_data(as_text=True)
    long_name = _post(client, "/selfstudy/kiosk/out/%d" % visit.id, token, kind="other", name="王" * 41, relation="邻居")
    assert long_name.status_code == 422 and "请不要超过 40 个字" in long_name.get_data(as_text=True)
    bad_teacher = client.post("/selfstudy/visit/%d" % visit.id, data={"csrf_token": token, "teacher": "abc"})
    assert bad_teacher.status_code == 422 and "请从列表中选择答疑老师或任课老师" in bad_teacher.get_data(as_text=True)
    long_reason = client.post("/selfstudy/visit/%d/out" % visit.id, data={"csrf_token": token, "reason": "长" * 101})
    assert long_reason.status_code == 422 and "请不要超过 100 个字" in long_reason.get_data(as_text=True)
    before_closing = client.post("/selfstudy/visit/%d/resolve" % visit.id, data={
        "csrf_token": token, "note": "走了", "left_day": campus_clock.today().isoformat(), "left_time": "00:00"})
    html = before_closing.get_data(as_text=True)
    assert before_closing.status_code == 422 and "自习室尚未关闭" in html
    assert Visit.get().left_at is None and Question.select().count() == 0


def test_messages_show_even_when_their_form_is_gone(app, client):
    kid = make_student(name="张小明")
    token = _desk(client)
    _post(client, "/selfstudy/kiosk/in/%d" % kid.id, token)
    visit = Visit.get()
    rules.save(None, dict(rules.raw_values(), study_closing_time="00:00", absent_consumes="1", late_consumes="1"))
    long_note = client.post("/selfstudy/visit/%d/resolve" % visit.id, data={
        "csrf_token": token, "note": "长" * 201, "left_day": campus_clock.today().isoformat(), "left_time": "23:59"})
    assert long_note.status_code == 422 and "请不要超过 200 个字" in long_note.get_data(as_text=True)
    domain.sign_out(None, visit, {"kind": "guardian", "guardian": kid.guardians.get().id})  # another tablet
    late = client.post("/selfstudy/visit/%d/resolve" % visit.id, data={
        "csrf_token": token, "note": "妈妈接走", "left_day": campus_clock.today().isoformat(), "left_time": "00:00"})
    assert late.status_code == 422 and "该记录已被他人关闭" in late.get_data(as_text=True)
    out = client.post("/selfstudy/visit/%d/out" % visit.id, data={"csrf_token": token, "reason": "接电话"})
    assert out.status_code == 422 and "该学员已签退" in out.get_data(as_text=True)


def test_the_tablet_that_loses_a_sign_out_race_is_told_and_its_lists_refresh(app, client):
    kid = make_student(name="张小明")
    token = _desk(client)
    _post(client, "/selfstudy/kiosk/in/%d" % kid.id, token)
    visit = Visit.get()
    assert "张妈妈" in client.get("/selfstudy/kiosk/out/%d" % visit.id, headers=HX).get_data(as_text=True)
    domain.sign_out(None, visit, {"kind": "guardian", "guardian": kid.guardians.get().id})  # the other tablet
    lost = _post(client, "/selfstudy/kiosk/out/%d" % visit.id, token, kind="guardian",
                 guardian=str(kid.guardians.get().id))
    html = lost.get_data(as_text=True)
    assert lost.status_code == 422 and lost.headers["HX-Trigger"] == "kiosk-changed"
    assert "已于" in html and '<div id="kiosk-panel" hx-swap-oob="true"></div>' in html


def test_a_visit_left_open_overnight_is_closed_at_the_kiosk_with_a_note(app, client):
    from datetime import datetime, time, timezone

    kid = make_student(name="张小明")
    desk = make_user("desk2", roles=("frontdesk",))
    yesterday = campus_clock.today() - timedelta(days=1)
    arrived = datetime.combine(yesterday, time(17), tzinfo=campus_clock.zone()).astimezone(timezone.utc)
    visit = domain.sign_in(desk, kid, now=arrived)
    token = _desk(client)
    client.post("/selfstudy/kiosk/start", data={"csrf_token": token})
    found = client.get("/selfstudy/kiosk/search?q=zxm", headers=HX).get_data(as_text=True)
    assert "未签退，需处理" in found and "/selfstudy/kiosk/in/" not in found
    panel = client.get("/selfstudy/kiosk/out/%d" % visit.id, headers=HX).get_data(as_text=True)
    assert "在 %s 未签退" % yesterday.isoformat() in panel and 'name="note"' in panel and "张妈妈" not in panel
    empty = _post(client, "/selfstudy/kiosk/resolve/%d" % visit.id, token, note="", left_day=yesterday.isoformat(),
                  left_time="20:30")
    assert empty.status_code == 422 and "请填写处理经过" in empty.get_data(as_text=True)
    assert Visit.get().left_at is None
    done = _post(client, "/selfstudy/kiosk/resolve/%d" % visit.id, token, note="昨晚 20:30 爸爸接走，忘记签退",
                 left_day=yesterday.isoformat(), left_time="20:30")
    assert done.status_code == 200 and "自习记录已关闭" in done.get_data(as_text=True)
    closed = Visit.get()
    assert campus_clock.local(closed.left_at).strftime("%Y-%m-%d %H:%M") == "%s 20:30" % yesterday.isoformat()
    assert closed.resolved_note == "昨晚 20:30 爸爸接走，忘记签退" and closed.resolved_by.username == "desk"
    assert _post(client, "/selfstudy/kiosk/in/%d" % kid.id, token).status_code == 200


def test_a_polling_board_does_not_keep_an_idle_session_alive(app, client):
    _desk(client)
    with client.session_transaction() as session:
        session[security.SESSION_SEEN] -= 20 * 60
    assert client.get("/selfstudy/board", headers=dict(HX, **{"X-Xgapp-Poll": "1"})).status_code == 200
    with client.session_transaction() as session:
        session[security.SESSION_SEEN] -= 15 * 60  # 35 minutes since anyone touched the screen
    assert client.get("/selfstudy/board", headers=dict(HX, **{"X-Xgapp-Poll": "1"})).status_code == 401


def test_the_home_page_offers_resolve_only_to_who_may_resolve(app, client):
    kid = make_student(name="张小明", advisor_user=advisor("a1"))
    desk = make_user("desk", roles=("frontdesk",))
    domain.sign_in(desk, kid)
    rules.save(None, dict(rules.raw_values(), study_closing_time="00:00", absent_consumes="1", late_consumes="1"))
    teacher("t1")
    for username, offered in (("t1", False), ("a1", True), ("desk", True)):
        login(client, username)
        home = client.get("/").get_data(as_text=True)
        assert "张小明" in home and ("#resolve" in home) is offered, username
        client.post("/logout", data={"csrf_token": csrf_from(home)})


def test_a_refunded_student_is_not_signed_in(app, client):
    kid = make_student(name="退费生")
    Student.update(status="refunded").where(Student.id == kid.id).execute()
    token = _desk(client)
    refused = _post(client, "/selfstudy/kiosk/in/%d" % kid.id, token)
    assert refused.status_code == 422 and "已退费离校" in refused.get_data(as_text=True)
    assert Visit.select().count() == 0


def test_the_kiosk_refuses_by_name_a_person_the_file_forbids(app, client):
    kid = make_student(name="张小明")
    Guardian.create(student=kid, name="李芳", relation="母亲", mobile="13900000009", can_pickup=False, position=1)
    token = _desk(client)
    _post(client, "/selfstudy/kiosk/in/%d" % kid.id, token)
    visit = Visit.get()
    forbidden = Guardian.get(Guardian.name == "李芳")
    tapped = _post(client, "/selfstudy/kiosk/out/%d" % visit.id, token, kind="guardian", guardian=str(forbidden.id))
    assert tapped.status_code == 422 and "李芳" in tapped.get_data(as_text=True)
    assert "其他人" not in tapped.get_data(as_text=True).split("pickup-choices")[0]
    typed = _post(client, "/selfstudy/kiosk/out/%d" % visit.id, token, kind="other", name="李芳", relation="妈妈")
    html = typed.get_data(as_text=True)
    assert typed.status_code == 422 and "档案注明 李芳（母亲）不可接 张小明" in html
    assert Visit.get().left_at is None
    board = client.get("/selfstudy/").get_data(as_text=True)
    assert "非登记接送人" not in board
