"""The data folder is this user's alone: folder 0700, database (with WAL and SHM), backups, bundles, logs 0600."""

import os
import stat

import pytest

from xgapp.app import create_app
from xgapp import db as xdb

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes; Windows relies on the per-user folder's ACL")


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_folder_and_everything_in_it_is_private(tmp_path):
    from xgapp import backup

    old = os.umask(0o022)  # what a double-clicked program usually inherits
    try:
        app = create_app({"DATA_DIR": str(tmp_path / "data"), "TESTING": True})
        xdb.ensure_connection()
        xdb.database.execute_sql("CREATE TABLE scratch (x)")  # a write: the WAL and SHM files exist now
        paths = app.config["XGAPP_PATHS"]
        made = backup.backup_into_folder(paths.database, paths.backups, "manual")
        log = paths.logs / "xgapp.log"
        log.write_text("x", encoding="utf-8")
        for folder in (paths.root, paths.backups, paths.exports, paths.logs):
            assert _mode(folder) == 0o700, folder
        for name in ("xgapp.sqlite3", "xgapp.sqlite3-wal", "xgapp.sqlite3-shm", "secret_key"):
            assert _mode(paths.root / name) == 0o600, name
        assert _mode(made) == 0o600 and _mode(log) == 0o600
    finally:
        xdb.database.close()
        os.umask(old)


def test_an_existing_data_folder_left_readable_is_tightened_at_start(tmp_path):
    old = os.umask(0o022)
    try:
        root = tmp_path / "data"
        (root / "backups").mkdir(parents=True)
        (root / "backups" / "xgapp-daily-2026-11-30.sqlite3").write_bytes(b"")
        (root / "xgapp.toml").write_text("port = 8081\n", encoding="utf-8")
        os.chmod(root, 0o755)
        app = create_app({"DATA_DIR": str(root), "TESTING": True})
        assert _mode(root) == 0o700 and _mode(root / "backups") == 0o700
        assert _mode(root / "backups" / "xgapp-daily-2026-11-30.sqlite3") == 0o600
        assert _mode(root / "xgapp.toml") == 0o600 and _mode(app.config["XGAPP_PATHS"].database) == 0o600
    finally:
        xdb.database.close()
        os.umask(old)
