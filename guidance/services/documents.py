"""Reading published documents as a given user sees them."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Select, or_, select

from ..content import ParsedDocument, parse_document
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


def get_document(slug: str, user: User) -> Document | None:
    return db.session.scalar(visible(select(Document), user).where(Document.slug == slug))


def documents_for_reason(code: str, user: User) -> list[Document]:
    query = visible(select(Document), user).join(DocumentContactReason).where(DocumentContactReason.code == code)
    return list(db.session.scalars(query.order_by(Document.title)))


def library_by_tag(user: User) -> dict[str, list[Document]]:
    rows = db.session.execute(
        visible(select(DocumentTag.tag, Document), user)
        .join(Document, Document.id == DocumentTag.document_id)
        .order_by(DocumentTag.tag, Document.title)
    )
    grouped: dict[str, list[Document]] = {}
    for tag, document in rows:
        grouped.setdefault(tag, []).append(document)
    return grouped


def tagged(tag: str, user: User) -> list[Document]:
    query = visible(select(Document), user).join(DocumentTag).where(DocumentTag.tag == tag)
    return list(db.session.scalars(query.order_by(Document.title)))


def all_tags(user: User) -> list[str]:
    query = visible(select(DocumentTag.tag).distinct(), user).join(Document, Document.id == DocumentTag.document_id)
    return sorted(db.session.scalars(query))


def untagged(user: User) -> list[Document]:
    query = visible(select(Document), user).where(~Document.tags.any()).order_by(Document.title)
    return list(db.session.scalars(query))


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


def parsed(revision: Revision) -> ParsedDocument:
    return _parse(revision.id, revision.source, revision.source_path)


@lru_cache(maxsize=1024)
def _parse(revision_id: int, source: str, path: str) -> ParsedDocument:
    # Revisions never change once saved, so a parse is good for the process's lifetime.
    return parse_document(source, path)[0]


def kinds_by_slug(slugs: set[str]) -> dict[str, str]:
    if not slugs:
        return {}
    rows = db.session.execute(select(Document.slug, Document.kind).where(Document.slug.in_(slugs)))
    return dict(rows.all())
