"""The audit log: who did what to which document, and when (shown to admins at /admin/audit)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._base import one_of, utcnow
from .documents import Document, Revision
from .users import User


class AuditAction(StrEnum):
    """What happened to a document; the words the audit log filters by."""

    CREATED = "created"
    EDITED = "edited"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    RETURNED = "returned"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    RESTORED = "restored"
    ARCHIVED = "archived"
    IMPORTED = "imported"
    DISCARDED = "discarded"


class AuditEvent(db.Model):
    """One thing a person (or the import, user None) did; written in the same transaction as the change."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(16), one_of("action", AuditAction), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    detail: Mapped[str] = mapped_column(Text, default="")  # a change note, a comment, a file and its hash
    # Saves of one draft by one person in a row are one "edited" line, counted.
    times: Mapped[int] = mapped_column(default=1)

    user: Mapped[User | None] = relationship()
    document: Mapped[Document | None] = relationship()
    revision: Mapped[Revision | None] = relationship()
