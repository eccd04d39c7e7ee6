"""The one way content goes live or leaves the library.

Import, approval, scheduled publication, restore, an admin's direct publish and archive all end
in `publish()`: it checks the text, numbers and writes the revision, makes it the document's
current one, writes the audit log, commits (with whatever the caller prepared in the same
transaction), and only then announces the change with the `content_changed` signal, which search
follows. Nothing else sets `Document.published_revision`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select

from .. import events
from ..content import ParsedDocument, Problem, parse_document
from ..extensions import db
from ..models import (
    AuditAction,
    Document,
    DocumentContactReason,
    DocumentTag,
    Revision,
    RevisionOrigin,
    RevisionStatus,
    RevisionStep,
    User,
)
from ..models._base import utcnow
from ..signals import content_changed, content_publishing
from . import audit, inbox
from .content_state import next_generation
from .documents import remember_parse


class SourceProblems(ValueError):
    """The text has problems that make it unusable; nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


@dataclass
class Publication:
    """One change to what agents see: `revision` goes live, or None takes the document out."""

    document: Document
    revision: Revision | None
    action: AuditAction = AuditAction.PUBLISHED  # what the audit log calls it
    detail: str = ""
    parsed: ParsedDocument | None = None  # when the caller has parsed the text already
    addresses: list = field(default_factory=list)  # inbox items it addresses: marked incorporated
    incorporated: int = 0  # how many of them were (set by publish)


def sha256(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def new_revision(
    document: Document,
    source: str,
    *,
    origin: RevisionOrigin,
    author: User | None,
    source_path: str,
    change_note: str = "",
    restored_from: Revision | None = None,
) -> Revision:
    """A revision holding `source`, not yet in the session: a draft, or what publish() makes live."""
    return Revision(
        document=document,
        source=source,
        source_path=source_path,
        origin=origin,
        content_sha256=sha256(source),
        change_note=change_note,
        author_id=author.id if author else None,
        writer_ids=[author.id] if author else [],
        restored_from=restored_from,
        status=RevisionStatus.DRAFT,
    )


def next_number(document: Document) -> int:
    """The number the document's next revision takes (1 for a new document)."""
    if document.id is None:
        return 1
    with db.session.no_autoflush:  # a new revision in the session has no number yet
        highest = db.session.scalar(select(func.max(Revision.number)).where(Revision.document_id == document.id))
    return (highest or 0) + 1


def publish(publications: list[Publication], user: User | None) -> list[Publication]:
    """Make each publication live in one transaction, commit, then send `content_changed`.

    Raises SourceProblems, before writing anything, when a text has blocking problems.
    """
    checked = [(p, _parse(p)) for p in publications]
    documents = [parsed for _, parsed in checked if parsed is not None]
    content_publishing.send(current_app._get_current_object(), documents=documents)
    with db.session.no_autoflush:  # new revisions get their numbers before anything is written
        for publication in publications:
            if publication.revision is not None:
                assign_number(publication.document, publication.revision)
                db.session.add(publication.revision)
    with db.session.no_autoflush:  # (its UPDATE would flush every new row: see below)
        generation = next_generation()
    now = utcnow()
    # One flush at commit, not one per document: a new document's collections then need no loading
    # (measured: 2.1 of the handbook import's 12.8 s were these per-document flushes and loads;
    # and when the generation's UPDATE flushed them all first, 50,000 statements re-read what had
    # just been written, 18 of the 44 s that importing 10,000 documents took).
    with db.session.no_autoflush:
        for publication, parsed in checked:
            document = publication.document
            if publication.revision is None:
                document.published_revision = None
            else:
                _make_current(document, publication.revision, parsed, now)
                if publication.addresses:
                    db.session.flush()
                    publication.incorporated = inbox.incorporate(publication.addresses, publication.revision, user)
            document.generation = generation
            document.updated_at = now
            audit.record(
                publication.action,
                user=user,
                document=document,
                revision=publication.revision,
                detail=publication.detail,
            )
    # What is read of the rows is read before the commit expires them (after it, each would be
    # read back with a statement of its own: 20,000 of them for 10,000 imported documents).
    db.session.flush()
    for publication, parsed in checked:
        if publication.revision is not None and publication.revision.source_path:  # (parsed from that path)
            remember_parse(publication.revision, parsed)
    document_ids = [p.document.id for p in publications]
    db.session.commit()
    for publication in publications:
        _log(publication)
    content_changed.send(current_app._get_current_object(), document_ids=document_ids)
    return publications


def _parse(publication: Publication) -> ParsedDocument | None:
    revision = publication.revision
    if revision is None:
        return None
    if publication.parsed is not None:
        return publication.parsed
    parsed, problems = parse_document(revision.source, revision.source_path or f"{publication.document.slug}.md")
    blocking = [problem for problem in problems if problem.blocking]
    if blocking:
        raise SourceProblems(blocking)
    return parsed


def assign_number(document: Document, revision: Revision) -> None:
    """The number `revision` goes live as (publish() calls it; callers that must name the number
    before, in a notification, call it first). Numbered in the order revisions go live: a draft overtaken by another publication moves up."""
    highest = next_number(document) - 1
    if revision.number is None or revision.number < highest:
        revision.number = highest + 1


def _make_current(document: Document, revision: Revision, parsed: ParsedDocument, now) -> None:
    revision.status = RevisionStatus.PUBLISHED
    revision.published_at = now
    revision.updated_at = now
    revision.meta = parsed.meta()
    revision.content_sha256 = sha256(revision.source)
    revision.steps = [
        RevisionStep(
            key=step.id,
            position=position,
            title=step.title,
            is_decision=step.is_decision,
            content_hash=step.content_hash,
        )
        for position, step in enumerate(parsed.steps)
    ]
    if document.draft_revision is revision:
        document.draft_revision = None
    document.published_revision = revision
    document.title = parsed.title
    document.kind = parsed.kind
    document.summary = parsed.summary
    document.audience = "," + ",".join(parsed.audience) + "," if parsed.audience else ""
    document.tags = [DocumentTag(tag=tag) for tag in dict.fromkeys(parsed.tags)]
    document.contact_reasons = [DocumentContactReason(code=code) for code in dict.fromkeys(parsed.contact_reasons)]


def _log(publication: Publication) -> None:
    if publication.action == AuditAction.IMPORTED:
        return  # an import is one event with its counts (services/library.py); the audit log has each file
    document, revision = publication.document, publication.revision
    if revision is None:
        events.record("document.archived", slug=document.slug)
        return
    origin = "import" if revision.origin == RevisionOrigin.FILE else "app"
    events.record(
        "document.published", slug=document.slug, revision=revision.number, origin=origin, via=publication.action
    )
