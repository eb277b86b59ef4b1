"""Signed paper copies of printed forms (who took the signed sheet in, and when); the campus logo on every form.

The briefing's own paper columns (m0009) are copied into the new table and no longer written.
"""

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

    class SignedCopy(Base):
        form = pw.CharField(max_length=20)
        ref = pw.CharField(max_length=40)
        received_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        received_at = UtcDateTimeField()
        note = pw.CharField(max_length=200, default="")

        class Meta:
            table_name = "signed_copy"
            indexes = ((("form", "ref"), True),)

    class CampusLogo(Base):
        image = pw.BlobField()  # PNG, at most 600 px wide
        updated_at = UtcDateTimeField()
        updated_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            table_name = "campus_logo"

    db.create_tables([SignedCopy, CampusLogo])
    db.execute_sql("INSERT INTO signed_copy (form, ref, received_by_id, received_at, note) "
                   "SELECT 'briefing', CAST(id AS TEXT), paper_received_by_id, paper_received_at, '' "
                   "FROM briefing WHERE paper_received_at IS NOT NULL")
