"""The admin inbox: notes and negative ratings, their status, and closing the loop with agents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import url_for
from sqlalchemy import CompoundSelect, select, union
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..ids import parse_id
from ..models import Document, FeedbackKind, FeedbackStatus, Notification, Revision, StepNote, StepRating, User
from ..models._base import utcnow
from .feedback import REASONS, FeedbackError, step_titles

Item = StepNote | StepRating
ITEM_MODELS: dict[str, type[Item]] = {model.kind: model for model in (StepNote, StepRating)}
OPEN = (FeedbackStatus.NEW, FeedbackStatus.ACCEPTED)
# What an admin may set by hand; incorporated comes from publishing a revision (incorporate()).
SETTABLE = (FeedbackStatus.NEW, FeedbackStatus.ACCEPTED, FeedbackStatus.DISMISSED)
MAX_ITEMS = 500  # per kind, per inbox page
MAX_REASON = 1000


@dataclass
class Filters:
    document: str = ""  # slug
    step: str = ""
    kind: str = ""  # a FeedbackKind
    reason: str = ""  # a RatingReason (ratings only)
    status: str = "open"  # open | all | a FeedbackStatus
    author: str = ""  # username
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_args(cls, args) -> Filters:
        def day(name: str) -> date | None:
            try:
                return date.fromisoformat(args.get(name, "")) if args.get(name) else None
            except ValueError:
                return None

        status = args.get("status", "open")
        return cls(
            document=args.get("document", "").strip(),
            step=args.get("step", "").strip(),
            kind=args.get("kind", "") if args.get("kind") in ITEM_MODELS else "",
            reason=args.get("reason", "") if args.get("reason") in REASONS else "",
            status=status if status in ("open", "all", *FeedbackStatus) else "open",
            author=args.get("author", "").strip(),
            since=day("since"),
            until=day("until"),
        )


@dataclass
class Group:
    document: Document
    step_key: str
    step_title: str
    removed: bool
    items: list[Item] = field(default_factory=list)

    @property
    def notes(self) -> int:
        return sum(1 for item in self.items if item.kind == FeedbackKind.NOTE)

    @property
    def ratings(self) -> int:
        return sum(1 for item in self.items if item.kind == FeedbackKind.RATING)


@dataclass
class Inbox:
    groups: list[Group]
    total: int
    truncated: bool


def item_id(item: Item) -> str:
    return f"{item.kind}:{item.id}"


def _filtered(model, filters: Filters):
    query = (
        select(model)
        .join(Document, Document.id == model.document_id)
        .options(
            selectinload(model.user),
            selectinload(model.revision),
            selectinload(model.document),
            selectinload(model.resolved_revision),
        )
    )
    if model is StepRating:
        query = query.where(StepRating.positive.is_(False))
        if filters.reason:
            query = query.where(StepRating.reason == filters.reason)
    if filters.document:
        query = query.where(Document.slug == filters.document)
    if filters.step:
        query = query.where(model.step_key == filters.step)
    if filters.status == "open":
        query = query.where(model.status.in_(OPEN))
    elif filters.status != "all":
        query = query.where(model.status == filters.status)
    if filters.author:
        query = query.join(User, User.id == model.user_id).where(User.username == filters.author)
    if filters.since:
        query = query.where(model.created_at >= datetime.combine(filters.since, time()))
    if filters.until:
        query = query.where(model.created_at < datetime.combine(filters.until + timedelta(days=1), time()))
    return query.order_by(model.created_at.desc(), model.id.desc()).limit(MAX_ITEMS + 1)


def inbox(filters: Filters) -> Inbox:
    """Notes and negative ratings, newest first, grouped by document and step (newest group first)."""
    found: list[Item] = []
    truncated = False
    for kind, model in ITEM_MODELS.items():
        if filters.kind and filters.kind != kind:
            continue
        if kind == FeedbackKind.NOTE and filters.reason:
            continue  # a reason is something only a rating has
        rows = list(db.session.scalars(_filtered(model, filters)))
        truncated = truncated or len(rows) > MAX_ITEMS
        found += rows[:MAX_ITEMS]
    found.sort(key=lambda item: (item.created_at, item.kind, item.id), reverse=True)
    titles = step_titles({item.document_id for item in found})
    groups: dict[tuple[int, str], Group] = {}
    for item in found:
        key = (item.document_id, item.step_key)
        if key not in groups:
            title, current = titles.get(key, (item.step_key, False))
            groups[key] = Group(item.document, item.step_key, title, removed=not current)
        groups[key].items.append(item)
    return Inbox(list(groups.values()), len(found), truncated)


def items_by_ids(ids: list[str]) -> list[Item]:
    items = []
    for value in dict.fromkeys(ids):
        kind, _, number = value.partition(":")
        row_id = parse_id(number)
        if kind in ITEM_MODELS and row_id is not None:
            item = db.session.get(ITEM_MODELS[kind], row_id)
            if item is not None:
                items.append(item)
    return items


def open_items(document: Document, step_key: str | None = None) -> list[Item]:
    """The new and accepted items of a document (or one step), for the editor's side panel."""
    filters = Filters(document=document.slug, step=step_key or "", status="open")
    return [item for group in inbox(filters).groups for item in group.items]


