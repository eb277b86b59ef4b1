"""Account rules without HTTP: hashing, validation, lockout, the last principal, audit."""

import json
from datetime import timedelta

import pytest

from xgapp.accounts import domain
from xgapp.accounts.models import User
from xgapp.audit.models import AuditLog
from xgapp.validation import Invalid
from tests.conftest import PASSWORD, make_user
from xgapp import clock as xgapp_clock

CONFIG = {"login_lock_minutes": 15, "login_max_failures": 5, "ip_max_failures": 30}


def _auth(username, secret, kind="password", ip="10.0.0.5", throttle=None):
    return domain.authenticate(username, secret, kind, ip, CONFIG, throttle or domain.IpThrottle())


def test_passwords_and_pins_are_stored_as_scrypt_hashes(app):
    user = make_user("alice", pin="4826")
    assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash
    assert user.pin_hash.startswith("scrypt:") and "4826" not in user.pin_hash


@pytest.mark.parametrize("field,kwargs", [
    ("username", {"username": "Bad Name"}),
    ("username", {"username": "boss"}),  # taken by the principal
    ("password", {"password": "short"}),
    ("password", {"password": "1234567890"}),
    ("pin", {"pin": "12a4"}),
    ("pin", {"pin": "1111"}),
    ("pin", {"pin": "1234"}),
    ("roles", {"roles": set()}),
    ("roles", {"roles": {"janitor"}}),
    ("display_name", {"display_name": "  "}),
])
def test_bad_account_input_is_refused_and_nothing_is_saved(app, field, kwargs):
    args = dict(username="newbie", display_name="新人", password=PASSWORD, roles={"advisor"}, pin=None)
    args.update(kwargs)
    count = User.select().count()
    with pytest.raises(Invalid) as caught:
        domain.create_user(None, **args)
    assert set(caught.value.errors) == {field}
    assert User.select().count() == count


def test_correct_password_logs_in_and_resets_the_failure_count(app):
    make_user("alice")
    assert _auth("alice", "wrong").error == "bad"
    result = _auth("Alice", PASSWORD)
    assert result.user.username == "alice"
    assert User.get(User.username == "alice").password_failures == 0


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(app):
    make_user("alice")
    results = [_auth("alice", "wrong-%d" % i) for i in range(5)]
    assert [r.error for r in results] == ["bad"] * 4 + ["locked"]
    assert _auth("alice", PASSWORD).error == "locked"
    # after the lock period the right password works again
    User.update(password_locked_until=xgapp_clock.now() - timedelta(seconds=1)).execute()
    assert _auth("alice", PASSWORD).user is not None


def test_pin_lockout_is_separate_from_the_password(app):
    make_user("alice", pin="4826")
    for _ in range(5):
        _auth("alice", "0000", kind="pin")
    assert _auth("alice", "4826", kind="pin").error == "locked"
    assert _auth("alice", PASSWORD).user is not None


def test_user_without_pin_cannot_log_in_by_pin(app):
    make_user("alice")
    assert _auth("alice", "", kind="pin").error == "bad"


def test_one_address_guessing_across_accounts_is_throttled(app):
    throttle = domain.IpThrottle()
    for i in range(30):
        _auth("nobody%d" % i, "x", throttle=throttle)
    make_user("alice")
    assert _auth("alice", PASSWORD, throttle=throttle).error == "ip_locked"
    assert _auth("alice", PASSWORD, ip="10.0.0.6", throttle=throttle).user is not None


def test_disabled_account_cannot_log_in(app):
    boss = User.get(User.username == "boss")
    user = make_user("alice")
    domain.update_user(boss, user, "爱丽丝", {"advisor"}, active=False)
    assert _auth("alice", PASSWORD).user is None


def test_the_last_active_principal_cannot_be_disabled_or_demoted(app):
    boss = User.get(User.username == "boss")
    with pytest.raises(Invalid):
        domain.update_user(boss, boss, "王校长", {"principal"}, active=False)
    with pytest.raises(Invalid):
        domain.update_user(boss, boss, "王校长", {"supervisor"}, active=True)
    second = make_user("deputy", roles=("principal",))
    domain.update_user(second, boss, "王校长", {"supervisor"}, active=True)
    assert User.get_by_id(boss.id).role_set == {"supervisor"}


def test_changes_are_audited_with_who_before_and_after_and_no_secrets(app):
    boss = User.get(User.username == "boss")
    user = make_user("alice", by=boss)
    domain.update_user(boss, user, "爱丽丝", {"advisor", "teacher"}, active=True)
    domain.set_password(boss, user, "another-pass-1")
    rows = list(AuditLog.select().where(AuditLog.table == "user", AuditLog.record_id == str(user.id))
                .order_by(AuditLog.id))
    assert [r.action for r in rows] == ["create", "update", "password"]
    assert all(r.actor_id == boss.id and r.actor_name == "王校长" for r in rows)
    change = rows[1]
    assert json.loads(change.before) == {"display_name": "员工alice", "roles": ["advisor"]}
    assert json.loads(change.after) == {"display_name": "爱丽丝", "roles": ["advisor", "teacher"]}
    assert "scrypt" not in (rows[0].after + (rows[2].after or ""))


def test_new_password_ends_other_sessions_and_unlocks(app):
    user = make_user("alice")
    for _ in range(5):
        _auth("alice", "wrong")
    version = User.get_by_id(user.id).session_version
    domain.set_password(None, user, "fresh-pass-22")
    fresh = User.get_by_id(user.id)
    assert fresh.session_version == version + 1 and fresh.password_locked_until is None
    assert _auth("alice", "fresh-pass-22").user is not None
