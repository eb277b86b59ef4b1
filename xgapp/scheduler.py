"""Background jobs of a running server: today's backup, suspensions that start today, follow-up tasks that fall
due, forgetting old form submission keys (every half hour), and the nightly export bundle and its delivery (every
minute)."""

import logging
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


def run_export(app):
    """Build the nightly bundles that are due (catching up days the PC was off) and deliver what is due."""
    with app.app_context():
        jobs.run(app.config["XGAPP_PATHS"])


class Scheduler:
    """A daemon thread that runs the daily jobs at start-up and then every `interval` seconds, and the export
    jobs every `tick` seconds (bundles are due at a set minute, retries after a minute or more)."""

    def __init__(self, app, interval=1800, tick=60):
        self.app = app
        self.interval = interval
        self.tick = tick
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="xgapp-scheduler", daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self, timeout=10):
        """Ask the loop to end and wait up to `timeout` seconds for the job it is running to finish."""
        self._stop.set()
        self._thread.join(timeout=timeout)

    def _loop(self):
        next_daily = 0.0
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
