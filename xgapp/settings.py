"""Settings as a table: name, default, type and help text.

Precedence: defaults → `xgapp.toml` in the data folder → `XGAPP_<NAME>` environment → test overrides.
"""

import os
import re
import secrets
import tomllib
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


class SettingError(ValueError):
    """A setting with a value xgapp cannot run with: the message names the setting and where it came from."""


def _between(low, high):
    def check(value):
        if not low <= value <= high:
            return "must be a whole number from %d to %d" % (low, high)
        return None
    return check


def _one_of(*allowed):
    def check(value):
        return None if value in allowed else "must be one of %s" % ", ".join(allowed)
    return check


def _zone(value):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return "is not a known time zone (use a name such as Asia/Shanghai)"
    return None


def _host(value):
    import ipaddress

    try:
        ipaddress.ip_address(value)
    except ValueError:
        if value != "localhost":
            return "must be an IP address of this PC (0.0.0.0 for the whole LAN, 127.0.0.1 for this PC only)"
    return None


def _database_url(value):
    if value and not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
        return "must be empty (the campus's own file), sqlite:///FILE or postgresql://USER:PW@HOST/DB"
    return None


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    kind: type
    help: object  # a lazy translation: shown on the campus page in the user's language
    check: object = None  # value -> None, or what is wrong with it (English, for the console)


SETTINGS = [
    Setting("database_url", "", str,
            _l("Database location. Empty means the SQLite file xgapp.sqlite3 in the data folder "
               "(the only thing a campus needs); a postgresql:// URL is accepted for head office."), _database_url),
    Setting("host", "0.0.0.0", str, _l("Interface `xgapp serve` binds to; 0.0.0.0 serves the whole LAN."), _host),
    Setting("port", 8080, int, _l("TCP port of the web server."), _between(1, 65535)),
    Setting("threads", 4, int, _l("Worker threads of the web server (4 is as fast as 8 on a 2-core PC)."),
            _between(1, 64)),
    Setting("timezone", "Asia/Shanghai", str, _l("Campus time zone; all times are shown in it and stored in UTC."),
            _zone),
    Setting("default_locale", "zh_CN", str, _l("UI language for users who have not chosen one (zh_CN or en)."),
            _one_of("zh_CN", "en")),
    Setting("session_idle_minutes", 30, int, _l("A login session ends after this many minutes without a request."),
            _between(1, 24 * 60)),
    Setting("kiosk_idle_minutes", 720, int,
            _l("A kiosk session (the study-room sign-in tablet, limited to that screen) ends after this many minutes "
               "without a request."), _between(1, 24 * 60)),
    Setting("login_max_failures", 5, int, _l("Wrong passwords or PINs in a row before the account is locked."),
            _between(1, 100)),
    Setting("login_lock_minutes", 15, int, _l("How long a locked account stays locked."), _between(1, 24 * 60)),
    Setting("ip_max_failures", 30, int,
            _l("Failed logins from one address within the lock period before that address is refused."),
            _between(1, 10000)),
    Setting("refund_fee_percent", 0, int,
            _l("Campus refund rule: percent kept from the value of unused paid hours when a contract is refunded."),
            _between(0, 100)),
    Setting("jobs_delay_seconds", 5, int,
            _l("Seconds after start before the background jobs (backups, follow-up tasks, the nightly bundle) begin, "
               "in a low-priority process of their own, so the first pages are served at once."), _between(0, 3600)),
    Setting("log_level", "INFO", str, _l("Level of the log file in the data folder's logs/ (DEBUG, INFO, WARNING)."),
            _one_of("DEBUG", "INFO", "WARNING", "ERROR")),
]

BY_NAME = {s.name: s for s in SETTINGS}
SOURCES = {"default": _l("default"), "file": _l("xgapp.toml"), "env": _l("environment variable"),
           "test": _l("command line")}  # overrides: the command line's options (and the tests')
ENV_PREFIX = "XGAPP_"


def _coerce(setting, value, origin):
    """The value as the setting's type, checked; SettingError naming the setting and `origin` otherwise."""
    problem = None
    if setting.kind is int:
        if isinstance(value, bool) or isinstance(value, float):
            problem = "must be a whole number"
        else:
            try:
                value = int(str(value).strip())
            except ValueError:
                problem = "must be a whole number"
    elif setting.kind is bool:
        if not isinstance(value, bool):
            value = str(value).strip().lower() in ("1", "true", "yes", "on")
    elif not isinstance(value, str) and origin.startswith(CONFIG_NAME):
        problem = "must be text in quotes"
    else:
        value = str(value).strip()
    if problem is None and setting.check is not None:
        problem = setting.check(value)
    if problem:
        raise SettingError("Setting %s (from %s) %s; it is %r." % (setting.name, origin, problem, value))
    return value


CONFIG_NAME = "xgapp.toml"


def load(paths, overrides=None, environ=None):
    """Return (values, sources): each setting's value and where it came from; SettingError on a bad value."""
    environ = os.environ if environ is None else environ
    values = {s.name: s.default for s in SETTINGS}
    sources = {s.name: "default" for s in SETTINGS}
    if paths.config_file.exists():
        try:
            with open(paths.config_file, "rb") as fh:
                from_file = tomllib.load(fh)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingError("%s cannot be read: %s" % (paths.config_file, exc)) from None
        unknown = sorted(set(from_file) - set(BY_NAME))
        if unknown:
            raise SettingError("Unknown setting(s) in %s: %s" % (paths.config_file, ", ".join(unknown)))
        for name, value in from_file.items():
            values[name] = _coerce(BY_NAME[name], value, "%s in %s" % (CONFIG_NAME, paths.root))
            sources[name] = "file"
    for setting in SETTINGS:
        key = ENV_PREFIX + setting.name.upper()
        if key in environ:
            values[setting.name] = _coerce(setting, environ[key], "environment variable " + key)
            sources[setting.name] = "env"
    for name, value in (overrides or {}).items():
        if name in BY_NAME:
            values[name] = _coerce(BY_NAME[name], value, "the command line")
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
