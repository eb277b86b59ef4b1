"""The bundle: one zip with a period's new and changed records (CSV for Excel, JSON for machines), the 日报 numbers
and PDFs, and `manifest.json` listing every other file with its row count and SHA-256.

Layout (format 1):
    manifest.json
    data/<table>.csv      UTF-8 with BOM; campus-local times; money in yuan; true/false as 1/0
    data/<table>.json     {"table", "columns", "rows": [[...]], "deleted": [ids]}; times ISO-8601 with offset
    data/_columns.csv     every table and column with its Chinese name (表, 表名, 列, 列名) and what its codes mean
    report/daily.csv      the 日报 figures: one row per day and advisor plus the campus total (Chinese headers); a
                          nightly bundle counts the week before its day again (late entries)
    report/daily.json     the same for machines
    report/daily-<day>.pdf  the campus 日报 followed by each advisor's 日报 of that day (up to 31 days)

A nightly bundle carries the rows touched between two positions of the change log (`tracking`), as they stand when
the bundle is made (`snapshot_at`); the first one carries every row. The zip is written to a hidden `.part` file and
renamed to its final name only when complete, inside the database transaction that records it, so a bundle under
its final name is always whole and a day never has two.
"""

import csv
import errno
import hashlib
import io
import json
import os
import re
import tempfile
import threading
import time
import zipfile
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from peewee import fn

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

from xgapp import __version__, audit, clock, db, migrate, sheets
from xgapp import campus as campus_module
from xgapp.export import columns as columns_module
from xgapp.export import tracking
from xgapp.export.models import ExportBundle, Outbox

FORMAT = "xgapp-bundle"
FORMAT_VERSION = 1
CHUNK = 500  # ids per IN (...) query
PDF_DAYS_MAX = 31  # a longer period carries the 日报 figures of every day but no PDFs
RECOUNT_DAYS = 7  # a nightly bundle also recounts the 日报 of the week before its day
FULL_NEXT = ".full-next"  # marker file in exports/: the next nightly bundle carries every record
_build_lock = threading.Lock()


class ExportError(Exception):
    """A bundle could not be written (the message is shown to the user as is)."""


def exported_models():
    """Every model whose table goes to head office, by table name."""
    found, stack = {}, list(db.BaseModel.__subclasses__())
    while stack:
        model = stack.pop()
        stack.extend(model.__subclasses__())
        table = model._meta.table_name
        if table not in tracking.NOT_EXPORTED:
            found.setdefault(table, model)
    return dict(sorted(found.items()))


def columns(model):
    """[(column name, field)] of an exported table (the user table without secrets and login counters)."""
    hidden = tracking.USER_PRIVATE if model._meta.table_name == "user" else ()
    return [(field.column_name, field) for field in model._meta.sorted_fields if field.name not in hidden]


def utc_text(instant):
    """An instant in the change log's text form (UTC, milliseconds, Z)."""
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _json_cell(value, zone):
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value




def _csv_cell(value, zone):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(sheets.FORMULA_START):
        return "'" + value  # Excel would run "=HYPERLINK(…)" typed into a note: shown as text instead
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return value


def position(before=None, after=0):
    """The newest change-log position (of a change made before the instant `before`), or `after` if none."""
    sql = "SELECT MAX(seq) FROM change_log WHERE seq > ?"
    params = [after]
    if before is not None:
        sql += " AND at < ?"
        params.append(utc_text(before))
    (found,) = db.database.execute_sql(sql, params).fetchone()
    return after if found is None else found


def _touched(where, params):
    cursor = db.database.execute_sql("SELECT tbl, row_id FROM change_log WHERE %s GROUP BY tbl, row_id" % where,
                                     params)
    found = {}
    for table, row_id in cursor:
        found.setdefault(table, set()).add(row_id)
    return found


def touched_between(after, through):
    """{table: set of row ids} changed at positions (after, through]."""
    return _touched("seq > ? AND seq <= ?", (after, through))


def touched_during(start, end):
    """{table: set of row ids} changed at campus instants [start, end)."""
    return _touched("at >= ? AND at < ?", (utc_text(start), utc_text(end)))


