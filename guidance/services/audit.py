"""The audit log: one row per thing a person did to a document, written in the transaction that
did it (so the log never disagrees with the data), and read by admins with filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select

from ..extensions import db
from ..models import AuditAction, AuditEvent, Document, Revision, User
from ..models._base import utcnow

PAGE_SIZE = 50


def record(
    action: AuditAction,
    *,
    user: User | None,
    document: Document | None = None,
    revision: Revision | None = None,
    detail: str = "",
) -> AuditEvent:
    """Add an event to the caller's transaction (the caller commits).

    Saves of one draft by one person in a row are one "edited" event with a count, so autosave
    does not bury everything else.
    """
    if action == AuditAction.EDITED and revision is not None and revision.id is not None:
        last = db.session.scalar(
            select(AuditEvent)
            .where(AuditEvent.revision_id == revision.id)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(1)
        )
        if last is not None and last.action == AuditAction.EDITED and last.user_id == (user.id if user else None):
            last.times += 1
            last.created_at = utcnow()
            return last
    event = AuditEvent(
        action=action,
        user_id=user.id if user else None,
        document=document,
        revision=revision,
        detail=detail,
    )
    db.session.add(event)
    return event


@dataclass
class AuditFilters:
    action: str = ""
    user: str = ""
    document: str = ""  # part of a slug or title
    since: date | None = None
    until: date | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args) -> AuditFilters:
        def day(name: str) -> date | None:
            try:
                return date.fromisoformat(args.get(name, ""))
            except ValueError:
                return None

        action = args.get("action", "")
        return cls(
            action=action if action in tuple(AuditAction) else "",
            user=args.get("user", "")[:64],
            document=args.get("document", "")[:255].strip(),
            since=day("since"),
            until=day("until"),
            page=max(min(args.get("page", 1, type=int) or 1, 100_000), 1),
        )

    def query(self) -> Select:
        query = select(AuditEvent)
        if self.action:
            query = query.where(AuditEvent.action == self.action)
        if self.user:
            query = query.join(User, User.id == AuditEvent.user_id).where(User.username == self.user)
        if self.document:
            pattern = f"%{self.document.replace('%', '').replace('_', '')}%"
            query = query.join(Document, Document.id == AuditEvent.document_id).where(
                Document.slug.ilike(pattern) | Document.title.ilike(pattern)
            )
        if self.since:
            query = query.where(AuditEvent.created_at >= datetime.combine(self.since, time()))
        if self.until:
            query = query.where(AuditEvent.created_at < datetime.combine(self.until + timedelta(days=1), time()))
        return query


@dataclass
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    pages: int


def events(filters: AuditFilters) -> AuditPage:
    """One page of events, newest first."""
    query = filters.query()
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(filters.page, pages)
    rows = db.session.scalars(
        query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return AuditPage(list(rows), total, page, pages)


def people() -> list[str]:
    """Usernames that appear in the log, for the filter."""
    query = select(User.username).join(AuditEvent, AuditEvent.user_id == User.id).distinct().order_by(User.username)
    return list(db.session.scalars(query))


def document_events(document: Document, limit: int = 200) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.document_id == document.id)
    return list(db.session.scalars(query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)))
