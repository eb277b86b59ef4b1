"""Money: a refund remembers what the refund rule gave for its hours (so a lowered amount says so)."""

from playhouse.migrate import migrate

from xgapp.db import MoneyField


def up(db, migrator):
    migrate(migrator.add_column("refund", "rule_amount", MoneyField(null=True)))
