"""What agents tell us about steps: notes, ratings, and the notifications that close the loop.

Notes and ratings are tied to the step's stable key and the revision they were made on, so they
outlive revisions. Both are feedback items for the admin inbox: they carry a status
(new | accepted | incorporated | dismissed), the revision that addressed them and a reason shown
to the agent when dismissed.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..content.model import MAX_NAME
from ..extensions import db
from ._base import utcnow
from .documents import Document, Revision
from .users import User

STATUSES = ("new", "accepted", "incorporated", "dismissed")


class FeedbackStatus:
    """The inbox workflow every feedback item shares."""

    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")  # why dismissed; shown to the agent
    resolved_revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None]


class StepNote(FeedbackStatus, db.Model):
    """An agent's note on a step: private to its author (and admins) unless shared."""

    __tablename__ = "step_notes"
    __table_args__ = (Index("ix_step_notes_document_step", "document_id", "step_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    step_key: Mapped[str] = mapped_column(String(MAX_NAME))
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    shared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    kind = "note"

    document: Mapped[Document] = relationship()
    revision: Mapped[Revision] = relationship(foreign_keys=[revision_id])
    resolved_revision: Mapped[Revision | None] = relationship(foreign_keys="StepNote.resolved_revision_id")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class StepRating(FeedbackStatus, db.Model):
    """Thumbs up or down on a step: one per agent per step per revision, changeable."""

    __tablename__ = "step_ratings"
    __table_args__ = (
        UniqueConstraint("user_id", "revision_id", "step_key", name="uq_step_ratings_user_revision_step"),
        Index("ix_step_ratings_document_step", "document_id", "step_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    step_key: Mapped[str] = mapped_column(String(MAX_NAME))
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    positive: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(String(16))  # wrong|unclear|outdated|missing|other
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    kind = "rating"

    document: Mapped[Document] = relationship()
    revision: Mapped[Revision] = relationship(foreign_keys=[revision_id])
    resolved_revision: Mapped[Revision | None] = relationship(foreign_keys="StepRating.resolved_revision_id")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Notification(db.Model):
    """Something an agent should hear about: their feedback changed the guidance, or was declined."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # incorporated | dismissed
    message: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(1024), default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
