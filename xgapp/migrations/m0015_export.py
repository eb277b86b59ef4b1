"""The nightly export: a change log filled by triggers, the bundles made, and the outbox that delivers them."""

import peewee as pw

from xgapp.db import UtcDateTimeField
from xgapp.export import tracking


# Frozen here: what this migration tracked must not change when the live list does.
NOT_TRACKED = {"audit_log", "campus_logo", "schema_migrations", "change_log", "export_bundle", "outbox",
               "outbox_attempt"}


def up(db, migrator):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class ExportBundle(Base):
        name = pw.CharField(max_length=120, unique=True)
        kind = pw.CharField(max_length=10)
        day = pw.DateField(null=True)
        date_from = pw.DateField()
        date_to = pw.DateField()
        full = pw.BooleanField(default=False)
        after_seq = pw.IntegerField()
        through_seq = pw.IntegerField()
        snapshot_at = UtcDateTimeField()
        rows = pw.IntegerField()
        size = pw.IntegerField()
        sha256 = pw.CharField(max_length=64)

        class Meta:
            table_name = "export_bundle"

    class Outbox(Base):
        bundle = pw.ForeignKeyField(ExportBundle, on_delete="RESTRICT")
        channel = pw.CharField(max_length=10)
        status = pw.CharField(max_length=10)
        attempts = pw.IntegerField(default=0)
        next_at = UtcDateTimeField(null=True)
        last_error = pw.CharField(max_length=500, default="")
        sent_at = UtcDateTimeField(null=True)
        created_at = UtcDateTimeField()

        class Meta:
            table_name = "outbox"
            indexes = ((("bundle", "channel"), True), (("status", "next_at"), False))

    class OutboxAttempt(Base):
        outbox = pw.ForeignKeyField(Outbox, on_delete="CASCADE")
        at = UtcDateTimeField()
        ok = pw.BooleanField()
        detail = pw.CharField(max_length=500, default="")

        class Meta:
            table_name = "outbox_attempt"

    db.create_tables([ExportBundle, Outbox, OutboxAttempt])
    db.execute_sql("CREATE UNIQUE INDEX export_bundle_nightly_day ON export_bundle (day) WHERE kind = 'nightly'")
    if not isinstance(db, pw.SqliteDatabase):
        return
    db.execute_sql(
        "CREATE TABLE change_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl VARCHAR(40) NOT NULL, "
        "row_id INTEGER NOT NULL, op CHAR(1) NOT NULL, at VARCHAR(30) NOT NULL DEFAULT (%s))" % tracking.NOW_SQL)
    db.execute_sql("CREATE INDEX change_log_at ON change_log (at)")
    tables = [name for (name,) in db.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    for table in sorted(tables):
        if table not in NOT_TRACKED:
            tracking.install(db, table)
