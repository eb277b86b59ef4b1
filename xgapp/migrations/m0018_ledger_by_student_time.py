"""A student's ledger in time order as one index (student, at, hours): the balance before any instant is a range
sum over the index alone, however many years of history the campus has (renewal rate, ranking, month report)."""


def up(db, migrator):
    db.execute_sql("CREATE INDEX IF NOT EXISTS hour_entry_student_at_hours ON hour_entry (student_id, at, hours)")
