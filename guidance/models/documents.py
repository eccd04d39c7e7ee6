"""Documents and their revisions: the library as the database holds it (each revision's Markdown, its steps, tags and contact reasons)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..content.model import MAX_LABEL, MAX_NAME, DocumentKind
from ..extensions import db
from ._base import one_of, utcnow


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
    # The content generation of this document's last change (see ContentState).
    generation: Mapped[int] = mapped_column(default=0, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    published_revision: Mapped[Revision | None] = relationship(foreign_keys=[published_revision_id], post_update=True)
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="document",
        foreign_keys="Revision.document_id",
        order_by="Revision.number",
    )
    tags: Mapped[list[DocumentTag]] = relationship(cascade="all, delete-orphan")
    contact_reasons: Mapped[list[DocumentContactReason]] = relationship(cascade="all, delete-orphan")


class RevisionStatus(StrEnum):
    """Agents only ever see a document's published revision; a draft is work in progress."""

    DRAFT = "draft"
    PUBLISHED = "published"


class Revision(db.Model):
    """One saved version of a document's Markdown source. Never changed once published."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), one_of("status", RevisionStatus), default=RevisionStatus.DRAFT)
    source: Mapped[str] = mapped_column(Text)
    source_path: Mapped[str] = mapped_column(String(1024), default="")
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    document: Mapped[Document] = relationship(back_populates="revisions", foreign_keys=[document_id])
    steps: Mapped[list[RevisionStep]] = relationship(order_by="RevisionStep.position", cascade="all, delete-orphan")


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


class DocumentTag(db.Model):
    __tablename__ = "document_tags"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(MAX_LABEL), primary_key=True, index=True)


class DocumentContactReason(db.Model):
    __tablename__ = "document_contact_reasons"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(MAX_LABEL), primary_key=True, index=True)
