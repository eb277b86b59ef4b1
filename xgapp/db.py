"""The database: one peewee proxy bound by the app factory, per-thread connections, one write lock."""

import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import peewee
from playhouse.db_url import connect as connect_url


database = peewee.DatabaseProxy()

# Applied on every new SQLite connection. FULL sync: a payment committed is on disk even after a power cut.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "full",
    "cache_size": -16000,
}

_write_lock = threading.RLock()
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def open_database(url):
    """Create (not connect) the database object for a DATABASE_URL-style string."""
    if url.startswith("sqlite:"):
        return connect_url(url, pragmas=SQLITE_PRAGMAS)
    return connect_url(url)


def bind(db):
    """Point every model at `db` (called by the factory and by the CLI)."""
    database.initialize(db)
    return db


def is_sqlite():
    """True when the bound database is SQLite."""
    return isinstance(database.obj, peewee.SqliteDatabase)


def ensure_connection():
    """Open this thread's connection if it is not open yet; it stays open for the thread's life."""
    database.connect(reuse_if_open=True)


_guard = None


def set_guard(guard):
    """Install the object whose claim() runs first in every outermost write transaction and whose release() runs
    when it rolls back (the app factory installs the one-time submission keys, xgapp.submissions)."""
    global _guard
    _guard = guard


@contextmanager
def write():
    """One read-modify-write unit: the process write lock plus an IMMEDIATE transaction.

    Nested calls become savepoints of the outer transaction. The outermost one first lets the guard claim the
    request's submission key, so the key and the record commit together (or neither does).
    """
    if database.transaction_depth() == 0:
        from xgapp.validation import check_input

        check_input()  # a form field holding a control character is refused, whichever view took it
    with _write_lock:
        outermost = database.transaction_depth() == 0
        with database.atomic("IMMEDIATE") if is_sqlite() and outermost else database.atomic():
            claimed = outermost and _guard is not None and _guard.claim()
            try:
                yield
            except BaseException:
                if claimed:
                    _guard.release()
                raise


_epoch = 0


@contextmanager
def write_lock():
    """Hold the process write lock without a transaction (for whole-file operations such as a restore); a new
    epoch starts when it is let go."""
    global _epoch
    with _write_lock:
        try:
            yield
        finally:
            _epoch += 1


def epoch():
    """How many whole-file operations this process has made: part of every kept page's key (xgapp/pagecache.py),
    since a restored file's own generation could be one seen before."""
    return _epoch


class UtcDateTimeField(peewee.Field):
    """An instant, stored as ISO-8601 UTC text (sortable, unambiguous), returned as an aware datetime."""

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
        if value is None:
            return None
        return datetime.fromisoformat(value)


class MoneyField(peewee.Field):
    """Yuan as Decimal, stored as an integer number of fen (exact, and SUM() stays exact)."""

    field_type = "INTEGER"

    def db_value(self, value):
        if value is None:
            return None
        value = Decimal(value)
        fen = value * 100
        if fen != fen.to_integral_value():
            raise ValueError("%s: more than 2 decimals in %s" % (self.name, value))
        return int(fen)

    def python_value(self, value):
        return None if value is None else (Decimal(int(value)) / 100).quantize(CENT)


class HoursField(peewee.Field):
    """Lesson hours as Decimal, stored as an integer number of tenths of an hour."""

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


