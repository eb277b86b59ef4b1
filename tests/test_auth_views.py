"""First-run setup, password and PIN login, lockout, session expiry, logout, language."""

from xgapp import campus
from xgapp.accounts.models import User
from xgapp.campus.models import Campus
from xgapp.security import SESSION_SEEN
from tests.conftest import PASSWORD, csrf_from, login, make_user, post

SETUP = {"campus_name": "阳光教育 朝阳校区", "campus_code": "bj-cy02", "display_name": "李校长",
         "username": "li", "password": "sunny-campus-1", "confirm": "sunny-campus-1"}


def test_first_run_sends_every_page_to_setup(fresh_app):
    client = fresh_app.test_client()
    for url in ("/", "/login", "/accounts/", "/audit/"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/setup", url
    assert client.get("/healthz").status_code == 200


def test_setup_creates_campus_and_principal_and_logs_in(fresh_app):
    client = fresh_app.test_client()
    token = csrf_from(client.get("/setup").get_data(as_text=True))
    response = client.post("/setup", data=SETUP | {"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/accounts/"
    assert (campus.current().name, campus.current().code) == ("阳光教育 朝阳校区", "BJ-CY02")
    boss = User.get(User.username == "li")
    assert boss.role_set == {"principal"}
    assert "员工账号" in client.get("/accounts/").get_data(as_text=True)
    # setup is closed now
    assert client.get("/setup").headers["Location"] == "/login"


def test_setup_with_bad_input_shows_messages_and_saves_nothing(fresh_app):
    client = fresh_app.test_client()
    token = csrf_from(client.get("/setup").get_data(as_text=True))
    bad = SETUP | {"csrf_token": token, "campus_code": "北京", "confirm": "other-pass-1", "username": "Li Li"}
    response = client.post("/setup", data=bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "两次输入的密码不一致" in html
    assert 'value="阳光教育 朝阳校区"' in html  # input kept
    assert Campus.select().count() == 0 and User.select().count() == 0
    response = client.post("/setup", data=SETUP | {"csrf_token": token, "campus_code": "北京"})
    assert response.status_code == 422
    assert "2–20 个字母、数字或 -" in response.get_data(as_text=True)
    assert Campus.select().count() == 0 and User.select().count() == 0


def test_wrong_password_gets_a_chinese_message_and_401(client):
    response = login(client, "boss", "not-it")
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "用户名或密码错误" in html and 'value="boss"' in html


def test_five_wrong_passwords_lock_the_login(client):
    for _ in range(4):
        assert login(client, "boss", "not-it").status_code == 401
    response = login(client, "boss", "not-it")
    assert response.status_code == 429 and "已锁定至" in response.get_data(as_text=True)
    assert login(client, "boss", PASSWORD).status_code == 429


def test_pin_login_and_pin_lockout(app, client):
    make_user("teacher1", roles=("teacher",), pin="4826")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login/pin", data={"username": "teacher1", "pin": "4826", "csrf_token": token})
    assert response.status_code == 303
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    token = csrf_from(client.get("/login").get_data(as_text=True))
    codes = [client.post("/login/pin", data={"username": "teacher1", "pin": "9999", "csrf_token": token}).status_code
             for _ in range(5)]
    assert codes == [401] * 4 + [429]
    response = client.post("/login/pin", data={"username": "teacher1", "pin": "4826", "csrf_token": token})
    assert response.status_code == 429


def test_login_returns_to_the_page_asked_for(client):
    response = client.get("/audit/?table=user")
    assert response.headers["Location"] == "/login?next=/audit/?table%3Duser"
    token = csrf_from(client.get(response.headers["Location"]).get_data(as_text=True))
    response = client.post("/login", data={"username": "boss", "password": PASSWORD, "csrf_token": token,
                                           "next": "/audit/?table=user"})
    assert response.headers["Location"] == "/audit/?table=user"


def test_next_cannot_point_to_another_site(client):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "boss", "password": PASSWORD, "csrf_token": token,
                                           "next": "//evil.example/x"})
    assert response.headers["Location"] == "/"


def test_a_backslash_next_is_not_a_local_path(client):
    for target in ("/\\evil.example/x", "/\\/evil.example", "/x\n"):  # browsers read /\ as //
        token = csrf_from(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"username": "boss", "password": PASSWORD, "csrf_token": token,
                                               "next": target})
        assert response.headers["Location"] == "/", target
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})


