"""Campus, staff accounts and their roles."""

import peewee as pw

from xgapp.db import UtcDateTimeField


def up(db, migrator):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Campus(Base):
        name = pw.CharField(max_length=100)
        code = pw.CharField(max_length=20, unique=True)
        created_at = UtcDateTimeField()

    class User(Base):
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

    class UserRole(Base):
        user = pw.ForeignKeyField(User, backref="roles", on_delete="CASCADE")
        role = pw.CharField(max_length=20)

        class Meta:
            indexes = ((("user", "role"), True),)

    db.create_tables([Campus, User, UserRole])
