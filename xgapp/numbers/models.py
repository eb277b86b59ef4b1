"""What the numbers are measured against: manual counters the advisor taps in, and monthly targets."""

import peewee as pw

from xgapp.accounts.models import User
from xgapp.db import BaseModel, MoneyField, UtcDateTimeField


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


class Target(BaseModel):
    """业绩目标 of a month: the campus's (advisor None, from the branch) or one advisor's share of it."""

    month = pw.DateField()  # the first day of the month
    advisor = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    kind = pw.CharField(max_length=20)
    value = MoneyField()  # yuan, hours or a count, by kind
    updated_at = UtcDateTimeField()
    updated_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="targets_updated")

    class Meta:
        table_name = "target"


class MonthReport(BaseModel):
    """月报 text: the month's summary and next month's plan, by an advisor or (advisor None) for the campus."""

    month = pw.DateField()
    advisor = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    summary = pw.TextField(default="")
    plan = pw.TextField(default="")
    updated_at = UtcDateTimeField()
    updated_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="month_reports_updated")

    class Meta:
        table_name = "month_report"
