"""Starting a document in the browser, and the lists an author works from.

A new document's path follows from its kind, title and folder (editable); it must stay inside
the library, use plain lowercase names and not clash with an existing document. It starts as a
draft from the starter text for its kind: agents see nothing until it is published.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from ..content import DocumentKind
from ..content.model import MAX_NAME
from ..content.parser import slugify
from ..content.starters import starter
from ..extensions import db
from ..models import OPEN_STATUSES, AuditAction, Document, Revision, RevisionOrigin, RevisionStatus, User
from . import audit
from .drafts import DraftError
from .library import slug_for
from .publishing import new_revision

NAME = r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9_-])?"
PATH = re.compile(rf"{NAME}(?:/{NAME})*\.md")
FOLDERS = {DocumentKind.PROCESS: "processes", DocumentKind.POLICY: "policies", DocumentKind.ARTICLE: "articles"}
PAGE_SIZE = 50


class PathError(DraftError):
    """The path is outside the library, badly named, or taken."""


def suggested_path(kind: str, title: str, folder: str) -> str:
    folder = folder.strip().strip("/") or FOLDERS.get(kind, "articles")
    name = slugify(title.strip())[:80].strip("-") or "untitled"
    return f"{folder}/{name}.md"


def check_path(path: str) -> str:
    """The path as stored, or DraftError saying what is wrong with it."""
    path = path.strip()
    if not path:
        raise PathError("Give the document a path, like processes/payments/refund.md.")
    if path.startswith("/") or "\\" in path or ".." in path.split("/") or posixpath.normpath(path) != path:
        raise PathError(
            f"'{path}' is outside the library: give a path inside it, like processes/payments/refund.md, "
            "without '..' or a leading '/'."
        )
    if not path.endswith(".md"):
        raise PathError(f"'{path}' must end in .md: documents are Markdown files.")
    if len(path) - 3 > MAX_NAME:
        raise PathError(f"The path is longer than {MAX_NAME} characters.")
    if not PATH.fullmatch(path):
        raise PathError(f"'{path}': use lowercase letters, digits, '-', '_' and '.' in names, separated by '/'.")
    clash = db.session.scalar(select(Document.slug).where(func.lower(Document.slug) == slug_for(path).lower()))
    if clash is not None:
        raise PathError(f"'{path}' is taken: the document '{clash}' is there already. Choose another name.")
    return path


def create_document(kind: str, title: str, path: str, user: User) -> Document:
    """A new document with a draft from the starter text for its kind; commits."""
    if kind not in tuple(DocumentKind):
        raise DraftError("Choose what kind of document this is: process, policy or article.")
    title = " ".join((title or "").split())
    if not title:
        raise DraftError("Give the document a title.")
    if len(title) > MAX_NAME:
        raise DraftError(f"The title is longer than {MAX_NAME} characters.")
    path = check_path(path)
    document = Document(slug=slug_for(path), title=title, kind=kind)
    draft = new_revision(
        document, starter(DocumentKind(kind), title), origin=RevisionOrigin.APP, author=user, source_path=path
    )
    draft.number, draft.saves = 1, 1
    db.session.add_all([document, draft])
    document.draft_revision = draft
    audit.record(AuditAction.CREATED, user=user, document=document, revision=draft, detail=path)
    try:
        db.session.commit()
    except IntegrityError as error:  # someone took the path a moment ago
        db.session.rollback()
        raise PathError(f"'{path}' was taken a moment ago: choose another name.") from error
    return document


def folders() -> list[str]:
    """Folders that hold documents now, for the new-document form to offer."""
    found = {slug.rsplit("/", 1)[0] for slug in db.session.scalars(select(Document.slug)) if "/" in slug}
    return sorted(found | set(FOLDERS.values()))


@dataclass
class Desk:
    """What the authoring page lists for one person."""

    to_review: list[Revision]
    mine: list[Revision]
    returned: list[Revision]
    scheduled: list[Revision]
    others: list[Revision]


def desk(user: User, can_review) -> Desk:
    drafts = list(
        db.session.scalars(
            select(Revision)
            .join(Document, Document.draft_revision_id == Revision.id)
            .order_by(Revision.updated_at.desc())
        )
    )
    mine = [d for d in drafts if user.id in (d.writer_ids or [])]
    return Desk(
        to_review=[d for d in drafts if d.status == RevisionStatus.IN_REVIEW and can_review(user, d)],
        mine=[d for d in mine if d.status in (RevisionStatus.DRAFT, RevisionStatus.IN_REVIEW)],
        returned=[d for d in mine if d.status == RevisionStatus.RETURNED],
        scheduled=[d for d in drafts if d.status == RevisionStatus.SCHEDULED],
        others=[d for d in drafts if user.id not in (d.writer_ids or []) and d.status in OPEN_STATUSES],
    )


@dataclass
class LibraryPage:
    documents: list[Document]
    total: int
    page: int
    pages: int


def library(query: str = "", page: int = 1) -> LibraryPage:
    """Every document, published, archived or new, by title; `query` matches title or path."""
    select_documents = select(Document)
    words = query.strip()
    if words:
        pattern = f"%{words.replace('%', '').replace('_', '')}%"
        select_documents = select_documents.where(or_(Document.title.ilike(pattern), Document.slug.ilike(pattern)))
    total = db.session.scalar(select(func.count()).select_from(select_documents.subquery())) or 0
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    rows = db.session.scalars(
        select_documents.order_by(func.lower(Document.title), Document.id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return LibraryPage(list(rows), total, page, pages)
