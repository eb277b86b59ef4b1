"""Field types as the migrations know them, frozen: a migration written against these stays what it was, whatever
later happens to the live fields in xgapp.db (which the models use).

Migrations from number 18 on import field types from here (and peewee), never from live code; the ones shipped
before the rule import xgapp.db and are pinned unchanged by their checksums (tests/test_architecture.py).
"""

from datetime import datetime, timezone
from decimal import Decimal

import peewee

CENT = Decimal("0.01")
TENTH = Decimal("0.1")


class UtcDateTimeField(peewee.Field):
    """An instant as ISO-8601 UTC text with microseconds (as of schema 17)."""

    field_type = "TEXT"

    def db_value(self, value):
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            raise ValueError("naive datetime given to %s: times must carry a zone" % self.name)
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds")

    def python_value(self, value):
        return None if value is None else datetime.fromisoformat(value)


class MoneyField(peewee.Field):
    """Yuan as an integer number of fen (as of schema 17)."""

    field_type = "INTEGER"

    def db_value(self, value):
        if value is None:
            return None
        fen = Decimal(value) * 100
        if fen != fen.to_integral_value():
            raise ValueError("%s: more than 2 decimals in %s" % (self.name, value))
        return int(fen)

    def python_value(self, value):
        return None if value is None else (Decimal(int(value)) / 100).quantize(CENT)


class HoursField(peewee.Field):
    """Lesson hours as an integer number of tenths (as of schema 17)."""

    field_type = "INTEGER"

    def db_value(self, value):
        if value is None:
            return None
        tenths = Decimal(value) * 10
        if tenths != tenths.to_integral_value():
            raise ValueError("%s: hours finer than 0.1 in %s" % (self.name, value))
        return int(tenths)

    def python_value(self, value):
        return None if value is None else (Decimal(int(value)) / 10).quantize(TENTH)


def track(db, table):
    """The change-log triggers of an exported table (not `user`) as of schema 20: every insert, update and delete
    appends (table, row id, operation) to `change_log` (the live version is xgapp.export.tracking)."""
    if not isinstance(db, peewee.SqliteDatabase):
        return
    body = "INSERT INTO change_log (tbl, row_id, op) VALUES ('%s', %s.id, '%s');"
    for suffix, event, row, op in (("i", "INSERT", "NEW", "I"), ("u", "UPDATE", "NEW", "U"), ("d", "DELETE", "OLD", "D")):
        db.execute_sql('CREATE TRIGGER IF NOT EXISTS "xg_track_%s_%s" AFTER %s ON "%s" BEGIN %s END'
                       % (table, suffix, event, table, body % (table, row, op)))
