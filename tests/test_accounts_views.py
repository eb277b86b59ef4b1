"""The principal manages accounts; everyone manages their own password and PIN."""

import pytest
from werkzeug.security import check_password_hash

from xgapp.accounts.models import User
from xgapp.audit.models import AuditLog
from tests.conftest import PASSWORD, csrf_from, login, make_user


def _form(client, url):
    return csrf_from(client.get(url).get_data(as_text=True))


def test_principal_creates_an_account_with_several_roles(client):
    login(client)
    token = _form(client, "/accounts/new")
    response = client.post("/accounts/new", data={
        "csrf_token": token, "display_name": "张晓明", "username": "zxm", "password": "start-pass-1",
        "roles": ["advisor", "teacher"], "pin": "4826"})
    assert response.status_code == 303
    user = User.get(User.username == "zxm")
    assert user.display_name == "张晓明" and user.role_set == {"advisor", "teacher"}
    assert check_password_hash(user.pin_hash, "4826")
    entry = AuditLog.get(AuditLog.table == "user", AuditLog.record_id == str(user.id))
    assert entry.action == "create" and entry.actor_name == "王校长" and entry.ip == "127.0.0.1"
    listing = client.get("/accounts/").get_data(as_text=True)
    assert "张晓明" in listing and "学管师" in listing and "授课老师" in listing


def test_bad_new_account_shows_messages_beside_fields_and_saves_nothing(client):
    login(client)
    token = _form(client, "/accounts/new")
    count = User.select().count()
    response = client.post("/accounts/new", data={
        "csrf_token": token, "display_name": "张晓明", "username": "boss", "password": "12345678", "pin": "1111"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请至少选择一个角色" in html
    assert 'value="张晓明"' in html
    assert User.select().count() == count
    response = client.post("/accounts/new", data={
        "csrf_token": token, "display_name": "张晓明", "username": "boss", "password": "12345678",
        "roles": "advisor"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "该用户名已被使用" in html
    assert 'id="err-username"' in html


def test_principal_changes_roles_and_disables_an_account(app, client):
    user = make_user("alice")
    login(client)
    token = _form(client, "/accounts/%d" % user.id)
    response = client.post("/accounts/%d" % user.id, data={
        "csrf_token": token, "display_name": "爱丽丝", "roles": ["supervisor"]})  # active unchecked
    assert response.status_code == 303
    fresh = User.get_by_id(user.id)
    assert fresh.role_set == {"supervisor"} and not fresh.active and fresh.display_name == "爱丽丝"


def test_principal_cannot_remove_the_last_principal(client):
    login(client)
    token = _form(client, "/accounts/1")
    response = client.post("/accounts/1", data={"csrf_token": token, "display_name": "王校长",
                                                "roles": ["supervisor"], "active": "y"})
    assert response.status_code == 422
    assert "至少保留一位正常状态的校长" in response.get_data(as_text=True)
    assert User.get_by_id(1).role_set == {"principal"}


def test_password_reset_over_htmx_returns_the_form_fragment_on_error(app, client):
    user = make_user("alice")
    login(client)
    token = _form(client, "/accounts/%d" % user.id)
    response = client.post("/accounts/%d/password" % user.id, data={"password": "new-pass-11", "confirm": "nope"},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.lstrip().startswith('<form id="password-form"') and "两次输入的密码不一致" in html
    response = client.post("/accounts/%d/password" % user.id,
                           data={"password": "new-pass-11", "confirm": "new-pass-11", "csrf_token": token})
    assert response.status_code == 303
    assert check_password_hash(User.get_by_id(user.id).password_hash, "new-pass-11")


def test_own_password_change_needs_the_current_one(app, client):
    make_user("alice")
    login(client, "alice")
    token = _form(client, "/accounts/me")
    response = client.post("/accounts/me/password", data={"csrf_token": token, "current": "wrong",
                                                          "password": "next-pass-22", "confirm": "next-pass-22"})
    assert response.status_code == 422 and "当前密码不正确" in response.get_data(as_text=True)
    response = client.post("/accounts/me/password", data={"csrf_token": token, "current": PASSWORD,
                                                          "password": "next-pass-22", "confirm": "next-pass-22"})
    assert response.status_code == 303
    assert client.get("/accounts/me").status_code == 200  # still logged in on this device
    assert login(client.application.test_client(), "alice", "next-pass-22").status_code == 303


def test_own_pin_can_be_set_and_a_weak_one_is_refused(app, client):
    make_user("alice")
    login(client, "alice")
    token = _form(client, "/accounts/me")
    response = client.post("/accounts/me/pin", data={"csrf_token": token, "pin": "1234"})
    assert response.status_code == 422 and "太容易被猜到" in response.get_data(as_text=True)
    assert User.get(User.username == "alice").pin_hash is None
    assert client.post("/accounts/me/pin", data={"csrf_token": token, "pin": "583920"}).status_code == 303
    assert check_password_hash(User.get(User.username == "alice").pin_hash, "583920")


def test_campus_settings_are_saved_and_audited(client):
    login(client)
    token = _form(client, "/campus/")
    response = client.post("/campus/", data={"csrf_token": token, "campus_name": "新校区名", "campus_code": "t-02"})
    assert response.status_code == 303
    html = client.get("/campus/").get_data(as_text=True)
    assert 'value="新校区名"' in html and 'value="T-02"' in html and "session_idle_minutes" in html
    assert "连续多少分钟无操作后登录失效" in html and "<td>默认</td>" in html  # the meaning and source in Chinese
    assert "A login session ends" not in html
    entry = AuditLog.select().where(AuditLog.table == "campus", AuditLog.action == "update").get()
    assert '"name": "测试校区"' in entry.before and '"name": "新校区名"' in entry.after


@pytest.mark.parametrize("weak", ["password", "P@ssw0rd2024", "qwertyuiop", "zhang1990", "newbie-2024"])
def test_a_common_or_weak_password_is_refused_beside_the_field(client, weak):
    login(client)
    token = _form(client, "/accounts/new")
    response = client.post("/accounts/new", data={"csrf_token": token, "display_name": "张伟", "username": "newbie",
                                                  "password": weak, "roles": "advisor"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "密码太容易被猜到" in html.split('id="field-password"')[1][:1500]
    assert not User.select().where(User.username == "newbie").exists()
