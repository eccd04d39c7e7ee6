"""Database documents to index entries."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from ..content import Step
from ..content.plaintext import to_plain_text
from ..models import Document
from ..services import examples, learning
from ..services.documents import parsed
from .schema import IndexEntry

# Examples a document carries into the index, at most, so its embeddings stay bounded. Measured
# on the banking77 warm set (benchmarks/search_quality.py, 1,000 queries): success@1/@3 with 32
# 0.914/0.974, 64 0.935/0.982, 128 0.942/0.983 at twice the embedding time and stored vectors.
EXAMPLES = 64


def example_texts(document_ids: list[int] | None = None) -> dict[int, list[str]]:
    """Each document's examples, imported and learned, as a sample of at most EXAMPLES.

    The sample is the texts with the lowest hashes: as good as random, and stable, so adding
    examples to a document changes few of the texts it is indexed with."""
    found = examples.imported_texts(document_ids)
    for document_id, texts in learning.used(document_ids).items():
        found.setdefault(document_id, []).extend(texts)
    return {
        document_id: sorted(set(texts), key=lambda t: hashlib.sha1(t.lower().encode()).digest())[:EXAMPLES]
        for document_id, texts in found.items()
    }


def entries_for(document: Document, texts: dict[int, list[str]] | None = None) -> list[IndexEntry]:
    """The document's own entry, then one per step of a process; none if unpublished.

    `texts`: example_texts() of many documents at once, when indexing many."""
    revision = document.published_revision
    if revision is None:
        return []
    doc = parsed(revision)
    texts = example_texts([document.id]) if texts is None else texts
    entries = [
        IndexEntry(
            document.slug, doc, to_plain_text(doc.body), revision.source_path, examples=texts.get(document.id, [])
        )
    ]
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
    texts = example_texts()
    for document in documents:
        yield from entries_for(document, texts)
