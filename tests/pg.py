"""A throwaway PostgreSQL server for tests: `initdb` into a temporary folder, started on a free port of 127.0.0.1
(its unix socket in the same folder), stopped and deleted at the end of the session.

initdb and postgres refuse to run as root, and CI runs the tests as root: then the server runs as an unprivileged
user (`postgres` when Debian's package made one, else `nobody`) through runuser or setpriv. The tests are skipped
only when no PostgreSQL binaries exist (`bash build/dev.sh test` installs Debian's postgresql package).
"""

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

SUPERUSER = "hq"  # the cluster's bootstrap superuser (trust authentication: nobody else can reach the socket)
DATABASE = "xgapp_hq_test"
BINARIES = ("initdb", "pg_ctl", "postgres")
SERVER_OPTIONS = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=20 "
                  "-c shared_buffers=16MB")


def bin_dir():
    """The folder holding initdb, pg_ctl and postgres: found on PATH, else Debian's /usr/lib/postgresql/<n>/bin
    (newest version first); None when PostgreSQL is not installed."""
    on_path = shutil.which("initdb")
    candidates = [str(Path(os.path.realpath(on_path)).parent)] if on_path else []
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted(versions, key=lambda p: [int(n) for n in re.findall(r"\d+", p)], reverse=True)
    for folder in candidates:
        if all(os.access(os.path.join(folder, name), os.X_OK) for name in BINARIES):
            return Path(folder)
    return None


def _unprivileged():
    """(prefix of a command line that drops root, uid, gid), or ([], None, None) when not root."""
    if os.geteuid() != 0:
        return [], None, None
    for name in ("postgres", "nobody"):
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        if shutil.which("runuser"):
            return ["runuser", "-u", name, "--"], user.pw_uid, user.pw_gid
        if shutil.which("setpriv"):
            return ["setpriv", "--reuid=%d" % user.pw_uid, "--regid=%d" % user.pw_gid, "--clear-groups", "--"], \
                user.pw_uid, user.pw_gid
    raise RuntimeError("running as root, and neither runuser nor setpriv with a postgres or nobody user is here")


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One cluster in a temporary folder."""

    def __init__(self, binaries):
        self.binaries = binaries
        self.prefix, self.uid, self.gid = _unprivileged()
        self.root = Path(tempfile.mkdtemp(prefix="xgapp-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = None
        self.started = False
        if self.uid is not None:
            os.chown(self.root, self.uid, self.gid)

    def _run(self, *args, check=True):
        env = dict(os.environ, LC_ALL="C", LANG="C")
        return subprocess.run(self.prefix + [str(self.binaries / args[0]), *args[1:]], cwd=self.root, env=env,
                              capture_output=True, text=True, check=check, timeout=120)

    def start(self):
        """initdb, then start on a free port (another if that one was taken meanwhile), then create the database."""
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-locale",
                  "--no-sync")
        for _ in range(3):
            self.port = _free_port()
            options = "-c listen_addresses=127.0.0.1 -p %d -k %s %s" % (self.port, self.root, SERVER_OPTIONS)
            done = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60",
                             "start", check=False)
            if done.returncode == 0:
                self.started = True
                break
        else:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError("PostgreSQL did not start: %s %s" % (done.stderr, log[-2000:]))
        execute(self.url("postgres"), "CREATE DATABASE %s" % DATABASE)
        return self

    def url(self, database=DATABASE):
        return "postgresql://%s@127.0.0.1:%d/%s" % (SUPERUSER, self.port, database)

    def stop(self):
        try:
            if self.started:
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def execute(url, sql):
    """Run one statement outside a transaction (CREATE DATABASE, DROP SCHEMA ...)."""
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


@pytest.fixture(scope="session")
def postgres_url():
    """The URL of an empty database on a throwaway PostgreSQL server running for the whole test session."""
    binaries = bin_dir()
    if binaries is None and os.environ.get("CI"):
        pytest.fail("PostgreSQL is not installed: `bash build/dev.sh test` (what CI runs) installs it")
    if binaries is None:  # a developer's machine without PostgreSQL: the SQLite half of each test still runs
        pytest.skip("PostgreSQL is not installed (no initdb/pg_ctl/postgres on PATH or in /usr/lib/postgresql/*/bin):"
                    " install Debian's postgresql package, or run `bash build/dev.sh test`")
    server = Server(binaries)
    try:
        server.start()
        yield server.url()
    finally:
        server.stop()


def reset(url):
    """Empty the database at `url` (every table of its public schema), so each test starts from nothing."""
    execute(url, "DROP SCHEMA public CASCADE")
    execute(url, "CREATE SCHEMA public")
