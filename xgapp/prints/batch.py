"""Batch printing in the background: many forms as one PDF, with progress the page polls.

Rendering takes about a quarter of a second per page, so a month of study-room logs is a job, not a request. Jobs
live in this process (xgapp is one process); their PDFs go to the data folder's cache and are deleted after a day.
"""

import logging
import threading
import time
import uuid
from pathlib import Path

from xgapp import db
from xgapp.prints import render

log = logging.getLogger(__name__)
KEEP_SECONDS = 24 * 3600
RUNNING_MAX = 2  # batch jobs at once on the campus PC; a third waits for one to finish


class Busy(Exception):
    """Too many batch jobs are running."""


_jobs = {}
_guard = threading.Lock()


class Job:
    def __init__(self, form, user_id, total, folder):
        self.id = uuid.uuid4().hex
        self.form = form
        self.user_id = user_id
        self.total = total
        self.done = 0
        self.state = "running"  # running / done / failed
        self.pages = 0
        self.missing = []
        self.error = ""
        self.created = time.time()
        self.path = Path(folder) / ("batch-%s.pdf" % self.id)

    @property
    def percent(self):
        return 100 if self.state == "done" else int(100 * self.done / self.total) if self.total else 0


def _folder(app):
    folder = Path(app.config["XGAPP_PATHS"].root) / "cache" / "prints"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sweep(folder):
    """Forget jobs older than a day and delete their PDFs, also those left by an earlier run of xgapp."""
    now = time.time()
    with _guard:
        for job in [j for j in _jobs.values() if now - j.created > KEEP_SECONDS]:
            del _jobs[job.id]
    for path in Path(folder).glob("batch-*"):
        try:
            if now - path.stat().st_mtime > KEEP_SECONDS:
                path.unlink()
        except OSError:
            pass  # being written or already gone


def start(app, form, refs, viewer, printed_by):
    """Start rendering `refs` of `form` in a background thread; returns the job at once (Busy if too many run)."""
    folder = _folder(app)
    sweep(folder)
    job = Job(form, viewer.id if viewer is not None else None, len(refs), folder)
    with _guard:
        if sum(j.state == "running" for j in _jobs.values()) >= RUNNING_MAX:
            raise Busy()
        _jobs[job.id] = job

    def progress(done, total):
        job.done = done

    def run():
        with app.app_context():
            try:
                db.ensure_connection()
                pdf, job.pages, job.missing = render.batch(form, refs, viewer, printed_by, progress)
                partial = job.path.with_suffix(".part")
                partial.write_bytes(pdf)
                partial.replace(job.path)  # never a half-written file under the final name
                job.state = "done"
            except Exception as exc:  # the page says it failed; the details go to the log
                log.exception("batch print %s failed", form.name)
                job.error, job.state = type(exc).__name__, "failed"
            finally:
                db.database.close()

    threading.Thread(target=run, name="print-%s" % job.id[:8], daemon=True).start()
    return job


def get(job_id, user):
    """The job if it belongs to `user` (None otherwise)."""
    with _guard:
        job = _jobs.get(job_id)
    return job if job is not None and job.user_id == user.id else None
