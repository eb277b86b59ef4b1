"""The migration gate run at start-up: back up, refuse a newer database, apply what is pending."""

import hashlib
import importlib
import inspect
import logging
from pathlib import Path

import peewee
from playhouse.migrate import SchemaMigrator

from xgapp import backup
from xgapp import clock
from xgapp.migrations import MIGRATIONS

log = logging.getLogger(__name__)

TABLE = "schema_migrations"


class SchemaTooNew(Exception):
    """The database was written by a newer xgapp than this one."""

    def __init__(self, found, known):
        self.found, self.known = found, known
        super().__init__(
            "数据库版本 %d 比本程序支持的版本 %d 新：请使用更新版本的 xgapp 打开这份数据。\n"
            "The database has schema version %d but this xgapp knows only up to %d: "
            "run a newer xgapp on this data." % (found, known, found, known))


def code_version():
    """The newest schema version this code knows."""
    return len(MIGRATIONS)


def _module(number):
    return importlib.import_module("xgapp.migrations.%s" % MIGRATIONS[number - 1])


def checksum(number):
    """SHA-256 of a migration's source, or None where the source is not shipped (frozen build)."""
    try:
        source = inspect.getsource(_module(number))
    except (OSError, TypeError):
        return None
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def _ensure_table(db):
    db.execute_sql(
        "CREATE TABLE IF NOT EXISTS %s (version INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, "
        "checksum VARCHAR(64), applied_at VARCHAR(40) NOT NULL)" % TABLE)


def applied(db):
    """Return {version: (name, checksum)} of the migrations recorded in the database."""
    if TABLE not in db.get_tables():
        return {}
    rows = db.execute_sql("SELECT version, name, checksum FROM %s" % TABLE).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def db_version(db):
    """Schema version of the database (0 for an empty one)."""
    return max(applied(db), default=0)


def upgrade(db, backup_dir=None, target=None):
    """Apply pending migrations up to `target`; back up first when the database already holds data.

    Returns the backup path (or None) and the list of versions applied.
    """
    known = code_version()
    target = known if target is None else target
    current = db_version(db)
    if current > known:
        raise SchemaTooNew(current, known)
    pending = list(range(current + 1, target + 1))
    if not pending:
        return None, []
    backup_path = None
    if backup_dir is not None and isinstance(db, peewee.SqliteDatabase) and db.get_tables():
        backup_path = backup.backup_into_folder(db.database, backup_dir, "pre-migrate-v%d" % current)
        log.info("backed up the database to %s before migrating", backup_path)
    _ensure_table(db)
    migrator = SchemaMigrator.from_database(db)
    for number in pending:
        with db.atomic():
            _module(number).up(db, migrator)
            db.execute_sql(
                "INSERT INTO %s (version, name, checksum, applied_at) VALUES (%s)"
                % (TABLE, ", ".join([db.param] * 4)),
                (number, MIGRATIONS[number - 1], checksum(number), clock.now().isoformat()))
        log.info("applied migration %d %s", number, MIGRATIONS[number - 1])
    return backup_path, pending


def edited_migrations(db):
    """Versions whose source no longer matches what was applied (a shipped migration was edited)."""
    return sorted(v for v, (_, recorded) in applied(db).items()
                  if recorded and v <= code_version() and checksum(v) not in (None, recorded))


def database_file(db):
    """Path of an SQLite database file, or None."""
    if isinstance(db, peewee.SqliteDatabase) and db.database not in (":memory:", ""):
        return Path(db.database)
    return None
