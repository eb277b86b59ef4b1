"""Two facts kept beside the lesson-hour ledger, written in the same transaction as each ledger row, so that no
page reads a student's whole history to answer a question about today or about one month:

- `hour_balance`: hours left per student and subject (the sum of the ledger), for the low-hours lists;
- `hour_run_out`: the consumptions that took a student's balance (all subjects) from above zero to zero or below,
  for the 续费率 of any month.

Existing history is walked once, here. The ledger stays the truth: `xgapp check` compares the two with it."""

import peewee as pw

from xgapp.migrations.fields import HoursField, UtcDateTimeField

# Every student's ledger in time order with a running balance (all subjects; integer tenths); a consumption that
# took it from above zero to zero or below is a run-out. Also used by the benchmark's bulk generator.
RUN_OUT_SQL = """
INSERT INTO hour_run_out (entry_id, student_id, at)
SELECT id, student_id, at FROM (
    SELECT id, student_id, at, kind, hours,
           SUM(hours) OVER (PARTITION BY student_id ORDER BY at, id) AS after
      FROM hour_entry)
 WHERE kind = 'consume' AND after - hours > 0 AND after <= 0
   AND id NOT IN (SELECT entry_id FROM hour_run_out)
"""

BALANCE_SQL = """
INSERT INTO hour_balance (student_id, subject, hours)
SELECT student_id, subject, SUM(hours) FROM hour_entry GROUP BY student_id, subject
    ON CONFLICT (student_id, subject) DO UPDATE SET hours = excluded.hours
"""


def backfill(db):
    """Rebuild both facts from the ledger (idempotent)."""
    db.execute_sql(RUN_OUT_SQL)
    db.execute_sql(BALANCE_SQL)


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

    class HourBalance(Base):
        student = pw.ForeignKeyField(Student, on_delete="CASCADE")
        subject = pw.CharField(max_length=20)
        hours = HoursField()

        class Meta:
            table_name = "hour_balance"
            indexes = ((("student", "subject"), True),)

    db.create_tables([RunOut, HourBalance])
    backfill(db)
