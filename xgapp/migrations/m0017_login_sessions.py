"""Server-side login sessions: logging out, idle expiry and revocation end a session for every copy of its cookie."""

import peewee as pw

from xgapp.db import UtcDateTimeField


def up(db, migrator):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):
        class Meta:
            table_name = "user"

    class LoginSession(Base):
        token_hash = pw.CharField(max_length=64, unique=True)
        user = pw.ForeignKeyField(User, on_delete="CASCADE")
        version = pw.IntegerField()
        kiosk = pw.BooleanField(default=False)
        created_at = UtcDateTimeField()
        seen_at = UtcDateTimeField()

        class Meta:
            table_name = "login_session"

    db.create_tables([LoginSession])
