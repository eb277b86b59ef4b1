"""Head office: merging the bundles of many campuses into one database (a SQLite file or PostgreSQL).

Every bundle is verified completely before anything of it is written, and written in one transaction. The schema is
generic, so it survives changes of the campus schema: one row per campus record (its columns as a JSON object), one
row per campus, day and advisor of the 日报 figures. Each row carries the version of the bundle it came from (the
instant the campus read its rows, as sortable UTC text): an upsert only replaces a row with a strictly newer version,
so bundles can arrive in any order, and the same bundle twice (same SHA-256) adds nothing.

The models here are bound to their own database object (never the campus app's `xgapp.db.database`), through
`open_hq` — one head-office database at a time per process.
"""

import itertools
import json
import os
import re
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import peewee as pw
from playhouse.db_url import connect as connect_url

from xgapp import clock
from xgapp.export import verify as checks

BATCH = 500  # rows per INSERT
FUTURE_SLACK = timedelta(days=1)  # how far ahead of head office's clock a campus clock may run
TOTAL_ID = 0  # advisor_id of the campus total in hq_day
DATA_MEMBER = re.compile(r"^data/([a-z0-9_]+)\.json$")
REPORT_MEMBER = "report/daily.json"
INGESTED, ALREADY, REFUSED = "ingested", "already", "refused"


class HqError(Exception):
    """The head-office database cannot be used (the message is shown to the user as is)."""


class HqModel(pw.Model):
    """A head-office table (bound to the head-office database by `open_hq`)."""


class HqCampus(HqModel):
    """Every campus that sent a bundle; its name as of its newest bundle."""

    code = pw.CharField(max_length=64, primary_key=True)
    name = pw.CharField(max_length=255)
    last_snapshot_at = pw.CharField(max_length=32)  # version of its newest bundle

    class Meta:
        table_name = "hq_campus"


class HqBundle(HqModel):
    """One bundle ingested (the SHA-256 of the whole zip is its identity)."""

    campus_code = pw.CharField(max_length=64, index=True)
    name = pw.CharField(max_length=255)
    sha256 = pw.CharField(max_length=64, unique=True)
    kind = pw.CharField(max_length=20)
    period_from = pw.DateField()
    period_to = pw.DateField()
    snapshot_at = pw.CharField(max_length=32)
    rows = pw.IntegerField()
    ingested_at = pw.CharField(max_length=32)

    class Meta:
        table_name = "hq_bundle"


class HqRecord(HqModel):
    """One campus record as of the newest bundle that carried it (or its deletion)."""

    campus_code = pw.CharField(max_length=64)
    tbl = pw.CharField(max_length=64)
    record_id = pw.BigIntegerField()
    version = pw.CharField(max_length=32)
    deleted = pw.BooleanField(default=False)
    data = pw.TextField()  # JSON object: column -> value (the last known values, also after a deletion)

    class Meta:
        table_name = "hq_record"
        primary_key = pw.CompositeKey("campus_code", "tbl", "record_id")


class HqDay(HqModel):
    """The 日报 figures of one campus day: one row per advisor, advisor_id 0 for the campus total."""

    campus_code = pw.CharField(max_length=64)
    day = pw.DateField()
    advisor_id = pw.BigIntegerField()
    advisor_name = pw.CharField(max_length=255)
    figures = pw.TextField()  # JSON object: column key -> value (money and hours as decimal strings)
    version = pw.CharField(max_length=32)

    class Meta:
        table_name = "hq_day"
        primary_key = pw.CompositeKey("campus_code", "day", "advisor_id")
        indexes = ((("day", "advisor_id"), False),)


class HqReportColumn(HqModel):
    """The 日报 columns (Chinese header and kind) as the newest bundle describes them."""

    key = pw.CharField(max_length=64, primary_key=True)
    header = pw.CharField(max_length=255)
    kind = pw.CharField(max_length=20)
    position = pw.IntegerField()
    version = pw.CharField(max_length=32)

    class Meta:
        table_name = "hq_report_column"


MODELS = [HqCampus, HqBundle, HqRecord, HqDay, HqReportColumn]


@dataclass
class Result:
    """What became of one bundle."""

    path: str
    status: str  # ingested | already | refused
    message: str = ""  # the reason of a refusal
    campus: str = ""
    kind: str = ""
    period: tuple = ()
    rows: int = 0  # records in the bundle
    deleted: int = 0  # deletions in the bundle
    days: int = 0  # 日报 rows in the bundle
    applied: int = 0  # records and deletions that were newer than what head office had


# --- the database ------------------------------------------------------------------------------------------------

