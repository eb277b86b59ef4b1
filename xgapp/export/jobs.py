"""What the scheduler (and `xgapp export`) runs: build every nightly bundle that is due, queue it, deliver."""

import logging
from xgapp import campus, clock
from xgapp.export import bundle, delivery

log = logging.getLogger(__name__)


def catch_up(paths, by=None, now=None):
    """Build the nightly bundle of every closed day that has none yet (the PC may have been off), oldest first;
    return the bundles made."""
    if campus.current() is None:
        return []  # first run: no campus yet, nothing to export
    config = delivery.load_config(paths)
    now = now or clock.local_now()
    for folder in (paths.exports, paths.exports / "on-demand"):
        bundle.sweep_partials(folder)  # at start too: the first round runs when the server starts
    made = []
    for day in bundle.due_days(now, delivery.export_time(config)):
        made.append(bundle.make_nightly(day, paths.exports, by=by,
                                        on_made=lambda b: delivery.enqueue(b, config)))
        log.info("nightly bundle made: %s", made[-1].name)
    return made


# The last failure to make a bundle in this process (shown on the export page until a round succeeds).
last_error = {"message": None, "at": None}


def run(paths):
    """One scheduler round: catch up (and write again a bundle whose file was lost), then try what is due in the
    outbox. A build that fails does not hold back the deliveries of bundles already made."""
    try:
        catch_up(paths)
        for lost in bundle.missing_files(paths.exports):
            log.warning("bundle file missing, writing it again: %s", lost.name)
            bundle.rebuild(lost, paths.exports)
        last_error.update(message=None, at=None)
    except Exception as exc:  # logged and shown; retried next round
        log.exception("making the nightly bundle failed")
        last_error.update(message=str(exc), at=clock.local_now())
    for row in delivery.process(paths):
        log.info("delivery %s of %s: %s %s", row.channel, row.bundle.name, row.status, row.last_error)
