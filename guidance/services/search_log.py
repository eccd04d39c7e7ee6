"""What agents searched for, what they were shown, and what they opened."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import SearchLog, User
from ..models._base import utcnow

TYPING_WINDOW = timedelta(seconds=20)


def log_search(user: User, query: str, slugs: list[str], source: str = "web") -> SearchLog:
    """Record a search. While the agent is still typing, the latest row grows instead of a new
    row per keystroke, so the log holds the searches people meant."""
    query = query[:200]
    latest = db.session.scalar(
        select(SearchLog).where(SearchLog.user_id == user.id).order_by(SearchLog.id.desc()).limit(1)
    )
    now = utcnow()
    if (
        latest is not None and latest.source == source and latest.opened_slug is None
        and now - latest.updated_at < TYPING_WINDOW
        and (query.startswith(latest.query) or latest.query.startswith(query))
    ):
        entry = latest
    else:
        entry = SearchLog(user_id=user.id, source=source, created_at=now)
        db.session.add(entry)
    entry.query, entry.results, entry.updated_at = query, slugs, now
    db.session.commit()
    return entry


def record_open(log_id: int, user: User, slug: str, rank: int | None) -> None:
    entry = db.session.get(SearchLog, log_id)
    if entry is None or entry.user_id != user.id or entry.opened_slug is not None:
        return
    entry.opened_slug, entry.opened_rank = slug, rank
    db.session.commit()
