"""Import a tree of guidance files into the database, and export it back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from .. import events
from ..content import ParsedDocument, Problem
from ..content.files import write_inside
from ..content.tree import SourceFile, load_tree
from ..extensions import db
from ..models import Document, DocumentContactReason, DocumentTag, Revision, RevisionStatus, RevisionStep, User
from ..models._base import utcnow
from .content_state import next_generation


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[SourceFile] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def slug_for(path: str) -> str:
    return path[:-3] if path.endswith(".md") else path


def import_tree(
    root: Path, *, author: User | None = None, progress: Callable[[str], None] | None = None
) -> ImportReport:
    """Publish every changed file as a new revision; unchanged files create nothing."""
    report = ImportReport()
    files = load_tree(root)
    existing = {d.slug: d for d in db.session.scalars(select(Document))}
    generation = None
    for file in files:
        if progress:
            progress(file.path)
        if not file.importable:
            report.failed.append(file)
            continue
        report.warnings += file.problems
        document = existing.get(slug_for(file.path))
        current = document.published_revision if document else None
        if current is not None and current.source == file.source:
            report.unchanged += 1
            continue
        if document is None:
            document = Document(slug=slug_for(file.path))
            db.session.add(document)
            report.created += 1
        else:
            report.updated += 1
        generation = generation or next_generation()
        publish(document, file.source, file.document, author=author, source_path=file.path, generation=generation)
    db.session.commit()
    events.record(
        "import",
        root=str(root),
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        failed=len(report.failed),
        warnings=len(report.warnings),
    )
    if generation:
        from .. import search  # search depends on these services, not the other way round

        search.index_changes()
    return report


def publish(
    document: Document,
    source: str,
    parsed: ParsedDocument,
    *,
    author: User | None,
    source_path: str,
    generation: int | None = None,
) -> Revision:
    """Add a published revision and make it the document's current one.

    The caller commits, then calls `search.index_changes()`.
    """
    number = (
        db.session.scalar(select(func.max(Revision.number)).where(Revision.document_id == document.id))
        if document.id
        else None
    ) or 0
    now = utcnow()
    revision = Revision(
        document=document,
        number=number + 1,
        status=RevisionStatus.PUBLISHED,
        source=source,
        source_path=source_path,
        meta=parsed.meta(),
        author_id=author.id if author else None,
        published_at=now,
        steps=[
            RevisionStep(key=step.id, position=position, title=step.title, is_decision=step.is_decision)
            for position, step in enumerate(parsed.steps)
        ],
    )
    db.session.add(revision)
    document.published_revision = revision
    document.title = parsed.title
    document.kind = parsed.kind
    document.summary = parsed.summary
    document.audience = "," + ",".join(parsed.audience) + "," if parsed.audience else ""
    document.updated_at = now
    document.generation = generation or next_generation()
    document.tags = [DocumentTag(tag=tag) for tag in dict.fromkeys(parsed.tags)]
    document.contact_reasons = [DocumentContactReason(code=code) for code in dict.fromkeys(parsed.contact_reasons)]
    return revision


def archive(document: Document) -> None:
    """Take a document out of the library; its revisions, runs and feedback stay."""
    document.published_revision = None
    document.generation = next_generation()
    document.updated_at = utcnow()
    db.session.commit()
    from .. import search

    search.index_changes()


def export_tree(dest: Path) -> tuple[int, list[tuple[str, str]]]:
    """Write every published revision back to the path it came from.

    Returns the count written and, for each file not written, its path and why: a symbolic
    link in the target folder is never written through.
    """
    count, refused = 0, []
    documents = db.session.scalars(select(Document).where(Document.published_revision_id.is_not(None)))
    for document in documents:
        revision = document.published_revision
        path = revision.source_path or f"{document.slug}.md"
        problem = write_inside(dest, path, revision.source.encode("utf-8"))
        if problem:
            refused.append((path, problem))
        else:
            count += 1
    return count, sorted(refused)