def _connect(url):
    if url.startswith("sqlite:"):
        if sqlite3.sqlite_version_info < (3, 24):
            raise HqError("SQLite %s 太旧（需要 3.24 以上）。SQLite %s is too old (3.24 or newer is needed)."
                          % (sqlite3.sqlite_version, sqlite3.sqlite_version))
        return connect_url(url, pragmas={"journal_mode": "wal", "busy_timeout": 10000, "synchronous": "full"})
    if url.startswith(("postgresql:", "postgres:")):
        try:
            import psycopg2  # noqa: F401  (head office's extra, not on the campus PC)
        except ImportError:
            raise HqError("缺少 PostgreSQL 驱动：请安装 xgapp[hq]（pip install \"xgapp[hq]\"）。"
                          "PostgreSQL needs the hq extra: pip install \"xgapp[hq]\".") from None
        return connect_url(url)
    raise HqError("不支持的数据库地址（请用 sqlite:///文件 或 postgresql://…）。"
                  "Unsupported database URL: use sqlite:///FILE or postgresql://USER:PASSWORD@HOST:PORT/DB.")


@contextmanager
def open_hq(url, create=True):
    """The head-office database at `url`, connected, with the models bound to it (tables created if `create`)."""
    if url.startswith("sqlite:///") and not create and not os.path.exists(url[len("sqlite:///"):]):
        raise HqError("总部数据库不存在：%s。No head-office database at %s." % (url, url))
    database = _connect(url)
    try:
        database.connect()
    except pw.OperationalError as exc:
        raise HqError("无法连接总部数据库：%s。Cannot connect to the head-office database: %s"
                      % (_first_line(exc), _first_line(exc))) from None
    try:
        with database.bind_ctx(MODELS):
            if create:
                database.create_tables(MODELS)  # IF NOT EXISTS
            elif not database.table_exists(HqDay._meta.table_name):
                raise HqError("总部数据库中还没有导入任何导出包。Nothing has been ingested into this database yet.")
            yield database
    finally:
        database.close()


def _first_line(exc):
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _transaction(database):
    """One write transaction; SQLite takes the write lock at once (no lock upgrade that could fail midway)."""
    if isinstance(database, pw.SqliteDatabase):
        return database.atomic("IMMEDIATE")
    return database.atomic()


def version_text(instant):
    """An ISO-8601 instant with a zone as the version text: UTC, microseconds, Z (sorts as it compares)."""
    try:
        moment = datetime.fromisoformat(instant)
    except (TypeError, ValueError):
        moment = None
    if moment is None or moment.tzinfo is None:
        raise checks.BundleInvalid("snapshot_at 不是带时区的时间：%r。snapshot_at is not an instant with a zone."
                                   % (instant,))
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _now_text():
    return clock.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- reading a verified bundle -----------------------------------------------------------------------------------

def _day(value, what):
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise checks.BundleInvalid("%s 不是日期：%r。%s is not a date." % (what, value, what)) from None


def _facts(manifest):
    """(campus code, campus name, kind, first day, last day, version) from a verified manifest."""
    campus, period = manifest["campus"], manifest["period"]
    name = campus.get("name")
    if not isinstance(name, str) or not name:
        name = campus["code"]
    if not isinstance(period, dict):
        raise checks.BundleInvalid("manifest.json 的 period 格式不对。The manifest's period is malformed.")
    first, last = _day(period.get("from"), "period.from"), _day(period.get("to"), "period.to")
    kind = manifest["kind"] if isinstance(manifest["kind"], str) else ""
    version = version_text(manifest["snapshot_at"])
    if version > (clock.now() + FUTURE_SLACK).strftime("%Y-%m-%dT%H:%M:%S.%fZ"):
        # Versions are the campus clock: a bundle from the future would freeze its records at head office.
        raise checks.BundleInvalid(
            "导出包的生成时间 %s 在未来：校区电脑的时钟不准。请校正时钟后用 `xgapp export --full` 重新导出全部记录。"
            "The bundle was made in the future (%s): fix the campus PC's clock, then export again with --full."
            % (manifest["snapshot_at"], manifest["snapshot_at"]))
    return campus["code"], name, kind, first, last, version


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2 ** 63


