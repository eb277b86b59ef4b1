"""A printed form whose signed paper copy came back and went into the files."""

import peewee as pw

from xgapp.accounts.models import User
from xgapp.db import BaseModel, UtcDateTimeField


class SignedCopy(BaseModel):
    """The signed copy of form `form` for record `ref` (an id, a day, or advisor/day) was received: who, when."""

    form = pw.CharField(max_length=20)
    ref = pw.CharField(max_length=40)
    received_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    received_at = UtcDateTimeField()
    note = pw.CharField(max_length=200, default="")

    class Meta:
        table_name = "signed_copy"
        indexes = ((("form", "ref"), True),)
