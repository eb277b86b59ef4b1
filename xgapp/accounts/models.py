"""Staff accounts and their roles."""

import peewee as pw

from xgapp.db import BaseModel, UtcDateTimeField


class User(BaseModel):
    """A staff member who logs in; may hold several roles."""

    username = pw.CharField(max_length=40, unique=True)
    display_name = pw.CharField(max_length=60)
    password_hash = pw.CharField(max_length=255)
    pin_hash = pw.CharField(max_length=255, null=True)
    locale = pw.CharField(max_length=10, null=True)
    active = pw.BooleanField(default=True)
    session_version = pw.IntegerField(default=1)
    password_failures = pw.IntegerField(default=0)
    password_locked_until = UtcDateTimeField(null=True)
    pin_failures = pw.IntegerField(default=0)
    pin_locked_until = UtcDateTimeField(null=True)
    last_login_at = UtcDateTimeField(null=True)
    created_at = UtcDateTimeField()

    @property
    def role_set(self):
        """The user's role codes (cached per instance)."""
        if not hasattr(self, "_role_set"):
            self._role_set = frozenset(r.role for r in self.roles)
        return self._role_set


class UserRole(BaseModel):
    """One role held by one user."""

    user = pw.ForeignKeyField(User, backref="roles", on_delete="CASCADE")
    role = pw.CharField(max_length=20)

    class Meta:
        table_name = "user_role"
        indexes = ((("user", "role"), True),)


class LoginSession(BaseModel):
    """One browser's login: its cookie holds a random token, the database its SHA-256 (logout deletes the row)."""

    token_hash = pw.CharField(max_length=64, unique=True)
    user = pw.ForeignKeyField(User, backref="login_sessions", on_delete="CASCADE")
    version = pw.IntegerField()  # the user's session_version at login: a password reset or disabling ends it
    kiosk = pw.BooleanField(default=False)  # the study-room tablet: its own, longer idle limit
    created_at = UtcDateTimeField()
    seen_at = UtcDateTimeField()  # last request by someone at the screen, to the minute

    class Meta:
        table_name = "login_session"
