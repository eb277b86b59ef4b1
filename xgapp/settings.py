"""Settings as a table: name, default, type and help text.

Precedence: defaults → `xgapp.toml` in the data folder → `XGAPP_<NAME>` environment → test overrides.
"""

import os
import re
import secrets
import tomllib
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    kind: type
    help: object  # a lazy translation: shown on the campus page in the user's language


SETTINGS = [
    Setting("database_url", "", str,
            _l("Database location. Empty means the SQLite file xgapp.sqlite3 in the data folder "
               "(the only thing a campus needs); a postgresql:// URL is accepted for head office.")),
    Setting("host", "0.0.0.0", str, _l("Interface `xgapp serve` binds to; 0.0.0.0 serves the whole LAN.")),
    Setting("port", 8080, int, _l("TCP port of the web server.")),
    Setting("threads", 4, int, _l("Worker threads of the web server (4 is as fast as 8 on a 2-core PC).")),
    Setting("timezone", "Asia/Shanghai", str, _l("Campus time zone; all times are shown in it and stored in UTC.")),
    Setting("default_locale", "zh_CN", str, _l("UI language for users who have not chosen one (zh_CN or en).")),
    Setting("session_idle_minutes", 30, int, _l("A login session ends after this many minutes without a request.")),
    Setting("kiosk_idle_minutes", 720, int,
            _l("A kiosk session (the study-room sign-in tablet, limited to that screen) ends after this many minutes "
               "without a request.")),
    Setting("login_max_failures", 5, int, _l("Wrong passwords or PINs in a row before the account is locked.")),
    Setting("login_lock_minutes", 15, int, _l("How long a locked account stays locked.")),
    Setting("ip_max_failures", 30, int,
            _l("Failed logins from one address within the lock period before that address is refused.")),
    Setting("refund_fee_percent", 0, int,
            _l("Campus refund rule: percent kept from the value of unused paid hours when a contract is refunded.")),
    Setting("log_level", "INFO", str, _l("Level of the log file in the data folder's logs/ (DEBUG, INFO, WARNING).")),
]

BY_NAME = {s.name: s for s in SETTINGS}
SOURCES = {"default": _l("default"), "file": _l("xgapp.toml"), "env": _l("environment variable"),
           "test": _l("command line")}  # overrides: the command line's options (and the tests')
ENV_PREFIX = "XGAPP_"


def _coerce(setting, value):
    if setting.kind is int:
        return int(value)
    if setting.kind is bool:
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("1", "true", "yes", "on")
    return str(value)


def load(paths, overrides=None, environ=None):
    """Return (values, sources): each setting's value and where it came from."""
    environ = os.environ if environ is None else environ
    values = {s.name: s.default for s in SETTINGS}
    sources = {s.name: "default" for s in SETTINGS}
    if paths.config_file.exists():
        with open(paths.config_file, "rb") as fh:
            from_file = tomllib.load(fh)
        unknown = sorted(set(from_file) - set(BY_NAME))
        if unknown:
            raise ValueError("Unknown setting(s) in %s: %s" % (paths.config_file, ", ".join(unknown)))
        for name, value in from_file.items():
            values[name] = _coerce(BY_NAME[name], value)
            sources[name] = "file"
    for setting in SETTINGS:
        key = ENV_PREFIX + setting.name.upper()
        if key in environ:
            values[setting.name] = _coerce(setting, environ[key])
            sources[setting.name] = "env"
    for name, value in (overrides or {}).items():
        if name in BY_NAME:
            values[name] = _coerce(BY_NAME[name], value)
            sources[name] = "test"
    if not values["database_url"]:
        values["database_url"] = "sqlite:///" + paths.database.as_posix()
    return values, sources


def masked(values):
    """Settings for display: a password inside the database URL is hidden."""
    shown = dict(values)
    shown["database_url"] = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", shown["database_url"])
    return shown


def secret_key(paths):
    """Read the install's secret key, generating it on first run."""
    if not paths.secret_key.exists():
        paths.secret_key.write_text(secrets.token_hex(32), encoding="ascii")
        try:
            os.chmod(paths.secret_key, 0o600)
        except OSError:
            pass
    return paths.secret_key.read_text(encoding="ascii").strip()
