"""The days students' hours ran out, kept as facts (`hour_run_out`) beside the ledger: a month's 续费率 reads that
month's facts instead of every consuming student's whole ledger. Existing history is walked once, here."""

import peewee as pw

from xgapp.migrations.fields import UtcDateTimeField

# Every student's ledger in time order with a running balance (all subjects; integer tenths); a consumption that
# took it from above zero to zero or below is a run-out. Also used by the benchmark's bulk generator.
BACKFILL_SQL = """
INSERT INTO hour_run_out (entry_id, student_id, at)
SELECT id, student_id, at FROM (
    SELECT id, student_id, at, kind, hours,
           SUM(hours) OVER (PARTITION BY student_id ORDER BY at, id) AS after
      FROM hour_entry)
 WHERE kind = 'consume' AND after - hours > 0 AND after <= 0
   AND id NOT IN (SELECT entry_id FROM hour_run_out)
"""


def up(db, migrator):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Student(Base):
        class Meta:
            table_name = "student"

    class HourEntry(Base):
        class Meta:
            table_name = "hour_entry"

    class RunOut(Base):
        entry = pw.ForeignKeyField(HourEntry, unique=True, on_delete="CASCADE")
        student = pw.ForeignKeyField(Student, on_delete="CASCADE")
        at = UtcDateTimeField(index=True)

        class Meta:
            table_name = "hour_run_out"

    db.create_tables([RunOut])
    db.execute_sql(BACKFILL_SQL)
