"""Every form of setup, login, accounts, campus settings and backups reports all its errors in one response.

Each test posts a form with every field wrong at once and checks, through the HTML parser, that each wrong field
shows its own message in the one 422 answer, and that nothing was saved.
"""

import io

from werkzeug.security import check_password_hash

from tests import html
from tests.conftest import PASSWORD, csrf_from, login, make_user
from xgapp.accounts.models import LoginSession, User, UserRole
from xgapp.audit.models import AuditLog
from xgapp.campus.models import Campus, CampusLogo, CampusRule

DIFFER = "两次输入的密码不一致。"


def _token(client, url):
    return csrf_from(client.get(url).get_data(as_text=True))


def _errors(response):
    assert response.status_code == 422, response.get_data(as_text=True)[:2000]
    return html.errors(html.parse(response))


def test_setup_shows_every_wrong_field_at_once(fresh_app):
    client = fresh_app.test_client()
    token = _token(client, "/setup")
    errors = _errors(client.post("/setup", data={
        "csrf_token": token, "campus_name": "", "campus_code": "北京", "display_name": "", "username": "Li Li",
        "password": "short", "confirm": "other"}))
    assert set(errors) == {"campus_name", "campus_code", "display_name", "username", "password", "confirm"}
    assert "2–20 个字母、数字或 -" in errors["campus_code"]
    assert errors["confirm"] == DIFFER
    assert errors["campus_name"] == errors["display_name"]  # both required
    assert errors["username"] and errors["password"] and errors["password"] != errors["campus_name"]
    assert Campus.select().count() == 0 and User.select().count() == 0


def test_password_login_shows_both_missing_fields_at_once(client):
    sessions, entries = LoginSession.select().count(), AuditLog.select().count()
    errors = _errors(client.post("/login", data={"csrf_token": _token(client, "/login"), "username": "",
                                                 "password": ""}))
    assert set(errors) == {"username", "password"}
    assert LoginSession.select().count() == sessions and AuditLog.select().count() == entries


def test_pin_login_shows_both_wrong_fields_at_once(client):
    sessions, entries = LoginSession.select().count(), AuditLog.select().count()
    response = client.post("/login/pin", data={"csrf_token": _token(client, "/login"), "username": "",
                                               "pin": "1234567"})
    errors = _errors(response)
    assert set(errors) == {"pin_username", "pin_pin"}
    assert "pin-login" in response.get_data(as_text=True)
    assert not html.one(html.parse(response), "#pin-login").has_attr("hidden")  # the PIN tab stays open
    assert LoginSession.select().count() == sessions and AuditLog.select().count() == entries


def test_new_account_shows_the_bad_pin_beside_the_missing_role(client):
    login(client)
    users, roles = User.select().count(), UserRole.select().count()
    errors = _errors(client.post("/accounts/new", data={
        "csrf_token": _token(client, "/accounts/new"), "display_name": "", "username": "boss",
        "password": "12345678", "pin": "1111"}))
    assert set(errors) == {"display_name", "username", "roles", "password", "pin"}
    assert errors["roles"] == "请至少选择一个角色。"
    assert "该用户名已被使用" in errors["username"]
    assert "太容易被猜到" in errors["pin"]
    assert User.select().count() == users and UserRole.select().count() == roles


def test_editing_an_account_shows_every_wrong_field_at_once(client):
    user = make_user("alice")
    login(client)
    url = "/accounts/%d" % user.id
    errors = _errors(client.post(url, data={"csrf_token": _token(client, url), "display_name": "",
                                            "roles": ["janitor"], "active": "y"}))
    assert set(errors) == {"display_name", "roles"}
    fresh = User.get_by_id(user.id)
    assert (fresh.display_name, fresh.role_set) == (user.display_name, {"advisor"})


def test_resetting_a_password_shows_both_wrong_fields_at_once(client):
    user = make_user("alice")
    login(client)
    url = "/accounts/%d" % user.id
    response = client.post(url + "/password", data={"csrf_token": _token(client, url), "password": "short",
                                                     "confirm": "other"})
    errors = _errors(response)
    assert set(errors) == {"password", "confirm"} and errors["confirm"] == DIFFER
    assert html.one(html.parse(response), "#password-form")
    assert check_password_hash(User.get_by_id(user.id).password_hash, PASSWORD)