def document_slugs() -> list[str]:
    """Documents that have any feedback, for the inbox's filter."""
    return sorted(db.session.scalars(select(Document.slug).where(Document.id.in_(_in_inbox("document_id")))))


def authors() -> list[str]:
    """Agents who gave any feedback, for the inbox's filter."""
    return sorted(db.session.scalars(select(User.username).where(User.id.in_(_in_inbox("user_id")))))


def _in_inbox(column: str) -> CompoundSelect:
    """The ids that notes and thumbs down refer to through `column` (document_id or user_id)."""
    return union(
        select(getattr(StepNote, column)), select(getattr(StepRating, column)).where(StepRating.positive.is_(False))
    )


# ---- status changes ----------------------------------------------------------------------


def _step_label(item: Item, titles: dict[tuple[int, str], tuple[str, bool]]) -> str:
    title = titles.get((item.document_id, item.step_key), (item.step_key, False))[0]
    return f"{item.document.title} › {title}"


def set_status(items: list[Item], status: str, admin: User, reason: str = "") -> int:
    """Accept, dismiss (with a reason the agent sees) or reopen items. The caller commits."""
    if status not in SETTABLE:
        raise FeedbackError("Unknown action.")
    reason = (reason or "").strip()
    if status == FeedbackStatus.DISMISSED and not reason:
        raise FeedbackError("Say why these items are dismissed: the agents who raised them will see it.")
    if len(reason) > MAX_REASON:
        raise FeedbackError(f"Keep the reason under {MAX_REASON:,} characters.")
    now = utcnow()
    titles = step_titles({item.document_id for item in items})
    for item in items:
        if status == FeedbackStatus.DISMISSED and item.status != FeedbackStatus.DISMISSED:
            _notify(
                item,
                FeedbackStatus.DISMISSED,
                item.revision_id,
                _step_url(item.document, item.step_key),
                f"Your {item.kind} on '{_step_label(item, titles)}' was dismissed: {reason}",
            )
        item.status, item.handled_by_id, item.handled_at = status, admin.id, now
        item.status_reason = reason if status == FeedbackStatus.DISMISSED else ""
        item.resolved_revision_id = None
    return len(items)


def incorporate(items: list[Item], revision: Revision, admin: User) -> int:
    """Mark items as addressed by `revision` and tell each agent who raised one. The caller commits."""
    step_keys = {step.key for step in revision.steps}
    now = utcnow()
    count = 0
    titles = step_titles({item.document_id for item in items})
    for item in items:
        if item.document_id != revision.document_id:
            raise FeedbackError("An item belongs to another document than this revision.")
        if item.status == FeedbackStatus.INCORPORATED and item.resolved_revision_id == revision.id:
            continue
        item.status, item.status_reason, item.handled_by_id, item.handled_at = (
            FeedbackStatus.INCORPORATED,
            "",
            admin.id,
            now,
        )
        item.resolved_revision_id = revision.id
        url = (
            _step_url(revision.document, item.step_key)
            if item.step_key in step_keys
            else url_for("documents.show", slug=revision.document.slug)
        )
        _notify(
            item,
            FeedbackStatus.INCORPORATED,
            revision.id,
            url,
            f"Your {item.kind} on '{_step_label(item, titles)}' changed the guidance (revision {revision.number}).",
        )
        count += 1
    return count


def _notify(item: Item, kind: FeedbackStatus, revision_id: int, url: str, message: str) -> None:
    """Tell the agent who raised `item` what became of it."""
    db.session.add(
        Notification(
            user_id=item.user_id,
            kind=kind,
            document_id=item.document_id,
            revision_id=revision_id,
            message=message,
            url=url,
        )
    )


def _step_url(document: Document, step_key: str) -> str:
    return url_for("documents.step", slug=document.slug, step_id=step_key)
