"""The audit log table."""

import peewee as pw

from xgapp.accounts.models import User
from xgapp.db import BaseModel, UtcDateTimeField


class AuditLog(BaseModel):
    """One write: who, when, which record, values before and after (JSON)."""

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
        table_name = "audit_log"
        indexes = (
            (("table", "record_id"), False),
            (("actor", "at"), False),
        )
