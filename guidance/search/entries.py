"""Database documents to index entries."""

from __future__ import annotations

from collections.abc import Iterator

from ..content import Step
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
    entries = [IndexEntry(document.slug, doc, to_plain_text(doc.body), revision.source_path)]
    for step in doc.steps:
        entries.append(IndexEntry(document.slug, doc, to_plain_text(_step_markdown(step)), revision.source_path, step))
    return entries


def _step_markdown(step: Step) -> str:
    """The step's title, text, checklist items and answers; the parser has taken the Say marks off."""
    text = "\n".join(
        block.text if block.type != "checklist" else "\n".join(block.items)
        for block in step.blocks
        if block.type != "decision"
    )
    choices = " ".join(f"{c.answer} {c.label}" for c in step.choices)
    return f"{step.title}\n{text}\n{choices}"


def all_entries(documents: Iterator[Document]) -> Iterator[IndexEntry]:
    for document in documents:
        yield from entries_for(document)
