"""Monthly targets (业绩目标): the branch's target for the campus and the supervisor's split per advisor."""

import peewee as pw

from xgapp.db import MoneyField, UtcDateTimeField


def up(db, migrator):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):
        class Meta:
            table_name = "user"

    class Target(Base):
        month = pw.DateField()  # the first day of the month
        advisor = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT")  # None: the campus's own target
        kind = pw.CharField(max_length=20)
        value = MoneyField()
        updated_at = UtcDateTimeField()
        updated_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            table_name = "target"

    db.create_tables([Target])
    # one target per month and kind for the campus, and one per advisor (NULLs are distinct in a plain index)
    db.execute_sql("CREATE UNIQUE INDEX target_campus ON target (month, kind) WHERE advisor_id IS NULL")
    db.execute_sql("CREATE UNIQUE INDEX target_advisor ON target (month, advisor_id, kind) WHERE advisor_id IS NOT NULL")