def _table_rows(model, ids):
    """The rows of `model` (all when `ids` is None) as tuples in `columns(model)` order, by id."""
    fields = [field for _, field in columns(model)]
    if ids is None:
        query = model.select(*fields).order_by(model._meta.primary_key)
        yield from query.tuples().iterator()
        return
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        part = ordered[start:start + CHUNK]
        query = model.select(*fields).where(model._meta.primary_key.in_(part)).order_by(model._meta.primary_key)
        yield from query.tuples()


class _Writer:
    """Members streamed into the zip, each hashed and counted for the manifest."""

    def __init__(self, archive):
        self.archive = archive
        self.files = []

    def entry(self, name):
        """A member header stamped with the campus-local time of writing (not zip's default 1980)."""
        info = zipfile.ZipInfo(name, date_time=clock.local_now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    def add_bytes(self, name, data, rows=None):
        self.archive.writestr(self.entry(name), data)
        self.files.append({"name": name, "rows": rows, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})

    def add_stream(self, name, source, rows):
        """Copy a binary file object into member `name`."""
        digest, size = hashlib.sha256(), 0
        with self.archive.open(self.entry(name), "w", force_zip64=True) as target:
            while block := source.read(1 << 20):
                digest.update(block)
                size += len(block)
                target.write(block)
        self.files.append({"name": name, "rows": rows, "bytes": size, "sha256": digest.hexdigest()})


class _Hashing(io.RawIOBase):
    """A write-only stream that hashes and counts what passes through to `target`."""

    def __init__(self, target):
        self.target, self.digest, self.size = target, hashlib.sha256(), 0

    def writable(self):
        return True

    def write(self, data):
        self.digest.update(data)
        self.size += len(data)
        self.target.write(data)
        return len(data)


def _write_table(writer, table, model, ids):
    """data/<table>.csv and data/<table>.json from one pass over the rows (all of them when `ids` is None; else
    those ids, the ones gone listed as deleted); returns (rows, deleted)."""
    names = [name for name, _ in columns(model)]
    id_at = names.index(model._meta.primary_key.column_name)
    rows, seen = 0, set()
    zone = clock.zone()  # once, not per cell: a million rows have millions of instants
    csv_name, json_name = "data/%s.csv" % table, "data/%s.json" % table
    with tempfile.SpooledTemporaryFile(max_size=16 << 20) as spool:
        with writer.archive.open(writer.entry(csv_name), "w", force_zip64=True) as member:
            hashing = _Hashing(member)
            text = io.TextIOWrapper(hashing, encoding="utf-8-sig", newline="")
            out = csv.writer(text)
            out.writerow(names)
            head = {"table": table, "columns": names}
            spool.write(json.dumps(head, ensure_ascii=False)[:-1].encode("utf-8") + b', "rows": [')
            for values in _table_rows(model, ids):
                seen.add(values[id_at])
                out.writerow([_csv_cell(v, zone) for v in values])
                spool.write((b",\n" if rows else b"\n")
                            + json.dumps([_json_cell(v, zone) for v in values], ensure_ascii=False).encode("utf-8"))
                rows += 1
            deleted = sorted(set(ids) - seen) if ids is not None else []
            spool.write(('], "deleted": %s}\n' % json.dumps(deleted)).encode("utf-8"))
            text.flush()
            text.detach()
        writer.files.append({"name": csv_name, "rows": rows, "bytes": hashing.size,
                             "sha256": hashing.digest.hexdigest()})
        spool.seek(0)
        writer.add_stream(json_name, spool, rows)
    return rows, len(deleted)


def _column_names(writer):
    """data/_columns.csv: every exported table and column with its Chinese name (the tables' own header rows keep
    the column names that machines and earlier bundles read)."""
    text = io.StringIO()
    csv.writer(text).writerows(columns_module.rows(exported_models(), columns))
    lines = text.getvalue().encode("utf-8-sig")
    writer.add_bytes("data/_columns.csv", lines, rows=lines.count(b"\n") - 1)


def _days(first, last):
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _reports(writer, first, last, counted_from=None):
    """The 日报 figures of every day from `counted_from` (default `first`) to `last`, and the campus's and each
    advisor's 日报 of every day of the period as one PDF a day. A nightly bundle counts the week before its day
    again: what was entered late or dated back reaches head office's 日报 too (the newer bundle wins there)."""
    from xgapp import printing  # WeasyPrint is heavy: loaded when a bundle is made, not with every command
    from xgapp.numbers import daily, report
    from xgapp.prints import render  # the printed forms stand above the bundle: prints.catalog reads the ledgers
    from xgapp.prints.catalog import FORMS

    headers = ["日期", "学管师编号", "学管师"] + [header for _, header, _, _ in report.COLUMNS]
    keys = [key for key, _, _, _ in report.COLUMNS]
    lines, records = [], []
    zone = clock.zone()
    days = _days(first, last)
    for day in _days(counted_from or first, last):
        campus = daily.campus_day(day)
        for advisor, figures in campus["by_advisor"] + [(None, campus)]:
            values = report.row(figures)
            lines.append([day.isoformat(), advisor.id if advisor else "", advisor.display_name if advisor else "校区合计"]
                         + [_json_cell(v, zone) for v in values])
            records.append({"day": day.isoformat(), "advisor_id": advisor.id if advisor else None,
                            "advisor": advisor.display_name if advisor else None,
                            "figures": {k: _json_cell(v, zone) for k, v in zip(keys, values)}})
        if day >= first and len(days) <= PDF_DAYS_MAX:  # one file per day: the fonts are embedded once, not once per form
            forms = [render.filled(FORMS["campus-daily"], day.isoformat(), None, "xgapp")]
            forms += [render.filled(FORMS["daily-report"], "%d/%s" % (advisor.id, day.isoformat()), None, "xgapp")
                      for advisor, _ in campus["by_advisor"]]
            writer.add_bytes("report/daily-%s.pdf" % day.isoformat(), printing.write(forms))
    text = io.StringIO()
    out = csv.writer(text)
    out.writerow(headers)
    out.writerows(lines)
    writer.add_bytes("report/daily.csv", text.getvalue().encode("utf-8-sig"), rows=len(lines))
    body = {"columns": [{"key": k, "header": h, "kind": kind} for k, h, kind, _ in report.COLUMNS], "rows": records}
    writer.add_bytes("report/daily.json", json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"),
                     rows=len(records))


def _fsync_folder(folder):
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder; NTFS renames are journalled
        return
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _safe_code(code):
    return re.sub(r"[^A-Za-z0-9_-]", "_", code) or "campus"


def _write_zip(partial, *, kind, first, last, touched, full, after_seq, through_seq, snapshot_at, counted_from):
    """Write the whole bundle to `partial`; return (rows, manifest)."""
    campus = campus_module.current()
    total = 0
    tables = {}
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        writer = _Writer(archive)
        for table, model in exported_models().items():
            ids = None if full else touched.get(table)
            if not full and not ids:
                continue
            rows, deleted = _write_table(writer, table, model, ids)
            tables[table] = {"rows": rows, "deleted": deleted}
            total += rows
        _reports(writer, first, last, counted_from)
        _column_names(writer)
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "campus": {"code": campus.code, "name": campus.name},
            "kind": kind, "full": full,
            "period": {"from": first.isoformat(), "to": last.isoformat()},
            "changes": {"after": after_seq, "through": through_seq},
            "app_version": __version__, "schema_version": migrate.code_version(),
            "timezone": str(clock.zone()),
            "created_at": clock.now().isoformat(), "snapshot_at": snapshot_at.isoformat(),
            "tables": tables, "pdfs": len(_days(first, last)) <= PDF_DAYS_MAX,
            "report_period": {"from": (counted_from or first).isoformat(), "to": last.isoformat()},
            "files": writer.files,
        }
        archive.writestr(writer.entry("manifest.json"), json.dumps(manifest, ensure_ascii=False, indent=1))
    return total, manifest


