"""Money: a refund remembers what the refund rule gave for its hours (so a lowered amount says so); used one-time
form submission keys (a form sent twice is saved once); receipt numbers are looked up by an index."""

import peewee as pw
from playhouse.migrate import migrate

from xgapp.db import MoneyField, UtcDateTimeField


def up(db, migrator):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):
        class Meta:
            table_name = "user"

    class FormSubmission(Base):
        key = pw.CharField(max_length=32, unique=True)
        path = pw.CharField(max_length=200)
        user = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        at = UtcDateTimeField(index=True)
        result_url = pw.CharField(max_length=500, default="")

        class Meta:
            table_name = "form_submission"

    migrate(migrator.add_column("refund", "rule_amount", MoneyField(null=True)))
    db.create_tables([FormSubmission])
    # Not unique in the schema: a campus's older payments may repeat a number; new ones are checked on entry.
    db.execute_sql("CREATE INDEX IF NOT EXISTS payment_receipt_no ON payment (receipt_no)")
