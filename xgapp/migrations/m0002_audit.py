"""The audit log: who changed what, when, before and after."""

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

    class AuditLog(Base):
        at = UtcDateTimeField(index=True)
        actor = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        actor_name = pw.CharField(max_length=60)
        action = pw.CharField(max_length=30)
        table = pw.CharField(max_length=40, column_name="table_name")
        record_id = pw.CharField(max_length=40, null=True)
        summary = pw.CharField(max_length=200, default="")
        before = pw.TextField(null=True)
        after = pw.TextField(null=True)
        ip = pw.CharField(max_length=45, null=True)

        class Meta:
            indexes = (
                (("table", "record_id"), False),
                (("actor", "at"), False),
            )

    db.create_tables([AuditLog])
