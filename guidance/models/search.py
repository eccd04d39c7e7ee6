"""What search needs from the database: the content generation every worker follows, the search log, synonym groups and API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..content.model import MAX_LABEL
from ..extensions import db
from ._base import one_of, utcnow


class ContentState(db.Model):
    """One row: the content generation, bumped by every change search must see.

    Each process compares it with the generation its index holds and catches up, so workers
    and machines sharing one database never serve stale results for long.
    """

    __tablename__ = "content_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(default=0)
    synonyms_version: Mapped[int] = mapped_column(default=0)


class SearchSource(StrEnum):
    """Where a logged search was typed: the web pages, or a script or CRM through the JSON API."""

    WEB = "web"
    API = "api"


class SearchLog(db.Model):
    __tablename__ = "search_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Made when the search is answered, before the row is written (services/search_log.py):
    # the results page uses it to record which result was opened.
    key: Mapped[str | None] = mapped_column(String(32), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    query: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(16), one_of("source", SearchSource), default=SearchSource.WEB)
    results: Mapped[list[str]] = mapped_column(JSON, default=list)  # slugs shown, in order
    opened_slug: Mapped[str | None] = mapped_column(String(255))
    opened_rank: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SynonymGroup(db.Model):
    """Words and phrases that mean the same to our customers, edited by admins."""

    __tablename__ = "synonym_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    terms: Mapped[str] = mapped_column(Text)  # "card not arrived, card not delivered, where is my card"
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Example(db.Model):
    """A customer's own words for a contact reason: used by search, never shown as content.

    Imported from a CRM's closed cases (`source` is the file's name, `contact_reason` says which
    documents it belongs to), or learned from an agent's search that led to a finished process
    (`source` "learned", with the `document_id` and the `user_id` who searched).
    """

    __tablename__ = "examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of source, reason, document, user and text: re-importing a file adds nothing.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)
    contact_reason: Mapped[str | None] = mapped_column(String(MAX_LABEL), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    source: Mapped[str] = mapped_column(String(255), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
