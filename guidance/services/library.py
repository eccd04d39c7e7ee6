"""Import a tree of guidance files into the database, and export it back.

The database is the source of truth: an import publishes a file only over a revision that came
from that same path's previous import. A document changed in the app since (edited, restored,
archived, or written there and not yet published) keeps the app's version, and the file is
reported as kept, unless the import is forced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from .. import events
from ..content import Problem
from ..content.files import write_inside
from ..content.tree import SourceFile, load_tree
from ..extensions import db
from ..models import AuditAction, Document, RevisionOrigin, RevisionStatus, User
from .publishing import Publication, new_revision, publish, sha256


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[SourceFile] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (path, why the app's version stays)


def slug_for(path: str) -> str:
    return path[:-3] if path.endswith(".md") else path


def import_tree(
    root: Path,
    *,
    author: User | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Publish every new or changed file as a new revision; unchanged files create nothing.

    `force` publishes files over what was changed in the app too (the app's revisions stay in
    each document's history).
    """
    report = ImportReport()
    existing = {d.slug: d for d in db.session.scalars(select(Document))}
    publications = []
    files = load_tree(root)
    with db.session.no_autoflush:  # new revisions are numbered by publish(), not written before
        for file in files:
            if progress:
                progress(file.path)
            _import_file(file, existing, report, publications, author, force)
    if publications:
        publish(publications, author)
    events.record(
        "import",
        root=str(root),
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        kept=len(report.kept),
        failed=len(report.failed),
        warnings=len(report.warnings),
        forced=force,
    )
    return report


def _import_file(
    file: SourceFile,
    existing: dict[str, Document],
    report: ImportReport,
    publications: list[Publication],
    author: User | None,
    force: bool,
) -> None:
    """Decide what one file does (create, update, nothing, kept, failed) and queue its publication."""
    if not file.importable:
        report.failed.append(file)
        return
    report.warnings += file.problems
    document = existing.get(slug_for(file.path))
    current = document.published_revision if document else None
    if current is not None and current.source == file.source:
        report.unchanged += 1
        return
    conflict = None if document is None or force else changed_in_app(document, file.path)
    if conflict:
        report.kept.append((file.path, conflict))
        return
    if document is None:
        document = Document(slug=slug_for(file.path))
        db.session.add(document)
        report.created += 1
    else:
        report.updated += 1
    revision = new_revision(document, file.source, origin=RevisionOrigin.FILE, author=author, source_path=file.path)
    detail = f"{file.path} (SHA-256 {sha256(file.source)[:12]}){' forced over app changes' if force else ''}"
    publications.append(Publication(document, revision, AuditAction.IMPORTED, detail, parsed=file.document))


def changed_in_app(document: Document, path: str) -> str | None:
    """Why a file must not replace what the app has for `document`, or None when it may."""
    current = document.published_revision
    if current is not None:
        if current.origin == RevisionOrigin.FILE and current.source_path == path:
            return None
        return "edited in the app since the last import"
    if any(revision.status == RevisionStatus.PUBLISHED for revision in document.revisions):
        return "archived in the app since the last import"
    return "written in the app and not published yet"


def archive(document: Document, user: User | None = None) -> None:
    """Take a document out of the library; its revisions, open draft, runs and feedback stay."""
    if document.published_revision is None:
        raise ValueError(f"'{document.title}' is not in the library.")
    publish([Publication(document, None, AuditAction.ARCHIVED)], user)


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
