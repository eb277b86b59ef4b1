"""The audit log's filters read into values (validation.Reader). A filter never refuses a page: a value that is no
person, table, action, record number or date filters nothing (the page shows everything instead)."""

from xgapp.validation import Reader

RECORD_MAX = 40  # characters of a record number (ids, or names such as a backup's file)


def parse_filters(args, tables, actions):
    """The query string -> {"actor", "table", "action", "record", "start", "end", "before"} (None when not given
    or wrong); `tables` and `actions` are the codes offered."""
    r = Reader(args)
    return {
        "actor": r.row("actor", required=False),
        "table": r.choice("table", tables, required=False),
        "action": r.choice("action", actions, required=False),
        "record": r.raw("record")[:RECORD_MAX] or None,
        "start": r.date("start", required=False),
        "end": r.date("end", required=False),
        "before": r.row("before", required=False),
    }  # r.errors holds what was wrong; a filter drops it rather than refusing the page