def _disk_message(exc):
    if getattr(exc, "errno", None) == errno.ENOSPC:
        return "磁盘空间不足，导出包没有写成（发件箱和已有导出包都未受影响）。请清理磁盘后重试。" \
               "The disk is full: the bundle was not written (the outbox and earlier bundles are intact)."
    return "导出包写入失败：%s。The bundle could not be written: %s" % (exc, exc)


def file_sha256(path):
    """The SHA-256 of a file, read in blocks (bundles may be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def write_bundle(folder, name, *, kind, first, last, touched=None, full=False, after_seq=0, through_seq=0,
                 register=None, counted_from=None):
    """Write bundle `name` into `folder` through a `.part` file of its own (two processes building the same day
    never share one). `register(info)` (optional) runs inside one write transaction right before the rename: if it
    raises, the bundle is not put in place."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / name
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".%s." % name, suffix=".part")
    out = os.fdopen(handle, "w+b")
    _hold(out)  # a sweep (of any process) leaves a .part alone while its build holds it
    partial = Path(temp)
    snapshot_at = clock.now()
    try:
        with db.database.atomic():  # one read snapshot: every table as of the same instant
            rows, manifest = _write_zip(out, kind=kind, first=first, last=last, touched=touched or {},
                                        full=full, after_seq=after_seq, through_seq=through_seq,
                                        snapshot_at=snapshot_at, counted_from=counted_from)
        out.flush()
        os.fsync(out.fileno())
        info = {"name": name, "path": final, "rows": rows, "size": os.fstat(out.fileno()).st_size,
                "sha256": file_sha256(partial), "snapshot_at": snapshot_at, "manifest": manifest}
        if os.name == "nt":
            out.close()  # Windows renames no open file
        if register is None:
            os.replace(partial, final)
        else:
            with db.write():
                register(info)
                os.replace(partial, final)
        _fsync_folder(folder)
        return info
    except OSError as exc:
        raise ExportError(_disk_message(exc)) from exc
    finally:
        out.close()
        if partial.exists():
            partial.unlink()


