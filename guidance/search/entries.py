"""Database documents to index entries."""

from __future__ import annotations

import hashlib
import multiprocessing
from collections import ChainMap
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice

from ..content import ParsedDocument, Step
from ..content.plaintext import to_plain_text
from ..models import Document
from ..services import examples, learning
from ..services.documents import parsed
from .readahead import reader
from .schema import IndexEntry

# Examples a document carries into the index, at most, so its embeddings stay bounded. Measured
# on the banking77 warm set (benchmarks/search_quality.py, 1,000 queries): success@1/@3 with 32
# 0.914/0.974, 64 0.935/0.982, 128 0.942/0.983 at twice the embedding time and stored vectors.
EXAMPLES = 64
# A whole rebuild spent most of its own time reading Markdown into plain text (the handbook: 5.0 of
# 11.5 s). With more than one process, the next documents are read in other processes while the
# index takes these: `flask guidance import` of the handbook 9.3-11.4 -> 7.8-9.2 s on 2 cores.
WINDOW = 100  # documents read ahead, at most


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


def entries_for(
    document: Document, texts: dict[int, list[str]] | None = None, plain: Callable[[str], str] | None = None
) -> list[IndexEntry]:
    """The document's own entry, then one per step of a process; none if unpublished.

    `texts`: example_texts() of many documents at once, when indexing many; `plain`: what reads
    a Markdown source's words (to_plain_text, or texts read already)."""
    revision = document.published_revision
    if revision is None:
        return []
    doc, plain = parsed(revision), plain or to_plain_text
    texts = example_texts([document.id]) if texts is None else texts
    entries = [
        IndexEntry(document.slug, doc, plain(doc.body), revision.source_path, examples=texts.get(document.id, []))
    ]
    for step in doc.steps:
        entries.append(IndexEntry(document.slug, doc, plain(_step_markdown(step)), revision.source_path, step))
    return entries


def _sources(documents: list[Document]) -> list[str]:
    """The Markdown entries_for() reads, in the order it reads it."""
    found = []
    for document in documents:
        if document.published_revision is not None:
            found += markdown_of(parsed(document.published_revision))
    return found


def markdown_of(doc: ParsedDocument) -> list[str]:
    """The Markdown of a document's entries: its body, then each step's."""
    return [doc.body, *(_step_markdown(step) for step in doc.steps)]


def _step_markdown(step: Step) -> str:
    """The step's title, text, checklist items and answers; the parser has taken the Say marks off."""
    text = "\n".join(
        block.text if block.type != "checklist" else "\n".join(block.items)
        for block in step.blocks
        if block.type != "decision"
    )
    choices = " ".join(f"{c.answer} {c.label}" for c in step.choices)
    return f"{step.title}\n{text}\n{choices}"


def all_entries(
    documents: Iterable[Document], processes: int = 1, read: dict[str, str] | None = None
) -> Iterator[IndexEntry]:
    """Every document's entries, in order. With `processes` > 1, that many other processes read
    the Markdown of the next WINDOW documents meanwhile (forked: they only read text). `read`:
    Markdown already read into plain text (readahead.py)."""
    texts, read = example_texts(), read or {}
    if processes <= 1:
        for document in documents:
            yield from entries_for(document, texts, reader(read))
        return
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
        ahead = None
        for window in _windows(documents):
            sources = [source for source in _sources(window) if source not in read]
            try:
                reading = pool.map(to_plain_text, sources, chunksize=8)  # sent now, answered in order
            except BrokenProcessPool:  # a process died (out of memory, say): read them here
                reading = None
            if ahead is not None:
                yield from _entries(*ahead, texts, read)
            ahead = window, sources, reading
        if ahead is not None:
            yield from _entries(*ahead, texts, read)


def _windows(documents: Iterable[Document]) -> Iterator[list[Document]]:
    found = iter(documents)
    while window := list(islice(found, WINDOW)):
        yield window


def _entries(
    window: list[Document], sources: list[str], reading, texts: dict[int, list[str]], before: dict[str, str]
) -> Iterator[IndexEntry]:
    try:
        read = dict(zip(sources, reading, strict=True)) if reading is not None else {}
    except BrokenProcessPool:
        read = {}
    plain = reader(ChainMap(read, before))
    for document in window:
        yield from entries_for(document, texts, plain)
