"""Scheduled publication: approved drafts go live at their time, by the first request after it
(`check_due`, run before each request) or by `flask guidance publish-due` (for cron).

The check before a request must cost nothing: each worker remembers the earliest time anything
is due and asks the database again only every RECHECK seconds (another worker may have scheduled
something), so almost every request compares two numbers and goes on.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import AuditAction, Document, NotificationKind, Revision, RevisionStatus
from ..models._base import utcnow
from . import audit
from .drafts import claim
from .publishing import Publication, SourceProblems, publish
from .review import notify_published, notify_writers

log = logging.getLogger(__name__)
RECHECK = 5.0  # seconds between looks at the database for what another worker scheduled


@dataclass
class _Due:
    next_due: datetime | None = None
    looked_at: float = -float("inf")
    lock: threading.Lock = field(default_factory=threading.Lock)


def _state() -> _Due:
    return current_app.extensions.setdefault("guidance_schedule", _Due())


def expect_due(when: datetime) -> None:
    """This worker scheduled something: remember it without asking the database."""
    state = _state()
    if state.next_due is None or when < state.next_due:
        state.next_due = when


def check_due() -> int:
    """Publish what is due, if anything is; cheap when nothing is. Returns how many went live.

    Never fails the request it runs before: a database that cannot be read or written now is
    logged, and what is due goes live on a later request (or by `flask guidance publish-due`).
    """
    try:
        return _check_due()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("scheduled publication deferred: the database is unavailable", exc_info=True)
        state = _state()
        state.next_due, state.looked_at = None, time.monotonic()  # try again after RECHECK, not every request
        return 0


def _check_due() -> int:
    state = _state()
    recheck = current_app.config.get("SCHEDULE_RECHECK_SECONDS", RECHECK)
    now_seconds = time.monotonic()
    if now_seconds - state.looked_at >= recheck:
        state.looked_at = now_seconds
        state.next_due = _earliest()
    if state.next_due is None or state.next_due > utcnow():
        return 0
    if not state.lock.acquire(blocking=False):  # another thread of this worker is on it
        return 0
    try:
        published = publish_due()
        state.next_due, state.looked_at = _earliest(), time.monotonic()
        return published
    finally:
        state.lock.release()


def _earliest() -> datetime | None:
    return db.session.scalar(select(func.min(Revision.publish_at)).where(Revision.status == RevisionStatus.SCHEDULED))


def publish_due(now: datetime | None = None) -> int:
    """Publish every scheduled draft whose time has come; returns how many went live.

    A draft overtaken by a newer publication (an import, a restore) goes back to its author
    instead: publishing it would silently undo that newer revision.
    """
    now = now or utcnow()
    due = db.session.scalars(
        select(Revision)
        .where(Revision.status == RevisionStatus.SCHEDULED, Revision.publish_at <= now)
        .order_by(Revision.publish_at)
    ).all()
    count = 0
    for draft in due:
        document: Document = draft.document
        if document.draft_revision_id != draft.id:
            continue
        published = document.published_revision
        if published is not None and draft.base_revision_id != published.id:
            _send_back(
                document,
                draft,
                f"Not published at {draft.publish_at:%Y-%m-%d %H:%M} UTC: revision "
                f"{published.number} went live after this draft was approved. Bring its changes across and submit again.",
            )
            continue
        if not claim(draft, RevisionStatus.SCHEDULED, RevisionStatus.PUBLISHED):  # another worker was first
            db.session.rollback()
            continue
        try:
            notify_published(document, draft, None)
            publish([Publication(document, draft, detail=f"scheduled for {draft.publish_at:%Y-%m-%d %H:%M} UTC")], None)
        except SourceProblems as problems:
            db.session.rollback()
            db.session.refresh(draft)
            _send_back(document, draft, f"Not published: {problems}")
            continue
        count += 1
    return count


def _send_back(document: Document, draft: Revision, why: str) -> None:
    draft.status = RevisionStatus.RETURNED
    draft.review_comment = why
    draft.publish_at = None
    audit.record(AuditAction.RETURNED, user=None, document=document, revision=draft, detail=why)
    message = f"Your approved draft of '{document.title}' did not go live: {why}"
    notify_writers(draft, NotificationKind.RETURNED, message, f"/d/{document.slug}/edit", None)
    db.session.commit()
