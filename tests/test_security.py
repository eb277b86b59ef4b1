"""The login gate, CSRF, the Origin check and the role matrix, over HTTP."""

import re

import pytest
from werkzeug.routing import IntegerConverter

from xgapp.accounts.models import User
from tests.conftest import csrf_from, login, make_user
from xgapp import clock as xgapp_clock

PUBLIC = {"auth.login", "auth.login_pin", "auth.logout", "auth.setup", "auth.language", "home.healthz", "home.favicon",
          "static"}


def _url_for_rule(rule):
    values = {arg: 1 if isinstance(rule._converters[arg], IntegerConverter) else "zh_CN"
              for arg in rule.arguments}
    return rule.build(values)[1]


def _protected_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint not in PUBLIC]


def test_the_public_endpoints_are_exactly_the_expected_ones(app):
    public = {endpoint for endpoint, view in app.view_functions.items() if getattr(view, "public", False)}
    assert public | {"static"} == PUBLIC


def test_every_other_route_redirects_to_login_without_a_session(app, client):
    rules = _protected_rules(app)
    assert len(rules) >= 10
    for rule in rules:
        url = _url_for_rule(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if method == "POST":
                # no session means no CSRF token either: refused before anything runs
                assert response.status_code in (302, 403), (method, url)
            else:
                assert response.status_code == 302, (method, url)
                assert response.headers["Location"].startswith("/login"), (method, url)


def test_htmx_request_without_session_gets_a_client_redirect(app, client):
    response = client.get("/audit/", headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/audit/?table=user"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/audit/?table%3Duser"


def test_post_without_csrf_token_is_refused_and_writes_nothing(app, client):
    login(client)
    count = User.select().count()
    response = client.post("/accounts/new", data={"username": "mallory", "display_name": "坏人",
                                                   "password": "long-enough-1", "roles": "principal"})
    assert response.status_code == 403
    assert "表单已过期" in response.get_data(as_text=True)
    assert User.select().count() == count


def test_htmx_post_carries_the_token_in_a_header(app, client):
    login(client)
    page = client.get("/accounts/1").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    response = client.post("/accounts/1/password", data={"password": "x", "confirm": "y"},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 422  # reached the view: validation, not CSRF, answered


def test_cross_origin_post_is_refused_even_with_a_token(app, client):
    login(client)
    token = csrf_from(client.get("/accounts/new").get_data(as_text=True))
    count = User.select().count()
    response = client.post("/accounts/new", headers={"Origin": "http://evil.example"},
                           data={"csrf_token": token, "username": "mallory", "display_name": "坏人",
                                 "password": "long-enough-1", "roles": "advisor"})
    assert response.status_code == 403
    assert User.select().count() == count


def test_same_origin_post_passes_the_origin_check(app, client):
    login(client)
    token = csrf_from(client.get("/accounts/new").get_data(as_text=True))
    response = client.post("/accounts/new", headers={"Origin": "http://localhost"},
                           data={"csrf_token": token, "username": "carol", "display_name": "卡罗",
                                 "password": "long-enough-1", "roles": "advisor"})
    assert response.status_code == 303


# role -> (pages it may open, pages refused, nav labels it sees)
MATRIX = {
    "principal": (["/", "/students/", "/contracts/revenue", "/contracts/refunds", "/accounts/", "/accounts/new",
                   "/audit/", "/campus/", "/connect/", "/backups/", "/accounts/me", "/classes/", "/classes/new",
                   "/classes/rooms", "/timetable/", "/attendance/", "/selfstudy/", "/selfstudy/kiosk", "/followups/",
                   "/followups/overview", "/numbers/campus", "/export/", "/export/settings", "/complaints/",
                   "/complaints/new"], [],
                  ["首页", "学员", "咨询", "回访", "日报", "会议", "投诉", "班级", "课表", "点名", "自习室", "今日进账", "退费审批", "员工账号",
                   "校区设置", "总部导出", "数据备份", "连接平板", "操作日志", "我的账号"]),
    "supervisor": (["/", "/students/", "/leads/", "/contracts/revenue", "/contracts/refunds", "/audit/", "/accounts/me",
                    "/classes/", "/classes/new", "/classes/rooms", "/timetable/", "/attendance/", "/selfstudy/",
                    "/selfstudy/kiosk", "/followups/", "/followups/overview", "/numbers/campus", "/export/"],
                   ["/accounts/", "/accounts/new", "/campus/", "/connect/", "/backups/", "/export/settings"],
                   ["首页", "学员", "咨询", "回访", "日报", "会议", "投诉", "班级", "课表", "点名", "自习室", "今日进账", "退费审批", "总部导出",
                    "操作日志", "我的账号"]),
    "advisor": (["/", "/students/", "/students/new", "/leads/", "/leads/new", "/accounts/me", "/classes/",
                 "/classes/new", "/timetable/", "/attendance/", "/selfstudy/", "/followups/"],
                ["/accounts/", "/audit/", "/campus/", "/contracts/revenue", "/contracts/refunds", "/classes/rooms",
                 "/selfstudy/kiosk", "/followups/overview", "/numbers/campus", "/export/"],
                ["首页", "学员", "咨询", "回访", "日报", "会议", "投诉", "班级", "课表", "点名", "自习室", "我的账号"]),
    "director": (["/", "/students/", "/accounts/me", "/classes/", "/classes/new", "/classes/rooms", "/timetable/",
                  "/attendance/", "/selfstudy/"],
                 ["/accounts/", "/audit/", "/campus/", "/students/new", "/contracts/revenue", "/followups/"],
                 ["首页", "学员", "会议", "投诉", "班级", "课表", "点名", "自习室", "我的账号"]),
    "teacher": (["/", "/students/", "/accounts/me", "/classes/", "/timetable/", "/attendance/", "/selfstudy/",
                 "/complaints/"],
                ["/accounts/", "/selfstudy/kiosk", "/complaints/new", "/followups/", "/audit/", "/campus/", "/accounts/1", "/students/new", "/contracts/revenue",
                 "/classes/new", "/classes/rooms"],
                ["首页", "学员", "会议", "投诉", "班级", "课表", "点名", "自习室", "我的账号"]),
    "frontdesk": (["/", "/students/", "/leads/", "/accounts/me", "/timetable/", "/selfstudy/", "/selfstudy/kiosk",
                   "/selfstudy/questions", "/selfstudy/report"],
                  ["/accounts/", "/audit/", "/campus/", "/students/new", "/contracts/revenue", "/classes/",
                   "/attendance/", "/followups/"], ["首页", "学员", "咨询", "投诉", "课表", "自习室", "我的账号"]),
    "finance": (["/", "/students/", "/contracts/revenue", "/accounts/me"],
                ["/accounts/", "/audit/", "/campus/", "/students/new", "/contracts/refunds", "/classes/", "/complaints/",
                 "/timetable/", "/attendance/", "/selfstudy/", "/selfstudy/kiosk", "/followups/"],
                ["首页", "学员", "今日进账", "我的账号"]),
}


def nav_labels(html):
    nav = re.search(r'<nav id="mainnav".*?</nav>', html, re.S).group(0)
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_each_role_sees_and_opens_only_its_modules(login_as, role):
    allowed, refused, labels = MATRIX[role]
    client = login_as(role)
    for url in allowed:
        assert client.get(url).status_code == 200, url
    for url in refused:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "没有权限" in response.get_data(as_text=True)
    assert nav_labels(client.get("/").get_data(as_text=True)) == labels


def test_a_refused_post_changes_nothing(login_as):
    client = login_as("advisor")
    token = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post("/campus/", data={"csrf_token": token, "campus_name": "篡改", "campus_code": "X-1"})
    assert response.status_code == 403
    from xgapp import campus

    assert campus.current().name == "测试校区"


def test_healthz_answers_without_login(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["schema"] == body["schema_expected"]


def test_names_with_html_and_sql_are_stored_literally_and_shown_escaped(app, client):
    nasty = "<script>alert(1)</script>'; DROP TABLE user; --"
    make_user("nasty", name=nasty)
    assert User.get(User.username == "nasty").display_name == nasty
    login(client)
    html = client.get("/accounts/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#39;; DROP TABLE user; --" in html
    assert User.select().count() == 2


def test_unexpected_error_shows_a_chinese_500_page_and_saves_nothing(tmp_path):
    from xgapp import db
    from xgapp.app import create_app
    from xgapp.security import public

    app = create_app({"DATA_DIR": str(tmp_path / "data"), "TESTING": True, "PROPAGATE_EXCEPTIONS": False})
    db.ensure_connection()
    with app.app_context():
        from xgapp import campus

        campus.setup("测试校区", "T-01", "boss", "王校长", "correct-horse-9")

    @app.route("/boom")
    @public
    def boom():
        with db.write():
            User.create(username="half", display_name="半条", password_hash="x", created_at=xgapp_clock.now())
            raise RuntimeError("disk on fire")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "服务器出错了" in response.get_data(as_text=True)
    assert not User.select().where(User.username == "half").exists()
    db.database.close()
