"""月报 texts: the month's summary and next month's plan, written by each advisor and by the supervisor."""

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

    class MonthReport(Base):
        month = pw.DateField()
        advisor = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT")  # None: the campus's report
        summary = pw.TextField(default="")
        plan = pw.TextField(default="")
        updated_at = UtcDateTimeField()
        updated_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            table_name = "month_report"

    db.create_tables([MonthReport])
    db.execute_sql("CREATE UNIQUE INDEX month_report_campus ON month_report (month) WHERE advisor_id IS NULL")
    db.execute_sql("CREATE UNIQUE INDEX month_report_advisor ON month_report (month, advisor_id) "
                   "WHERE advisor_id IS NOT NULL")
