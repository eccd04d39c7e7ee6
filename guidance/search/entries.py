"""Database documents to index entries."""
from __future__ import annotations

from collections.abc import Iterator

from ..content import ParsedDocument
from ..content.plaintext import to_plain_text
from ..models import Document
from ..services.documents import parsed
from .schema import IndexEntry


def entries_for(document: Document) -> list[IndexEntry]:
    """The document's own entry, then one per step of a process; none if unpublished."""
    revision = document.published_revision
    if revision is None:
        return []
    doc = parsed(revision)
    common = dict(
        slug=document.slug,
        kind=doc.kind,
        title=doc.title,
        tags=doc.tags,
        audience=doc.audience,
        source_path=revision.source_path,
        contact_reasons=doc.contact_reasons,
    )
    entries = [
        IndexEntry(
            **common,
            body=to_plain_text(doc.body),
            summary=doc.summary,
            synonyms=doc.synonyms,
            phrasings=doc.phrasings,
            headings=_headings(doc),
        )
    ]
    for step in doc.steps:
        text = "\n".join(
            block.text if block.type != "checklist" else "\n".join(block.items)
            for block in step.blocks
            if block.type != "decision"
        )
        choices = " ".join(f"{c.answer} {c.label}" for c in step.choices)
        entries.append(
            IndexEntry(**common, step=step.id, step_title=step.title,
                       body=to_plain_text(f"{step.title}\n{text}\n{choices}"))
        )
    return entries


def _headings(doc: ParsedDocument) -> list[str]:
    if doc.steps:
        return [step.title for step in doc.steps]
    return [line.lstrip("#").split("{", 1)[0].strip() for line in doc.body.splitlines() if line.startswith("##")]


def all_entries(documents: Iterator[Document]) -> Iterator[IndexEntry]:
    for document in documents:
        yield from entries_for(document)
