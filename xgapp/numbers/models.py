"""A figure the records cannot know, tapped in by the advisor: one row per advisor, day and kind."""

import peewee as pw

from xgapp.accounts.models import User
from xgapp.db import BaseModel, UtcDateTimeField


class ManualCount(BaseModel):
    """How many (e.g. 热线 calls that never became a lead) the advisor counted by hand on `day`."""

    advisor = pw.ForeignKeyField(User, on_delete="RESTRICT")
    day = pw.DateField()
    kind = pw.CharField(max_length=20)
    count = pw.IntegerField(default=0)
    updated_at = UtcDateTimeField()
    updated_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="manual_counts_updated")

    class Meta:
        table_name = "manual_count"
        indexes = ((("advisor", "day", "kind"), True), (("day",), False))
