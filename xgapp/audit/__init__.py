"""Audit trail: every write records who, when, which record, before and after."""

import json
from datetime import date, datetime
from decimal import Decimal

from flask import has_request_context, request

from xgapp import clock
from xgapp.audit.models import AuditLog
from xgapp.db import insert_rows

SECRET_FIELDS = {"password_hash", "pin_hash"}
CLI_ACTOR = "cli"
ANONYMOUS_ACTOR = "anonymous"


def _jsonable(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(instance):
    """A model instance as a JSON-ready dict; secrets are masked."""
    data = {}
    for name in instance._meta.sorted_field_names:
        value = instance.__data__.get(name)
        if name in SECRET_FIELDS:
            value = "***" if value else None
        data[name] = _jsonable(value)
    return data


def diff(before, after):
    """Keep only the keys whose value changed between two snapshots."""
    keys = sorted(set(before or {}) | set(after or {}))
    changed = [k for k in keys if (before or {}).get(k) != (after or {}).get(k)]
    return ({k: (before or {}).get(k) for k in changed}, {k: (after or {}).get(k) for k in changed})


def _row(by, action, table, record_id, before, after, summary, actor_name, at):
    if action == "update":
        before, after = diff(before, after)
    return {
        "at": at,
        "actor": by,
        "actor_name": actor_name or (by.display_name if by is not None else
                                     ANONYMOUS_ACTOR if has_request_context() else CLI_ACTOR),
        "action": action,
        "table": table,
        "record_id": None if record_id is None else str(record_id),
        "summary": summary[:200],
        "before": None if before is None else json.dumps(before, ensure_ascii=False, sort_keys=True),
        "after": None if after is None else json.dumps(after, ensure_ascii=False, sort_keys=True),
        "ip": request.remote_addr if has_request_context() else None,
    }


def record(by, action, table, record_id=None, before=None, after=None, summary="", actor_name=None):
    """Append one audit row; `by` is the acting User, or None (command line, or not logged in)."""
    return AuditLog.create(**_row(by, action, table, record_id, before, after, summary, actor_name, clock.now()))


def record_many(by, action, table, records):
    """Append one audit row per (record id, before, after, summary) of `records` in one statement (a roll call's
    marks and ledger rows): the same rows `record` writes one by one."""
    at = clock.now()
    insert_rows(AuditLog, [AuditLog(**_row(by, action, table, record_id, before, after, summary, None, at))
                           for record_id, before, after, summary in records])