def _hold(fh):
    """Mark an open .part as being built: an exclusive lock on POSIX (on Windows an open file cannot be deleted)."""
    if fcntl is not None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _held(path):
    """True while a build (of this process or another) still holds the .part at `path`."""
    if fcntl is None:
        return False  # Windows: unlinking it fails while it is open, which keeps it
    try:
        with open(path, "rb") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    except OSError:
        return True  # cannot tell: keep it
    return False


def sweep_partials(folder, older_than=timedelta(seconds=10)):
    """Delete the `.part` files that no running build holds (a build killed with kill -9 or a power cut left them).

    A build holds its .part from the moment it is created, so a dead one is known at once, in any process; only a
    file younger than `older_than` is left, for the instant between its creation and its lock.
    """
    cutoff = time.time() - older_than.total_seconds()  # file times: the wall clock, never a fixed one
    for stale in Path(folder).glob(".*.part"):
        try:
            if stale.stat().st_mtime < cutoff and not _held(stale):
                stale.unlink()
        except OSError:
            pass  # Windows: still open in a build


# --- nightly bundles -------------------------------------------------------------------------------------------

def nightly_name(code, day):
    return "xgapp-%s-%s.zip" % (_safe_code(code), day.isoformat())


def due_days(now, at_time):
    """The campus days whose nightly bundle should exist by `now` (campus-local aware) but does not: every day after
    the last bundle up to the last closed day. A new install starts with the last closed day. Bundles dated after
    today (the PC's clock was once ahead) do not hold the calendar back."""
    closing = now.date() if now.timetz().replace(tzinfo=None) >= at_time else now.date() - timedelta(days=1)
    nightly = ExportBundle.select(fn.MAX(ExportBundle.day)).where(ExportBundle.kind == "nightly")
    last = nightly.where(ExportBundle.day <= closing).scalar()
    if last is None:
        return [closing]
    return _days(last + timedelta(days=1), closing)


def chain_end():
    """The nightly bundle the next one continues from: the one that reached furthest in the change log."""
    return (ExportBundle.select().where(ExportBundle.kind == "nightly")
            .order_by(ExportBundle.through_seq.desc(), ExportBundle.id.desc()).first())