def test_idle_session_expires_back_to_login_then_to_the_page(client):
    login(client)
    with client.session_transaction() as session:
        session[SESSION_SEEN] -= 31 * 60
    response = client.get("/accounts/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/accounts/&reason=expired"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "登录已过期" in page
    response = client.post("/login", data={"username": "boss", "password": PASSWORD, "next": "/accounts/",
                                           "csrf_token": csrf_from(page)})
    assert response.headers["Location"] == "/accounts/"


def test_disabling_an_account_ends_its_sessions(app, client):
    from xgapp.accounts import domain

    user = make_user("alice")
    login(client, "alice")
    assert client.get("/").status_code == 200
    domain.update_user(User.get(User.username == "boss"), user, "爱丽丝", {"advisor"}, active=False)
    assert client.get("/").status_code == 302


def test_logout_needs_post_and_ends_the_session(client):
    login(client)
    assert client.get("/logout").status_code == 405
    response = post(client, "/logout")
    assert response.status_code == 303
    assert client.get("/").status_code == 302


def test_language_switch_to_english_is_remembered_for_the_user(client):
    login(client)
    assert "首页" in client.get("/").get_data(as_text=True)
    post(client, "/language/en", data={"next": "/"})
    html = client.get("/").get_data(as_text=True)
    assert ">Home<" in html and 'lang="en"' in html
    assert User.get(User.username == "boss").locale == "en"


def test_login_page_language_link(client):
    html = client.get("/login?lang=en").get_data(as_text=True)
    assert "Log in with PIN" in html
    assert 'lang="zh-CN"' in client.get("/login?lang=zh_CN").get_data(as_text=True)


def test_unknown_page_is_a_chinese_404(client):
    login(client)
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


def _cookie_copy(client):
    """The session cookie as a thief would copy it off a shared tablet."""
    return client.get_cookie("xgapp_session").value


def test_logging_out_ends_the_session_for_every_copy_of_its_cookie(app, client):
    login(client)
    copy = _cookie_copy(client)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    thief = app.test_client()
    thief.set_cookie("xgapp_session", copy)
    response = thief.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_an_idle_session_ends_on_the_server_even_for_a_fresh_looking_cookie(app, client):
    from datetime import datetime, timedelta, timezone

    from xgapp.accounts.models import LoginSession

    login(client)
    LoginSession.update(seen_at=datetime.now(timezone.utc) - timedelta(minutes=32)).execute()
    response = client.get("/")
    assert response.status_code == 302 and "reason=expired" in response.headers["Location"]
    assert LoginSession.select().count() == 0


def test_a_password_reset_ends_a_copied_session_and_a_new_login_starts_a_new_one(app, client):
    from xgapp.accounts import domain
    from xgapp.accounts.models import LoginSession

    user = make_user("alice")
    login(client, "alice")
    thief = app.test_client()
    thief.set_cookie("xgapp_session", _cookie_copy(client))
    assert thief.get("/").status_code == 200
    domain.set_password(User.get(User.username == "boss"), user, "Another-Plum-77")
    assert thief.get("/").status_code == 302 and client.get("/").status_code == 302
    login(client, "alice", "Another-Plum-77")
    assert client.get("/").status_code == 200 and thief.get("/").status_code == 302
    assert LoginSession.select().count() == 1


def test_the_pin_tab_is_a_link_that_works_without_scripts(app, client):
    from tests import html

    page = html.parse(client.get("/login?mode=pin"))
    assert page.select_one("#pin-login").get("hidden") is None
    assert page.select_one("#password-login").get("hidden") is not None
    tab = page.select_one('[data-tab="pin-login"]')["href"]
    assert tab.startswith("/login?mode=pin")
