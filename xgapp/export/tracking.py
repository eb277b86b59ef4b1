"""Change tracking for the nightly bundle: SQLite triggers append (table, row id, operation, instant) to
`change_log` on every insert, update and delete of an exported table, whatever code path wrote the row (a view, a
migration, the command line). A bundle carries the rows touched between two positions of this log.

A migration that adds an exported table calls `install(db, table)`; `tests/test_export.py` fails when a table is
neither tracked nor listed in `NOT_EXPORTED`.
"""

import peewee

# Tables that never leave the campus: the audit trail (local and very large), the logo image, bookkeeping.
NOT_EXPORTED = frozenset({
    "audit_log", "campus_logo", "schema_migrations", "change_log", "export_bundle", "outbox", "outbox_attempt",
    "form_submission",
    "login_session",
    # derived from hour_entry (the days hours ran out; hours left per subject): head office sums the ledger itself
    "hour_run_out", "hour_balance",
})

# Columns of the user table that change on every login and mean nothing upstream (plus the secrets).
USER_PRIVATE = ("password_hash", "pin_hash", "session_version", "password_failures", "password_locked_until",
                "pin_failures", "pin_locked_until", "last_login_at")
USER_TRACKED = ("username", "display_name", "locale", "active", "created_at")

# The instant of a change, as UTC text of the same shape the code compares against.
NOW_SQL = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


def trigger_sql(table):
    """The three CREATE TRIGGER statements tracking `table`."""
    # peewee's save() writes every column, so "UPDATE OF" is not enough: compare the values.
    update_when = (" WHEN %s" % " OR ".join('OLD."%s" IS NOT NEW."%s"' % (c, c) for c in USER_TRACKED)
                   if table == "user" else "")
    body = "INSERT INTO change_log (tbl, row_id, op) VALUES ('%s', %s.id, '%s');"
    return [
        'CREATE TRIGGER IF NOT EXISTS "xg_track_%s_i" AFTER INSERT ON "%s" BEGIN %s END'
        % (table, table, body % (table, "NEW", "I")),
        'CREATE TRIGGER IF NOT EXISTS "xg_track_%s_u" AFTER UPDATE ON "%s"%s BEGIN %s END'
        % (table, table, update_when, body % (table, "NEW", "U")),
        'CREATE TRIGGER IF NOT EXISTS "xg_track_%s_d" AFTER DELETE ON "%s" BEGIN %s END'
        % (table, table, body % (table, "OLD", "D")),
    ]


def install(db, table):
    """Track `table` (SQLite only: a head-office PostgreSQL database never builds bundles)."""
    if isinstance(db, peewee.SqliteDatabase):
        for statement in trigger_sql(table):
            db.execute_sql(statement)


def tracked_tables(db):
    """Names of the tables that have tracking triggers."""
    rows = db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'xg_track_%'")
    return sorted({name[len("xg_track_"):-2] for (name,) in rows})
