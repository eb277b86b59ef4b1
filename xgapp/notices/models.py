"""A notice addressed to one staff member, read or not."""

import peewee as pw

from xgapp.accounts.models import User
from xgapp.db import BaseModel, UtcDateTimeField


class Notice(BaseModel):
    """One line on someone's home page with a link to what changed."""

    user = pw.ForeignKeyField(User, on_delete="CASCADE")
    text = pw.CharField(max_length=300)
    link = pw.CharField(max_length=200, default="")
    at = UtcDateTimeField()
    read_at = UtcDateTimeField(null=True)

    class Meta:
        table_name = "notice"
        indexes = ((("user", "read_at"), False),)