def _table(body, table, listed_rows):
    """Check one data/<table>.json; return (columns, rows, deleted ids)."""
    bad = checks.BundleInvalid("data/%s.json 格式不对。data/%s.json is malformed." % (table, table))
    if not isinstance(body, dict) or body.get("table") != table:
        raise bad
    names, rows, deleted = body.get("columns"), body.get("rows"), body.get("deleted", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        raise bad
    if "id" not in names:
        raise checks.BundleInvalid("data/%s.json 没有 id 列。data/%s.json has no id column." % (table, table))
    if not isinstance(rows, list) or not isinstance(deleted, list) or not all(_is_id(i) for i in deleted):
        raise bad
    at = names.index("id")
    if not all(isinstance(r, list) and len(r) == len(names) and _is_id(r[at]) for r in rows):
        raise bad
    ids = {r[at] for r in rows}
    if len(ids) != len(rows) or len(set(deleted)) != len(deleted) or ids & set(deleted):
        raise checks.BundleInvalid("data/%s.json 有重复的 id。data/%s.json repeats an id." % (table, table))
    if listed_rows is not None and listed_rows != len(rows):
        raise checks.BundleInvalid("data/%s.json 的行数与清单不符。data/%s.json: row count differs from the manifest."
                                   % (table, table))
    return names, rows, deleted


def _report(body):
    """Check report/daily.json; return (columns [(key, header, kind)], rows)."""
    bad = checks.BundleInvalid("report/daily.json 格式不对。report/daily.json is malformed.")
    if not isinstance(body, dict) or not all(isinstance(body.get(k), list) for k in ("columns", "rows")):
        raise bad
    columns = []
    for column in body["columns"]:
        if not isinstance(column, dict) or not all(isinstance(column.get(k), str) for k in ("key", "header", "kind")):
            raise bad
        columns.append((column["key"], column["header"], column["kind"]))
    seen = set()
    for row in body["rows"]:
        if not isinstance(row, dict) or not isinstance(row.get("figures"), dict) or \
                not (row.get("advisor_id") is None or _is_id(row.get("advisor_id"))):
            raise bad
        seen.add((_day(row.get("day"), "report/daily.json day"), row["advisor_id"] or TOTAL_ID))
    if len(seen) != len(body["rows"]) or len({key for key, _, _ in columns}) != len(columns):
        raise bad
    return columns, body["rows"]


# --- writing -----------------------------------------------------------------------------------------------------

def _chunks(items):
    items = iter(items)
    while part := list(itertools.islice(items, BATCH)):
        yield part


def _upsert(model, rows, fields, conflict, update, version=None):
    """Insert `rows` (tuples in `fields` order) BATCH at a time; on a key already there, replace only when the new
    `version` (field, default model.version) is strictly newer. Returns how many rows were inserted or replaced."""
    version = version or model.version
    changed = 0
    for part in _chunks(rows):
        query = model.insert_many(part, fields=fields).on_conflict(
            conflict_target=conflict, update=update,
            where=(getattr(pw.EXCLUDED, version.column_name) > version))
        changed += query.as_rowcount().execute()
    return changed


def _records(code, table, names, rows, version):
    at = names.index("id")
    return ((code, table, row[at], version, False, json.dumps(dict(zip(names, row)), ensure_ascii=False))
            for row in rows)


def _write_tables(path, verified, code, version):
    """Every data/<table>.json of the bundle into hq_record; returns (rows, deleted, applied)."""
    fields = [HqRecord.campus_code, HqRecord.tbl, HqRecord.record_id, HqRecord.version, HqRecord.deleted,
              HqRecord.data]
    conflict = [HqRecord.campus_code, HqRecord.tbl, HqRecord.record_id]
    total = deleted_total = applied = 0
    for member in sorted(verified.files):
        match = DATA_MEMBER.match(member)
        if not match:
            continue
        table = match.group(1)
        body = checks.read_json(path, verified, member)
        names, rows, deleted = _table(body, table, verified.files[member].get("rows"))
        applied += _upsert(HqRecord, _records(code, table, names, rows, version), fields, conflict,
                           {HqRecord.data: pw.EXCLUDED.data, HqRecord.deleted: pw.EXCLUDED.deleted,
                            HqRecord.version: pw.EXCLUDED.version})
        # A deletion keeps the last known values; a record never seen gets a tombstone, so an older bundle that
        # still carries the record cannot bring it back.
        tombstones = ((code, table, record_id, version, True, "{}") for record_id in deleted)
        applied += _upsert(HqRecord, tombstones, fields, conflict,
                           {HqRecord.deleted: pw.EXCLUDED.deleted, HqRecord.version: pw.EXCLUDED.version})
        total += len(rows)
        deleted_total += len(deleted)
    if verified.manifest.get("full") is True:
        # A bundle of every record is the campus's whole truth (e.g. after it restored a backup): what head office
        # holds from older bundles and this one lacks is gone there. Rows a newer bundle brought stay.
        tables = [table for table in verified.manifest.get("tables") or {} if isinstance(table, str)]
        if tables:
            applied += (HqRecord.update(deleted=True, version=version)
                        .where(HqRecord.campus_code == code, HqRecord.tbl.in_(tables), HqRecord.version < version,
                               HqRecord.deleted == False)  # noqa: E712
                        .execute())
    return total, deleted_total, applied


def _write_report(path, verified, code, version):
    """report/daily.json into hq_day and hq_report_column; returns the number of rows in it."""
    if REPORT_MEMBER not in verified.files:
        return 0
    columns, rows = _report(checks.read_json(path, verified, REPORT_MEMBER))
    _upsert(HqReportColumn, [(key, header, kind, at, version) for at, (key, header, kind) in enumerate(columns)],
            [HqReportColumn.key, HqReportColumn.header, HqReportColumn.kind, HqReportColumn.position,
             HqReportColumn.version], [HqReportColumn.key],
            {HqReportColumn.header: pw.EXCLUDED.header, HqReportColumn.kind: pw.EXCLUDED.kind,
             HqReportColumn.position: pw.EXCLUDED.position, HqReportColumn.version: pw.EXCLUDED.version})
    days = ((code, date.fromisoformat(row["day"]), row["advisor_id"] or TOTAL_ID, str(row.get("advisor") or ""),
             json.dumps(row["figures"], ensure_ascii=False), version) for row in rows)
    _upsert(HqDay, days, [HqDay.campus_code, HqDay.day, HqDay.advisor_id, HqDay.advisor_name, HqDay.figures,
                          HqDay.version], [HqDay.campus_code, HqDay.day, HqDay.advisor_id],
            {HqDay.advisor_name: pw.EXCLUDED.advisor_name, HqDay.figures: pw.EXCLUDED.figures,
             HqDay.version: pw.EXCLUDED.version})
    # A newer report of a day is the whole day: advisor rows an older bundle left and this one lacks go.
    for part in _chunks(sorted({row["day"] for row in rows})):
        HqDay.delete().where(HqDay.campus_code == code, HqDay.day.in_([date.fromisoformat(d) for d in part]),
                             HqDay.version < version).execute()
    return len(rows)


def _write_bundle(database, path, verified):
    """The whole bundle in one transaction; returns its Result (ALREADY when another ingest got there first)."""
    code, name, kind, first, last, version = _facts(verified.manifest)
    result = Result(str(path), INGESTED, campus=code, kind=kind, period=(first, last))
    try:
        with _transaction(database):
            bundle = HqBundle.create(campus_code=code, name=os.path.basename(str(path))[:255], sha256=verified.sha256,
                                     kind=kind[:20], period_from=first, period_to=last, snapshot_at=version, rows=0,
                                     ingested_at=_now_text())
            _upsert(HqCampus, [(code, name, version)], [HqCampus.code, HqCampus.name, HqCampus.last_snapshot_at],
                    [HqCampus.code], {HqCampus.name: pw.EXCLUDED.name,
                                      HqCampus.last_snapshot_at: pw.EXCLUDED.last_snapshot_at},
                    version=HqCampus.last_snapshot_at)
            result.rows, result.deleted, result.applied = _write_tables(path, verified, code, version)
            result.days = _write_report(path, verified, code, version)
            HqBundle.update(rows=result.rows).where(HqBundle.id == bundle.id).execute()
    except pw.IntegrityError:
        if HqBundle.get_or_none(HqBundle.sha256 == verified.sha256) is None:
            raise
        return Result(str(path), ALREADY, campus=code, kind=kind, period=(first, last))
    return result


def ingest_one(database, path):
    """Verify and ingest one bundle into the open head-office database; a refusal writes nothing."""
    try:
        verified = checks.verify(path)
    except checks.BundleInvalid as exc:
        return Result(str(path), REFUSED, message=str(exc))
    if HqBundle.select().where(HqBundle.sha256 == verified.sha256).exists():
        return Result(str(path), ALREADY, campus=verified.manifest["campus"]["code"])
    try:
        return _write_bundle(database, path, verified)
    except checks.BundleInvalid as exc:  # found while writing: the transaction was rolled back
        return Result(str(path), REFUSED, message=str(exc))
    except (pw.DataError, ValueError, OverflowError, RecursionError) as exc:  # e.g. a NUL PostgreSQL cannot store
        return Result(str(path), REFUSED, message="数据无法写入总部数据库：%s。The data cannot be stored: %s"
                                                  % (_first_line(exc), _first_line(exc)))


def ingest(paths, db_url, on_result=None):
    """Merge bundles (in the order given) into the head-office database at `db_url`; returns a Result per bundle.
    `on_result(result)` is called as each one is done (the command line prints as it goes)."""
    results = []
    with open_hq(db_url) as database:
        for path in paths:
            result = ingest_one(database, path)
            results.append(result)
            if on_result is not None:
                on_result(result)
    return results
