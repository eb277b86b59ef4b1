"""Backups through SQLite's backup API (never a file copy of a live database), verified after writing."""

import sqlite3
from datetime import datetime
from pathlib import Path


class InvalidBackup(Exception):
    """A file that is not a usable xgapp database."""


def _stamp():
    return datetime.now().strftime("%Y%m%d-%H%M%S-%f")


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
    """Back up into `folder` under a name telling why and when; return the path."""
    return backup_database(source, Path(folder) / ("xgapp-%s-%s.sqlite3" % (reason, _stamp())))


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


def restore_database(backup_file, target):
    """Overwrite the database `target` with the content of `backup_file`, through the backup API."""
    src = sqlite3.connect("file:%s?mode=ro" % Path(backup_file).as_posix(), uri=True)
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
