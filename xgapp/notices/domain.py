"""Create, list and dismiss notices."""

from xgapp import clock
from xgapp.db import write
from xgapp.notices.models import Notice


def notify(users, text, link=""):
    """Leave `text` on each user's home page (once per user), inside the caller's transaction."""
    seen = set()
    for user in users:
        user_id = getattr(user, "id", user)
        if user_id is None or user_id in seen:
            continue
        seen.add(user_id)
        Notice.create(user=user_id, text=str(text)[:300], link=link[:200], at=clock.now())


def unread(user, limit=20):
    return list(Notice.select().where(Notice.user == user, Notice.read_at.is_null())
                .order_by(Notice.at.desc()).limit(limit))


def mark_read(user, notice_id):
    """Dismiss one of the user's own notices (another person's is left alone)."""
    with write():
        return Notice.update(read_at=clock.now()).where(Notice.id == notice_id, Notice.user == user,
                                                      Notice.read_at.is_null()).execute()
