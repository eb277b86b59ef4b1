"""Where things are: read-only resources beside the code, writable state in the data folder."""

import os
import stat
import sys
from pathlib import Path

import platformdirs

APP_NAME = "xgapp"


def resource_dir() -> Path:
    """Folder holding templates/ and static/ (source tree, installed wheel or PyInstaller bundle)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    package = Path(__file__).resolve().parent
    if (package / "templates").is_dir():
        return package
    return package.parent


def default_data_dir() -> Path:
    """The per-user app-data folder, or a data/ folder beside a frozen executable (portable mode)."""
    if getattr(sys, "frozen", False):
        portable = Path(sys.executable).resolve().parent / "data"
        if portable.is_dir():
            return portable
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def data_dir(explicit=None) -> Path:
    """Resolve the data folder: explicit argument, then XGAPP_DATA, then the default."""
    chosen = explicit or os.environ.get("XGAPP_DATA")
    path = Path(chosen).expanduser() if chosen else default_data_dir()
    path = path.resolve()
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle and Path(bundle).resolve() in (path, *path.parents):
        raise SystemExit("The data folder must not be inside the executable's unpack folder: %s" % path)
    return path


class DataPaths:
    """The layout of one data folder."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.database = self.root / "xgapp.sqlite3"
        self.config_file = self.root / "xgapp.toml"
        self.secret_key = self.root / "secret_key"
        self.backups = self.root / "backups"
        self.exports = self.root / "exports"
        self.logs = self.root / "logs"
        self.jobs_state = self.root / "jobs-state.json"  # what the job worker last did (xgapp/scheduler.py)

    def ensure(self):
        """Create the folder tree (idempotent), readable by this user only (see `private`)."""
        private()
        for folder in (self.root, self.backups, self.exports, self.logs):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.tighten()
        return self

    def tighten(self):
        """Folders 0700 and files 0600 for what an older xgapp left readable by every local account (POSIX)."""
        if os.name != "posix":
            return  # Windows: the per-user %LOCALAPPDATA% folder's ACL keeps other accounts out
        for folder in (self.root, self.backups, self.exports, self.logs):
            for path in [folder, *folder.iterdir()] if folder == self.root else [folder, *folder.rglob("*")]:
                _restrict(path)


def _restrict(path):
    try:
        mode = path.lstat().st_mode
    except OSError:
        return
    if stat.S_ISLNK(mode):
        return  # never follow a link out of the data folder
    wanted = 0o700 if stat.S_ISDIR(mode) else 0o600
    if stat.S_IMODE(mode) & 0o077:
        try:
            os.chmod(path, stat.S_IMODE(mode) & wanted)
        except OSError:
            pass


def private():
    """From now on this process creates files 0600 and folders 0700 (the database, its WAL and SHM, backups,
    bundles, logs): the campus's password hashes, mobiles and payments are not for other accounts on the PC."""
    if os.name == "posix":
        os.umask(0o077)


def package_dir() -> Path:
    """The xgapp package folder (translations live here)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "xgapp"
    return Path(__file__).resolve().parent