def test_changing_ones_own_password_shows_every_wrong_field_at_once(app, client):
    make_user("alice")
    login(client, "alice")
    errors = _errors(client.post("/accounts/me/password", data={
        "csrf_token": _token(client, "/accounts/me"), "current": "not-it", "password": "12345678",
        "confirm": "87654321"}))
    assert set(errors) == {"current", "password", "confirm"}
    assert errors["current"] == "当前密码不正确。" and errors["confirm"] == DIFFER
    assert check_password_hash(User.get(User.username == "alice").password_hash, PASSWORD)


def test_a_wrong_pin_is_shown_beside_the_pin(app, client):
    make_user("alice")
    login(client, "alice")
    for pin in ("1111", "1234567", ""):
        errors = _errors(client.post("/accounts/me/pin", data={"csrf_token": _token(client, "/accounts/me"),
                                                               "pin": pin}))
        assert set(errors) == {"pin"}, pin
    assert User.get(User.username == "alice").pin_hash is None


def test_campus_settings_show_both_wrong_fields_at_once(client):
    login(client)
    before = [(c.name, c.code) for c in Campus.select()]
    response = client.post("/campus/", data={"csrf_token": _token(client, "/campus/"), "campus_name": "",
                                             "campus_code": "北京"})
    errors = _errors(response)
    assert set(errors) == {"campus_name", "campus_code"}
    assert 'value="北京"' in response.get_data(as_text=True)  # what was typed stays
    assert [(c.name, c.code) for c in Campus.select()] == before


def test_campus_rules_show_every_wrong_rule_at_once(client):
    login(client)
    rows = CampusRule.select().count()
    errors = _errors(client.post("/campus/rules", data={
        "csrf_token": _token(client, "/campus/"), "opening_time": "25:00", "closing_time": "21:30",
        "study_closing_time": "9pm", "parent_meeting_weeks": "0", "stage_test_weeks": "4", "low_hours": "abc",
        "leave_notice_hours": "x", "absent_consumes": "y"}))
    assert set(errors) == {"opening_time", "study_closing_time", "parent_meeting_weeks", "low_hours",
                           "leave_notice_hours"}
    assert CampusRule.select().count() == rows


def test_campus_rules_closing_before_opening_is_shown_with_the_other_wrong_rules(client):
    login(client)
    rows = CampusRule.select().count()
    errors = _errors(client.post("/campus/rules", data={
        "csrf_token": _token(client, "/campus/"), "opening_time": "20:00", "closing_time": "08:00",
        "study_closing_time": "21:00", "parent_meeting_weeks": "99", "stage_test_weeks": "4", "low_hours": "4",
        "leave_notice_hours": "24"}))
    assert set(errors) == {"closing_time", "parent_meeting_weeks"}
    assert CampusRule.select().count() == rows


def test_a_logo_that_is_no_image_is_refused_beside_the_file(client):
    login(client)
    errors = _errors(client.post("/campus/logo", data={"csrf_token": _token(client, "/campus/"),
                                                       "logo": (io.BytesIO(b"not an image"), "logo.png")},
                                 content_type="multipart/form-data"))
    assert set(errors) == {"logo-file"}
    assert CampusLogo.select().count() == 0


def test_uploading_no_backup_file_is_refused_beside_the_field(app, client):
    login(client)
    folder = app.config["XGAPP_PATHS"].backups
    before = sorted(folder.glob("*"))
    errors = _errors(client.post("/backups/upload", data={"csrf_token": _token(client, "/backups/")},
                                 content_type="multipart/form-data"))
    assert set(errors) == {"file"} and errors["file"] == "请选择文件。"
    assert sorted(folder.glob("*")) == before


def test_a_restore_with_the_wrong_code_is_refused_beside_the_field(app, client):
    login(client)
    client.post("/backups/now", data={"csrf_token": _token(client, "/backups/")})
    folder = app.config["XGAPP_PATHS"].backups
    name = next(folder.glob("xgapp-manual-*.sqlite3")).name
    make_user("alice")  # made after the backup: a restore would take it away
    before = sorted(folder.glob("*"))
    url = "/backups/restore/" + name
    response = client.post(url, data={"csrf_token": _token(client, url), "confirm": "NOPE"})
    errors = _errors(response)
    assert errors == {"confirm": "校区代码不一致。"}
    assert 'value="NOPE"' in response.get_data(as_text=True)
    assert User.select().where(User.username == "alice").exists() and sorted(folder.glob("*")) == before
