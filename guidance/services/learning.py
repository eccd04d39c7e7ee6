"""Examples learned from what agents do: a search whose result was opened and then followed to
the end of the process, or rated up, says the searched words mean that document.

One agent's habits must not steer everyone's search: an observation is one (agent, words,
document), a pair is used only once MIN_SEEN different agents made it, and only each agent's
PER_USER most recent observations count.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import Document, Example, SearchLog
from ..models._base import utcnow
from .examples import LEARNED, announce, clean, digest

log = logging.getLogger(__name__)
MIN_SEEN = 3
PER_USER = 20
WINDOW = timedelta(hours=2)  # from the search to the finished process or the rating


def observe(user_id: int, document: Document) -> bool:
    """Record the agent's latest search that opened `document` (within WINDOW) as an observation;
    commits, and re-indexes the documents whose learned examples changed. Called after the
    caller's own commit: a failure here is logged and loses nothing the agent did."""
    try:
        searched = db.session.scalar(
            select(SearchLog.query)
            .where(
                SearchLog.user_id == user_id,
                SearchLog.opened_slug == document.slug,
                SearchLog.updated_at >= utcnow() - WINDOW,
            )
            .order_by(SearchLog.updated_at.desc())
            .limit(1)
        )
        text = clean(searched or "").lower()
        key = digest(LEARNED, None, document.id, user_id, text)
        if not text or db.session.scalar(select(Example.id).where(Example.digest == key)) is not None:
            return False
        before = used()
        db.session.add(Example(digest=key, text=text, document_id=document.id, source=LEARNED, user_id=user_id))
        db.session.flush()
        after = used()
        announce(sorted(d for d in before.keys() | after.keys() if before.get(d) != after.get(d)))
        return True
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("learned example not recorded: %s", error.__class__.__name__)
        return False


def used(document_ids: list[int] | None = None) -> dict[int, list[str]]:
    """The learned examples search uses, by document: pairs seen by MIN_SEEN agents, counting
    each agent's PER_USER most recent observations only."""
    rows = db.session.execute(
        select(Example.user_id, Example.document_id, Example.text)
        .where(Example.source == LEARNED)
        .order_by(Example.user_id, Example.created_at.desc(), Example.id.desc())
    )
    per_user: Counter[int | None] = Counter()
    seen: Counter[tuple[int, str]] = Counter()
    for user_id, document_id, text in rows:
        per_user[user_id] += 1
        if per_user[user_id] <= PER_USER:
            seen[(document_id, text)] += 1
    wanted = None if document_ids is None else set(document_ids)
    found: dict[int, list[str]] = {}
    for (document_id, text), times in sorted(seen.items()):
        if times >= MIN_SEEN and (wanted is None or document_id in wanted):
            found.setdefault(document_id, []).append(text)
    return found
