"""Backups through SQLite's backup API (never a file copy of a live database), verified after writing.

This is the snapshot half, on the ground floor: `migrate` backs up here before a migration, so nothing here imports
`migrate`, `db` or the export. Putting a backup back is `backup.restore`.
"""

import sqlite3
from pathlib import Path

from xgapp import clock


class InvalidBackup(Exception):
    """A file that is not a usable xgapp database."""


class BackupTooNew(InvalidBackup):
    """A healthy xgapp database written by a newer xgapp than this one."""


def stamp():
    """Now on the campus clock, to the microsecond, for a backup's file name."""
    return clock.stamp("%Y%m%d-%H%M%S-%f")


def integrity(path):
    """Run PRAGMA integrity_check on a database file; return the list of problems (empty = ok)."""
    conn = sqlite3.connect("file:%s?mode=ro" % Path(path).as_posix(), uri=True)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    problems = [r[0] for r in rows]
    return [] if problems == ["ok"] else problems


def backup_database(source, dest):
    """Copy the live database `source` to `dest` with the backup API and verify the copy."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    src = sqlite3.connect(str(source))
    try:
        out = sqlite3.connect(str(tmp))
        try:
            src.backup(out)
            # A backup is one self-contained file: no -wal/-shm beside it.
            out.execute("PRAGMA journal_mode=DELETE")
        finally:
            out.close()
    finally:
        src.close()
    problems = integrity(tmp)
    if problems:
        tmp.unlink(missing_ok=True)
        raise InvalidBackup("backup failed its integrity check: %s" % "; ".join(problems[:3]))
    tmp.replace(dest)
    return dest


def backup_into_folder(source, folder, reason):
    """Back up into `folder` under a name telling why and when (never over an older backup); return the path."""
    return backup_database(source, free_name(folder, reason))


def free_name(folder, reason):
    """A backup file name in `folder` telling why and when that no file has yet (a fixed clock stamps alike)."""
    base = "xgapp-%s-%s" % (reason, stamp())
    target, n = Path(folder) / (base + ".sqlite3"), 1
    while target.exists():
        n += 1
        target = Path(folder) / ("%s-%d.sqlite3" % (base, n))
    return target


def inspect_backup(path):
    """Validate a candidate restore file; return its schema version or raise InvalidBackup."""
    path = Path(path)
    if not path.is_file():
        raise InvalidBackup("not a file: %s" % path)
    with open(path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise InvalidBackup("not an SQLite database: %s" % path)
    try:
        problems = integrity(path)
    except sqlite3.DatabaseError as exc:
        raise InvalidBackup("unreadable database: %s" % exc) from exc
    if problems:
        raise InvalidBackup("database is damaged: %s" % "; ".join(problems[:3]))
    conn = sqlite3.connect("file:%s?mode=ro" % path.as_posix(), uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"schema_migrations", "user", "campus"} <= tables:
            raise InvalidBackup("not an xgapp database (tables missing): %s" % path)
        version = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] or 0
    finally:
        conn.close()
    return version


DAILY_KEEP = 30
MONTHLY_KEEP = 12
KINDS = ("daily", "monthly", "manual", "uploaded", "pre-migrate", "pre-restore")


def daily_backup(source, folder, today):
    """Make today's daily backup (and this month's monthly one) if missing, then rotate; return new paths."""
    folder = Path(folder)
    made = []
    daily = folder / ("xgapp-daily-%s.sqlite3" % today.isoformat())
    if not daily.exists():
        made.append(backup_database(source, daily))
    monthly = folder / ("xgapp-monthly-%s.sqlite3" % today.strftime("%Y-%m"))
    if not monthly.exists():
        made.append(backup_database(source, monthly))
    rotate(folder)
    return made


def rotate(folder, daily_keep=DAILY_KEEP, monthly_keep=MONTHLY_KEEP):
    """Keep the newest `daily_keep` daily and `monthly_keep` monthly backups; other kinds are never deleted."""
    for kind, keep in (("daily", daily_keep), ("monthly", monthly_keep)):
        files = sorted(Path(folder).glob("xgapp-%s-*.sqlite3" % kind), reverse=True)
        for old in files[keep:]:
            old.unlink()


def backup_kind(name):
    """The kind of a backup file from its name (daily, monthly, manual, pre-migrate, pre-restore), or None."""
    for kind in KINDS:
        if name.startswith("xgapp-%s-" % kind) and name.endswith(".sqlite3"):
            return kind
    return None


def list_backups(folder):
    """Backup files, newest first: (path, kind, size in bytes, modified timestamp)."""
    rows = []
    for path in Path(folder).glob("xgapp-*.sqlite3"):
        kind = backup_kind(path.name)
        if kind:
            stat = path.stat()
            rows.append((path, kind, stat.st_size, stat.st_mtime))
    return sorted(rows, key=lambda row: row[3], reverse=True)


def describe(path):
    """What a backup holds: schema version, campus name and code, number of accounts (for the confirmation page)."""
    conn = sqlite3.connect("file:%s?mode=ro" % Path(path).as_posix(), uri=True)
    try:
        campus = conn.execute("SELECT name, code FROM campus ORDER BY id LIMIT 1").fetchone() or ("", "")
        return {
            "schema": conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] or 0,
            "campus_name": campus[0], "campus_code": campus[1],
            "accounts": conn.execute("SELECT COUNT(*) FROM user").fetchone()[0],
        }
    finally:
        conn.close()
