"""An agent's way through a process (runs: where they are, what they ticked, the path taken) and their pinned documents."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._base import one_of, utcnow
from .documents import Document, Revision


class RunStatus(StrEnum):
    """Whether a run can be resumed (active) or has ended, by finishing or by starting over."""

    ACTIVE = "active"
    FINISHED = "finished"
    ABANDONED = "abandoned"  # the agent started the process again before finishing


class GuideRun(db.Model):
    """One agent following one process revision, kept for resuming and drop-off analysis."""

    __tablename__ = "guide_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    status: Mapped[str] = mapped_column(String(16), one_of("status", RunStatus), default=RunStatus.ACTIVE)
    current_step: Mapped[str] = mapped_column(String(255))
    # Every step shown, in order (analytics), and the path Back unwinds.
    visited: Mapped[list[str]] = mapped_column(JSON, default=list)
    trail: Mapped[list[str]] = mapped_column(JSON, default=list)
    # step key -> indexes of ticked checklist items
    checked: Mapped[dict[str, list[int]]] = mapped_column(JSON, default=dict)
    # The CRM's values for the scripts' placeholders (content/placeholders.py), given when the run
    # started or later in a step's URL; kept with the run so two calls in two tabs never mix.
    context: Mapped[dict[str, str] | None] = mapped_column(JSON, default=dict)
    # decision step key -> index of the answer chosen, for the wrap-up
    answers: Mapped[dict[str, int] | None] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    document: Mapped[Document] = relationship()
    revision: Mapped[Revision] = relationship()


class Pin(db.Model):
    __tablename__ = "pins"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship()
