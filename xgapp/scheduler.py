"""Background jobs of a running server: today's backup, suspensions that start today, follow-up tasks that fall
due, forgetting old form submission keys (every half hour), and the nightly export bundle and its delivery (every
minute).

`xgapp serve` runs them in a worker process of their own (`xgapp jobs`, started by `Worker`) at low priority and a
few seconds after the server starts: a first bundle or a backup of a campus with years of history takes tens of
seconds of CPU, and in the server's own process it would hold Python's interpreter lock against every page. The
worker writes what it has done to `jobs-state.json` in the data folder, so a page that needs today's run (the
follow-up tasks) can say they are coming."""

import json
import logging
import os
import subprocess
import sys
import threading
import time

from xgapp import backup, clock, db, migrate, submissions
from xgapp.changes import domain as changes
from xgapp.export import jobs
from xgapp.followups import engine

log = logging.getLogger(__name__)


def run_jobs(app):
    """Run every due job once (each job is idempotent: it does nothing when already done today)."""
    with app.app_context():
        paths = app.config["XGAPP_PATHS"]
        target = migrate.database_file(db.database.obj)
        if target is not None:
            today = clock.today()
            for made in backup.daily_backup(target, paths.backups, today):
                log.info("automatic backup written and verified: %s", made)
        for student in changes.start_due_suspensions(clock.today()):
            log.info("suspension starts today: %s is now paused", student.name)
        made = engine.generate(clock.today())
        if made:
            log.info("follow-up engine: %d new tasks", made)
        submissions.forget_old()
        write_state(paths, daily=clock.today().isoformat())


def read_state(paths):
    """What the job worker last wrote ({} when it never ran here)."""
    try:
        return json.loads(paths.jobs_state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_state(paths, **values):
    """Merge `values` into the worker's state file (written whole, then renamed: never half a file)."""
    state = dict(read_state(paths), **values)
    part = paths.jobs_state.with_name(paths.jobs_state.name + ".part")
    part.write_text(json.dumps(state), encoding="utf-8")
    os.replace(part, paths.jobs_state)


def daily_pending(paths, today):
    """True while a worker started by the server has not yet run today's daily jobs (the follow-up tasks that
    fall due today are still being made)."""
    state = read_state(paths)
    return bool(state.get("worker")) and state.get("daily") != today.isoformat()


def run_export(app):
    """Build the nightly bundles that are due (catching up days the PC was off) and deliver what is due."""
    with app.app_context():
        jobs.run(app.config["XGAPP_PATHS"])


class Scheduler:
    """A daemon thread that runs the daily jobs at start-up and then every `interval` seconds, and the export
    jobs every `tick` seconds (bundles are due at a set minute, retries after a minute or more)."""

    def __init__(self, app, interval=1800, tick=60, delay=0.0):
        self.app = app
        self.interval = interval
        self.tick = tick
        self.delay = delay
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="xgapp-scheduler", daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self, timeout=10):
        """Ask the loop to end and wait up to `timeout` seconds for the job it is running to finish."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=timeout)

    def run(self):
        """The loop in the calling thread, until stop()."""
        self._loop()

    def _loop(self):
        next_daily = 0.0
        if self._stop.wait(self.delay):  # the first pages are served before any job starts
            return
        while not self._stop.is_set():
            if time.monotonic() >= next_daily:
                next_daily = time.monotonic() + self.interval
                try:
                    run_jobs(self.app)
                except Exception:  # a failed job is logged and retried next round; the server keeps serving
                    log.exception("scheduled job failed")
            try:
                run_export(self.app)
            except Exception:  # a bundle that failed (disk full …) is tried again next tick
                log.exception("export job failed")
            self._stop.wait(self.tick)


class Worker:
    """`xgapp jobs` in a child process at low priority, for as long as the server runs.

    The child stops when its standard input closes: when the server stops it, and also when the server is killed
    (the pipe closes with the process), so no worker outlives its server. It finishes the job it is running first;
    backups and bundles are written to a .part file and renamed only when whole, so even a forced end never leaves
    half a file under its name. A worker that dies is started again after a minute.
    """

    def __init__(self, paths, delay=5.0, restart_after=60.0):
        self.paths = paths
        self.delay = delay
        self.restart_after = restart_after
        self.proc = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._supervise, name="xgapp-jobs", daemon=True)

    def command(self):
        args = ["jobs", "--data", str(self.paths.root), "--delay", "%g" % self.delay]
        if getattr(sys, "frozen", False):  # the executable is the xgapp command
            return [sys.executable] + args
        return [sys.executable, "-m", "xgapp"] + args

    def start(self):
        write_state(self.paths, worker=True)
        self._spawn()
        self._thread.start()
        return self

    def _spawn(self):
        flags = 0
        if sys.platform.startswith("win"):  # below the server, and no console window of its own
            flags = subprocess.BELOW_NORMAL_PRIORITY_CLASS | subprocess.CREATE_NO_WINDOW
        with open(self.paths.logs / "jobs-stderr.log", "ab") as errors:  # what happens before logging starts
            self.proc = subprocess.Popen(self.command(), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                         stderr=errors, creationflags=flags)

    def _supervise(self):
        while not self._stopping.is_set():
            code = self.proc.wait()
            if self._stopping.is_set():
                return
            log.error("the job worker ended (exit code %s); starting it again in %d s", code, self.restart_after)
            if self._stopping.wait(self.restart_after):
                return
            self._spawn()

    def stop(self, timeout=10):
        """Close the worker's input and wait up to `timeout` seconds for its running job to finish."""
        self._stopping.set()
        proc = self.proc
        if proc is None:
            return
        try:
            proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def lower_priority():
    """Run this process below the server (POSIX nice 10; the Windows parent sets a priority class instead)."""
    if hasattr(os, "nice"):
        try:
            os.nice(10)
        except OSError:
            pass


def serve_jobs(app, delay):
    """The worker's body: the scheduler loop until standard input closes (see Worker)."""
    scheduler = Scheduler(app, delay=delay)

    def watch_input():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError, AttributeError):
            pass
        scheduler.stop(timeout=0)

    threading.Thread(target=watch_input, name="xgapp-jobs-input", daemon=True).start()
    scheduler.run()
