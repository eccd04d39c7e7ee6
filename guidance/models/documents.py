"""Documents and their revisions: the library as the database holds it (each revision's Markdown, its steps, tags and contact reasons)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..content.model import MAX_LABEL, MAX_NAME, DocumentKind
from ..extensions import db
from ._base import one_of, utcnow

if TYPE_CHECKING:
    from .users import User


class Document(db.Model):
    """A document's identity; its content lives in revisions."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(MAX_NAME), unique=True)
    # Denormalised from the published revision so lists and filters need no join.
    title: Mapped[str] = mapped_column(String(MAX_NAME), default="")
    kind: Mapped[str] = mapped_column(String(16), one_of("kind", DocumentKind), default=DocumentKind.ARTICLE)
    summary: Mapped[str] = mapped_column(Text, default="")
    # ",agent,senior-agent," so a LIKE filters by role in SQL; "" means everyone.
    audience: Mapped[str] = mapped_column(String(MAX_NAME), default="")
    published_revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id", use_alter=True))
    # The one open draft (draft, in review, returned or scheduled): authors share it, agents never see it.
    draft_revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id", use_alter=True))
    # The content generation of this document's last change (see ContentState).
    generation: Mapped[int] = mapped_column(default=0, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    published_revision: Mapped[Revision | None] = relationship(foreign_keys=[published_revision_id], post_update=True)
    draft_revision: Mapped[Revision | None] = relationship(foreign_keys=[draft_revision_id], post_update=True)
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="document",
        foreign_keys="Revision.document_id",
        order_by="Revision.number",
    )
    tags: Mapped[list[DocumentTag]] = relationship(cascade="all, delete-orphan")
    contact_reasons: Mapped[list[DocumentContactReason]] = relationship(cascade="all, delete-orphan")


class RevisionStatus(StrEnum):
    """Agents only ever see a document's published revision; everything before it is work in progress.

    draft -> in_review (submitted) -> returned (with a comment) or scheduled or published;
    an open draft may also be discarded. "published" stays on a revision once it went live, also
    after a newer one replaced it: runs and feedback made on it still point at it.
    """

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    DISCARDED = "discarded"


OPEN_STATUSES = (RevisionStatus.DRAFT, RevisionStatus.IN_REVIEW, RevisionStatus.RETURNED, RevisionStatus.SCHEDULED)


class RevisionOrigin(StrEnum):
    """Where a revision's text came from: an imported file (with its SHA-256), or the app."""

    FILE = "file"
    APP = "app"


class Revision(db.Model):
    """One version of a document's Markdown source. An open draft changes as it is saved; a
    published revision never changes again."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    # Published revisions are numbered in the order they went live; a draft takes the next
    # number when created and a new one if another revision went live before it.
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), one_of("status", RevisionStatus), default=RevisionStatus.DRAFT)
    source: Mapped[str] = mapped_column(Text)
    source_path: Mapped[str] = mapped_column(String(1024), default="")
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    origin: Mapped[str] = mapped_column(String(8), one_of("origin", RevisionOrigin), default=RevisionOrigin.APP)
    content_sha256: Mapped[str] = mapped_column(String(64), default="")  # of the source as UTF-8: a file's bytes
    change_note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Everyone who saved this draft: none of them may approve it (GUIDANCE_AUTHORS_APPROVE).
    writer_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    base_revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))  # what the draft started from
    restored_from_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    saves: Mapped[int] = mapped_column(default=0)  # bumped by every save: a stale save is a conflict
    submitted_at: Mapped[datetime | None]
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_comment: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None]
    publish_at: Mapped[datetime | None] = mapped_column(index=True)  # scheduled publication (UTC)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    document: Mapped[Document] = relationship(back_populates="revisions", foreign_keys=[document_id])
    steps: Mapped[list[RevisionStep]] = relationship(order_by="RevisionStep.position", cascade="all, delete-orphan")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    base_revision: Mapped[Revision | None] = relationship(foreign_keys=[base_revision_id], remote_side=[id])
    restored_from: Mapped[Revision | None] = relationship(foreign_keys=[restored_from_id], remote_side=[id])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class RevisionStep(db.Model):
    """A step of a process revision; `key` is the step's stable id across revisions."""

    __tablename__ = "revision_steps"
    __table_args__ = (UniqueConstraint("revision_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), index=True)
    key: Mapped[str] = mapped_column(String(MAX_NAME))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(MAX_NAME))
    is_decision: Mapped[bool] = mapped_column(default=False)
    # The step's content (Step.content_hash): ratings on equal content count for each other.
    content_hash: Mapped[str] = mapped_column(String(64), default="", index=True)


class DocumentTag(db.Model):
    __tablename__ = "document_tags"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(MAX_LABEL), primary_key=True, index=True)


class DocumentContactReason(db.Model):
    __tablename__ = "document_contact_reasons"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(MAX_LABEL), primary_key=True, index=True)
