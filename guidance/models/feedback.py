"""What agents tell us about steps: notes, ratings, and the notifications that close the loop.

Notes and ratings are tied to the step's stable key and the revision they were made on, so they
outlive revisions. Both are feedback items for the admin inbox: they carry a FeedbackStatus, the
revision that addressed them and a reason shown to the agent when dismissed.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..content.model import MAX_NAME
from ..extensions import db
from ._base import one_of, utcnow
from .documents import Document, Revision
from .users import User


class FeedbackStatus(StrEnum):
    """Where a feedback item is in the admin inbox's workflow."""

    NEW = "new"
    ACCEPTED = "accepted"
    INCORPORATED = "incorporated"
    DISMISSED = "dismissed"


class FeedbackKind(StrEnum):
    """The kinds of feedback item: what `item.kind` says and the inbox filters by."""

    NOTE = "note"
    RATING = "rating"


class RatingReason(StrEnum):
    """Why a step got a thumbs down."""

    WRONG = "wrong"
    UNCLEAR = "unclear"
    OUTDATED = "outdated"
    MISSING = "missing"
    OTHER = "other"


class FeedbackItem:
    """What notes and ratings share: the step they are on, who raised them, and the inbox workflow."""

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    step_key: Mapped[str] = mapped_column(String(MAX_NAME))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(
        String(16), one_of("status", FeedbackStatus), default=FeedbackStatus.NEW, index=True
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")  # why dismissed; shown to the agent
    resolved_revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None]

    # Two foreign keys each point at revisions and at users: name the one each relationship follows.
    @declared_attr
    def document(cls) -> Mapped[Document]:
        return relationship()

    @declared_attr
    def revision(cls) -> Mapped[Revision]:
        return relationship(foreign_keys=f"{cls.__name__}.revision_id")

    @declared_attr
    def resolved_revision(cls) -> Mapped[Revision | None]:
        return relationship(foreign_keys=f"{cls.__name__}.resolved_revision_id")

    @declared_attr
    def user(cls) -> Mapped[User]:
        return relationship(foreign_keys=f"{cls.__name__}.user_id")


class StepNote(FeedbackItem, db.Model):
    """An agent's note on a step: private to its author (and admins) unless shared."""

    __tablename__ = "step_notes"
    __table_args__ = (Index("ix_step_notes_document_step", "document_id", "step_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    body: Mapped[str] = mapped_column(Text)
    shared: Mapped[bool] = mapped_column(default=False)

    kind = FeedbackKind.NOTE


class StepRating(FeedbackItem, db.Model):
    """Thumbs up or down on a step: one per agent per step per revision, changeable."""

    __tablename__ = "step_ratings"
    __table_args__ = (
        UniqueConstraint("user_id", "revision_id", "step_key", name="uq_step_ratings_user_revision_step"),
        Index("ix_step_ratings_document_step", "document_id", "step_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), index=True)
    positive: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(String(16), one_of("reason", RatingReason))
    comment: Mapped[str] = mapped_column(Text, default="")

    kind = FeedbackKind.RATING


class NotificationKind(StrEnum):
    """What a notification tells: what became of an agent's feedback, or of an author's draft."""

    INCORPORATED = "incorporated"
    DISMISSED = "dismissed"
    RETURNED = "returned"  # a reviewer sent the draft back with a comment
    PUBLISHED = "published"  # the draft went live


class Notification(db.Model):
    """Something a person should hear about: their feedback changed the guidance or was declined,
    their draft was returned or went live."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), one_of("kind", NotificationKind))
    message: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(1024), default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
