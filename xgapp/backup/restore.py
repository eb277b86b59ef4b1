"""Putting a backup back: replace the live database with a backup file, then migrate it forward.

Above the snapshot half (`xgapp.backup`): a restore needs the write lock, the migrations and the export's
"send everything next time" mark, so it imports them, and nothing below imports it.
"""

import sqlite3
from pathlib import Path

from xgapp import backup, db, migrate
from xgapp.export.bundle import mark_full_next


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


def restore_live(database, backup_file, backups_folder):
    """Replace the live database with a backup: validate, save the current data, restore, migrate forward.

    Returns the path where the previous data was saved. Raises InvalidBackup (nothing changed) on a bad file.
    """
    version = backup.inspect_backup(backup_file)
    if version > migrate.code_version():
        raise backup.BackupTooNew(str(migrate.SchemaTooNew(version, migrate.code_version())))
    target = migrate.database_file(database)
    with db.write_lock():
        saved = backup.backup_into_folder(target, backups_folder, "pre-restore")
        restore_database(backup_file, target)
        migrate.upgrade(database, backup_dir=backups_folder)
    # Head office holds records this restore took back: the next nightly bundle carries every record, which head
    # office takes as the whole truth. (exports/ is the sibling of backups/ in every data folder.)
    mark_full_next(Path(backups_folder).parent / "exports", "restored from %s" % Path(backup_file).name)
    return saved