def mark_full_next(folder, why):
    """Make the next nightly bundle carry every record (after a restore, head office's copy must be redone)."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    (Path(folder) / FULL_NEXT).write_text(why, encoding="utf-8")


class _Taken(Exception):
    """Another process registered the bundle of this day first."""


def make_nightly(day, folder, by=None, on_made=None):
    """Build the nightly bundle of `day` (the next one in the chain); return its ExportBundle (the existing one if
    it was already made, here or by another process). `on_made(bundle)` runs in the registering transaction (the
    outbox hooks in here)."""
    with _build_lock:
        existing = ExportBundle.get_or_none(ExportBundle.kind == "nightly", ExportBundle.day == day)
        if existing is not None:
            return existing
        previous = chain_end()
        marker = Path(folder) / FULL_NEXT
        after = previous.through_seq if previous is not None else 0
        full = previous is None or marker.exists()
        through = position(before=clock.day_bounds(day)[1], after=after)
        touched = None if full else touched_between(after, through)
        made = {}

        def register(info):
            if ExportBundle.get_or_none(ExportBundle.kind == "nightly", ExportBundle.day == day) is not None:
                raise _Taken()
            bundle = ExportBundle.create(
                name=info["name"], kind="nightly", day=day, date_from=day, date_to=day, full=full, after_seq=after,
                through_seq=through, snapshot_at=info["snapshot_at"], rows=info["rows"], size=info["size"],
                sha256=info["sha256"])
            audit.record(by, "create", "export_bundle", bundle.id, after=audit.snapshot(bundle),
                         summary="导出包 %s（%d 行）" % (bundle.name, bundle.rows),
                         actor_name=None if by is not None else "scheduler")
            if on_made is not None:
                on_made(bundle)
            made["bundle"] = bundle

        try:
            write_bundle(folder, nightly_name(campus_module.current().code, day), kind="nightly", first=day,
                         last=day, touched=touched, full=full, after_seq=after, through_seq=through,
                         register=register, counted_from=day - timedelta(days=RECOUNT_DAYS))
        except _Taken:
            return ExportBundle.get(ExportBundle.kind == "nightly", ExportBundle.day == day)
        if full and marker.exists():
            marker.unlink()
        return made["bundle"]


def missing_files(folder):
    """Nightly bundles whose zip is gone from `folder` while a delivery still waits for it."""
    waiting = (ExportBundle.select().join(Outbox).where(ExportBundle.kind == "nightly",
                                                      Outbox.status.in_(["pending", "failed"])).distinct())
    return [bundle for bundle in waiting if not (Path(folder) / bundle.name).is_file()]


def rebuild(bundle, folder, by=None):
    """Write a lost bundle again under its name: the same change-log range, its rows as they stand now; its
    deliveries wait again. A later bundle may carry some of these rows too: head office keeps the newest."""
    with _build_lock:
        touched = None if bundle.full else touched_between(bundle.after_seq, bundle.through_seq)

        def register(info):
            row = ExportBundle.get_by_id(bundle.id)
            before = audit.snapshot(row)
            row.snapshot_at, row.rows, row.size, row.sha256 = (info["snapshot_at"], info["rows"], info["size"],
                                                               info["sha256"])
            row.save()
            audit.record(by, "update", "export_bundle", row.id, before=before, after=audit.snapshot(row),
                         summary="重新生成丢失的导出包 %s" % row.name,
                         actor_name=None if by is not None else "scheduler")
            Outbox.update(status="pending", next_at=clock.now()).where(
                Outbox.bundle == row, Outbox.status == "failed").execute()

        write_bundle(folder, bundle.name, kind="nightly", first=bundle.day, last=bundle.day, touched=touched,
                     full=bundle.full, after_seq=bundle.after_seq, through_seq=bundle.through_seq, register=register,
                     counted_from=bundle.day - timedelta(days=RECOUNT_DAYS))
        return ExportBundle.get_by_id(bundle.id)


def make_range(first, last, folder, full=False):
    """An on-demand bundle of the rows changed in [first, last] (or of every row), not part of the nightly chain
    and not registered: written to `folder`, returned as the write_bundle info."""
    touched = None if full else touched_during(*clock.days_bounds(first, last))
    stamp = clock.stamp("%Y%m%d%H%M%S")
    name = "xgapp-%s-%s_%s-%s%s.zip" % (_safe_code(campus_module.current().code), first.isoformat(),
                                       last.isoformat(), "full-" if full else "", stamp)
    return write_bundle(folder, name, kind="range", first=first, last=last, touched=touched, full=full,
                        through_seq=position())
