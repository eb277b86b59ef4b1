"""Numbers an advisor taps in by hand because no record holds them (热线 calls that never became a lead)."""

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

    class ManualCount(Base):
        advisor = pw.ForeignKeyField(User, on_delete="RESTRICT")
        day = pw.DateField()
        kind = pw.CharField(max_length=20)
        count = pw.IntegerField(default=0)
        updated_at = UtcDateTimeField()
        updated_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            table_name = "manual_count"
            indexes = ((("advisor", "day", "kind"), True), (("day",), False))

    db.create_tables([ManualCount])
