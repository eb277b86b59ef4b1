"""The campus this installation serves."""

import peewee as pw

from xgapp.db import BaseModel, UtcDateTimeField


class Campus(BaseModel):
    """Name and code of the campus (one row per installation)."""

    name = pw.CharField(max_length=100)
    code = pw.CharField(max_length=20, unique=True)
    created_at = UtcDateTimeField()
