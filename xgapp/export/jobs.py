"""What the scheduler (and `xgapp export`) runs: build every nightly bundle that is due, queue it, deliver."""

import logging
from datetime import datetime

from xgapp import i18n
from xgapp.export import bundle, delivery

log = logging.getLogger(__name__)


def catch_up(paths, by=None, now=None):
    """Build the nightly bundle of every closed day that has none yet (the PC may have been off), oldest first;
    return the bundles made."""
    from xgapp import campus

    if campus.current() is None:
        return []  # first run: no campus yet, nothing to export
    config = delivery.load_config(paths)
    now = now or datetime.now(i18n.campus_zone())
    bundle.sweep_partials(paths.exports)
    made = []
    for day in bundle.due_days(now, delivery.export_time(config)):
        made.append(bundle.make_nightly(day, paths.exports, by=by,
                                        on_made=lambda b: delivery.enqueue(b, config)))
        log.info("nightly bundle made: %s", made[-1].name)
    return made


def run(paths):
    """One scheduler round: catch up, then try what is due in the outbox."""
    catch_up(paths)
    for row in delivery.process(paths):
        log.info("delivery %s of %s: %s %s", row.channel, row.bundle.name, row.status, row.last_error)