def local_date(column, first, last):
    """SQLite SQL for the campus-local date ('YYYY-MM-DD', comparable with a DateField) of an instant stored by
    UtcDateTimeField, exact for instants from the start of local day `first` to the end of local day `last`.

    The zone's UTC offset is looked up here, not in SQL: each change of offset inside the span (none in China; a
    daylight-saving zone has one or two a year) becomes a CASE branch. Lets a query group or compare by campus day
    instead of bringing every row to Python to convert it.
    """
    from xgapp import clock  # clock reads the settings, which import this module

    zone = clock.zone()
    start = clock.at(first).astimezone(timezone.utc)
    end = clock.at(last + timedelta(days=1)).astimezone(timezone.utc)

    def offset(instant):
        return int(instant.astimezone(zone).utcoffset().total_seconds() // 60)

    segments = [(None, offset(start))]  # (UTC instant from which it applies, minutes east of UTC)
    day = start
    while day < end:
        following = min(day + timedelta(days=1), end)
        if offset(following) != segments[-1][1]:
            low, high = day, following  # the change lies in (low, high]: halve it to the minute
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == segments[-1][1] else (low, middle)
            segments.append((high.replace(second=0, microsecond=0), offset(following)))
        day = following
    text = peewee.fn.substr(column, 1, 19)  # 'YYYY-MM-DDTHH:MM:SS': the stored form without its fraction

    def shifted(minutes):
        return peewee.fn.date(text, "%+d minutes" % minutes)

    if len(segments) == 1:
        return shifted(segments[0][1])
    branches = [(column < segments[i + 1][0].isoformat(timespec="microseconds"), shifted(minutes))
                for i, (_, minutes) in enumerate(segments[:-1])]
    return peewee.Case(None, branches, shifted(segments[-1][1]))


def newest(query, column, limit=None, before=None):
    """`query` newest first by `column`, at most `limit` rows (all rows when limit is None), only rows at or before
    the instant `before` when given (the next page of a timeline: an indexed range, whatever the history)."""
    if before is not None:
        query = query.where(column <= before)
    return query if limit is None else query.order_by(column.desc()).limit(limit)


def insert_rows(model, rows):
    """Save new model instances `rows` with one INSERT per 100 and give each its id (a roll call's marks, its ledger
    and audit rows). The statement is written here rather than by peewee's query builder, which spends a
    millisecond composing 15 rows of 10 columns — inside the write lock every tablet waits for. A single INSERT
    numbers its rows in the order of its VALUES, so the returned ids, sorted, are theirs."""
    meta = model._meta
    fields = [f for f in meta.sorted_fields if f is not meta.primary_key]
    columns = ", ".join('"%s"' % f.column_name for f in fields)
    one = "(%s)" % ", ".join([database.param] * len(fields))
    for start in range(0, len(rows), 100):
        chunk = rows[start:start + 100]
        sql = 'INSERT INTO "%s" (%s) VALUES %s RETURNING "%s"' % (meta.table_name, columns, ", ".join([one] * len(chunk)),
                                                                 meta.primary_key.column_name)
        params = [f.db_value(row.__data__.get(f.name)) for row in chunk for f in fields]
        ids = sorted(i for (i,) in database.execute_sql(sql, params).fetchall())
        for row, row_id in zip(chunk, ids):
            row.id = row_id
    return rows


class Prepared:
    """A peewee query whose SQL text is composed once and then run with new values.

    peewee composes the SQL of a query on every execution: for a join of two wide tables that is most of a
    millisecond, paid by every request that asks it (the session lookup of each page). `build(*markers)` returns
    the query with one string marker where each value goes (text values only: a marker passes through a
    CharField's conversion unchanged); run(*values) executes the composed text with the values in their place and
    returns peewee's own row objects (joined models included), as iterating the query would."""

    def __init__(self, build, count=1):
        self._build = build
        self._count = count
        self._made = {}  # database class -> (query, sql, params, slots): the SQL differs only by dialect

    def _make(self):
        markers = ["\x00xgapp-param-%d\x00" % i for i in range(self._count)]
        query = self._build(*markers)
        sql, params = query.sql()
        slots = [params.index(m) for m in markers]
        made = self._made[type(database.obj)] = (query, sql, list(params), slots)
        return made

    def run(self, *values):
        query, sql, params, slots = self._made.get(type(database.obj)) or self._make()
        params = list(params)
        for slot, value in zip(slots, values):
            params[slot] = value
        return list(query._get_cursor_wrapper(database.execute_sql(sql, params)))


def hours_sum(raw):
    """A raw SUM() over a HoursField (integer tenths, or None) as Decimal hours."""
    return (Decimal(int(raw or 0)) / 10).quantize(TENTH)


def money_sum(raw):
    """A raw SUM() over a MoneyField (integer fen, or None) as Decimal yuan."""
    return (Decimal(int(raw or 0)) / 100).quantize(CENT)


class BaseModel(peewee.Model):
    """Base of every model: bound to the shared proxy."""

    class Meta:
        database = database
        legacy_table_names = False
