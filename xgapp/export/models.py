"""Bundles made for head office and their delivery."""

import peewee as pw

from xgapp.db import BaseModel, UtcDateTimeField


class ExportBundle(BaseModel):
    """One zip in the data folder's exports/: a night's changes, or one made on demand for a period."""

    name = pw.CharField(max_length=120, unique=True)
    kind = pw.CharField(max_length=10)  # nightly | range
    day = pw.DateField(null=True)  # nightly bundles: the campus day they close
    date_from = pw.DateField()
    date_to = pw.DateField()
    full = pw.BooleanField(default=False)  # every row, not only the changed ones (the first bundle)
    after_seq = pw.IntegerField()  # change_log positions covered: (after_seq, through_seq]
    through_seq = pw.IntegerField()
    snapshot_at = UtcDateTimeField()
    rows = pw.IntegerField()
    size = pw.IntegerField()
    sha256 = pw.CharField(max_length=64)

    class Meta:
        table_name = "export_bundle"


class Outbox(BaseModel):
    """One delivery of one bundle: by email, or as a copy into a folder."""

    bundle = pw.ForeignKeyField(ExportBundle, backref="deliveries", on_delete="RESTRICT")
    channel = pw.CharField(max_length=10)  # email | folder
    status = pw.CharField(max_length=10)  # pending | sent | failed
    attempts = pw.IntegerField(default=0)
    next_at = UtcDateTimeField(null=True)
    last_error = pw.CharField(max_length=500, default="")
    sent_at = UtcDateTimeField(null=True)
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "outbox"
        indexes = ((("bundle", "channel"), True), (("status", "next_at"), False))


class OutboxAttempt(BaseModel):
    """Every try, successful or not, with what the server said."""

    outbox = pw.ForeignKeyField(Outbox, backref="tries", on_delete="CASCADE")
    at = UtcDateTimeField()
    ok = pw.BooleanField()
    detail = pw.CharField(max_length=500, default="")

    class Meta:
        table_name = "outbox_attempt"
