"""The campus this installation serves."""

import peewee as pw

from xgapp.accounts.models import User
from xgapp.db import BaseModel, UtcDateTimeField


class Campus(BaseModel):
    """Name and code of the campus (one row per installation)."""

    name = pw.CharField(max_length=100)
    code = pw.CharField(max_length=20, unique=True)
    created_at = UtcDateTimeField()


class CampusRule(BaseModel):
    """One campus rule the principal sets on the settings page (the defaults live in code)."""

    name = pw.CharField(max_length=40, unique=True)
    value = pw.CharField(max_length=200)
    updated_at = UtcDateTimeField()
    updated_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        table_name = "campus_rule"


class CampusLogo(BaseModel):
    """The campus logo printed at the top of every form (one row at most; kept apart so pages never load it)."""

    image = pw.BlobField()  # PNG, at most 600 px wide
    updated_at = UtcDateTimeField()
    updated_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        table_name = "campus_logo"
