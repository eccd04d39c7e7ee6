"""Reading published documents as a given user sees them."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from ..content import DocumentKind, ParsedDocument, parse_document
from ..extensions import db
from ..models import Document, DocumentContactReason, DocumentTag, Pin, Revision, Role, User


def visible(query: Select, user: User) -> Select:
    """Restrict a Document query to what the user's role may read, inside the query itself."""
    query = query.where(Document.published_revision_id.is_not(None))
    if user.has_role(Role.AUTHOR):
        return query
    return query.where(or_(Document.audience == "", Document.audience.contains(f",{user.role},")))


def can_read(document: Document, user: User) -> bool:
    return user.has_role(Role.AUTHOR) or not document.audience or f",{user.role}," in document.audience


def _document_by_slug():
    # Built once, for readers who see everything and for those limited by audience: building
    # the statement cost more than running it.
    query = (
        select(Document)
        .options(joinedload(Document.published_revision))  # every page of a document reads both
        .where(Document.slug == bindparam("slug"), Document.published_revision_id.is_not(None))
    )
    limited = query.where(or_(Document.audience == "", Document.audience.contains(bindparam("audience"))))
    return {True: query, False: limited}


_BY_SLUG = _document_by_slug()


def get_document(slug: str, user: User) -> Document | None:
    """The document with its published revision, in one query, if `user` may read it (see `visible`)."""
    statement = _BY_SLUG[user.has_role(Role.AUTHOR)]
    return db.session.scalar(statement, {"slug": slug, "audience": f",{user.role},"})


def documents_for_reason(code: str, user: User) -> list[Document]:
    """Phone systems send codes in any letter case; codes saved before they had to be lowercase may have capitals."""
    query = (
        visible(select(Document), user)
        .join(DocumentContactReason)
        .where(func.lower(DocumentContactReason.code) == code.lower())
    )
    return list(db.session.scalars(query.order_by(Document.title)))


def library(user: User) -> dict[str, list[Document]]:
    """Every document the user may read, once each: by kind (processes first), then by title."""
    grouped: dict[str, list[Document]] = {kind.value: [] for kind in DocumentKind}
    for document in db.session.scalars(visible(select(Document), user).order_by(func.lower(Document.title))):
        grouped.setdefault(document.kind, []).append(document)
    return {kind: documents for kind, documents in grouped.items() if documents}


def updated_since(user: User, since: datetime | None) -> list[tuple[Document, Revision]]:
    """Documents the user may read whose published revision came out after `since`, newest first."""
    if since is None:
        return []
    query = (
        visible(select(Document, Revision), user)
        .join(Revision, Revision.id == Document.published_revision_id)
        .where(Revision.published_at > since)
        .order_by(Revision.published_at.desc(), Document.title)
    )
    return [(document, revision) for document, revision in db.session.execute(query)]


def tagged(tag: str, user: User) -> list[Document]:
    query = visible(select(Document), user).join(DocumentTag).where(DocumentTag.tag == tag)
    return list(db.session.scalars(query.order_by(Document.title)))


def all_tags(user: User) -> list[str]:
    query = visible(select(DocumentTag.tag).distinct(), user).join(Document, Document.id == DocumentTag.document_id)
    return sorted(db.session.scalars(query))


def pinned(user: User) -> list[Document]:
    query = visible(select(Document), user).join(Pin).where(Pin.user_id == user.id)
    return list(db.session.scalars(query.order_by(Pin.created_at.desc())))


def is_pinned(document: Document, user: User) -> bool:
    return db.session.get(Pin, (user.id, document.id)) is not None


def toggle_pin(document: Document, user: User) -> bool:
    pin = db.session.get(Pin, (user.id, document.id))
    if pin:
        db.session.delete(pin)
    else:
        db.session.add(Pin(user_id=user.id, document_id=document.id))
    db.session.commit()
    return pin is None


PARSES_KEPT = 1024
_parses: OrderedDict[tuple[int, str, str | None], ParsedDocument] = OrderedDict()
_parses_lock = threading.Lock()


def parsed(revision: Revision) -> ParsedDocument:
    """The revision's text parsed. Revisions never change once saved, so a parse is good for the
    process's lifetime: the most recent ones are kept."""
    key = (revision.id, revision.source, revision.source_path)
    with _parses_lock:
        found = _parses.get(key)
        if found is not None:
            _parses.move_to_end(key)
            return found
    found = parse_document(revision.source, revision.source_path)[0]
    remember_parse(revision, found)
    return found


def remember_parse(revision: Revision, document: ParsedDocument) -> None:
    """A parse made while publishing (of this text, read from this path), so indexing it right
    after does not parse it again (measured: 0.4 s of the handbook's import)."""
    with _parses_lock:
        _parses[(revision.id, revision.source, revision.source_path)] = document
        _parses.move_to_end((revision.id, revision.source, revision.source_path))
        while len(_parses) > PARSES_KEPT:
            _parses.popitem(last=False)


def kinds_by_slug(slugs: set[str]) -> dict[str, str]:
    """The kinds of the published documents among `slugs`. A document never published is left
    out: its kind follows its draft, which can change without a publication, and so without
    moving the content generation that renderings linking to it are kept by."""
    if not slugs:
        return {}
    published = Document.published_revision_id.is_not(None)
    rows = db.session.execute(select(Document.slug, Document.kind).where(Document.slug.in_(slugs), published))
    return dict(rows.all())
