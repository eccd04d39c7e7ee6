"""A document as the semantic stage sees it: short passages, each pointing at where it came from.

One embedding cannot stand for a long page, so every published document is cut into passages:
its curated texts (summary, synonyms, phrasings, examples), its title with the heading path of
each section and the section's text (long sections in ~128-token chunks, the model's window),
and each process step. A passage knows its anchor, so a result can link to the part that fits.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..content.parser import FENCE, HEADING, _heading_parts
from .schema import IndexEntry

# Embedding costs ~20 MFLOP per word piece: a 10,000-page library at 128 pieces a section would
# take hours on two cores. A section's heading path and its opening say what it is about; so
# each section and step gives one passage of about 64 word pieces.
CHUNK_WORDS = 45
MIN_WORDS = 4  # a heading with no text under it adds nothing its title passage lacks
MAX_PASSAGES = 24  # per document: a very long page is summarised by its first sections
# Curated texts and customers' words (entries.EXAMPLES at most) are short and say what the page is
# for: they are counted apart, so a page with many examples keeps its title, sections and steps.
MAX_CURATED = 80


@dataclass(frozen=True)
class Passage:
    slug: str
    anchor: str  # step id or heading id; "" for the document as a whole
    kind: str  # curated | title | section | step
    text: str
    label: str = ""  # the step's or section's heading, to name the link

    @property
    def key(self) -> str:
        """What the embedding depends on: the text alone, so a move or rename reuses it."""
        return hashlib.sha256(self.text.encode()).hexdigest()


def passages_for(entries: list[IndexEntry]) -> list[Passage]:
    """The passages of one document, from its index entries (the document's, then its steps')."""
    if not entries:
        return []
    main = entries[0]
    doc, slug = main.document, main.slug
    found = [Passage(slug, "", "curated", text) for text in main.semantic_texts() if text != doc.title]
    found.append(Passage(slug, "", "title", _title_text(doc.title, doc.summary)))
    steps = [entry for entry in entries[1:] if entry.step is not None]
    if steps:
        for entry in steps:
            for chunk in _chunks(entry.body):
                found.append(Passage(slug, entry.step.id, "step", f"{doc.title} › {chunk}", entry.step.title))
    else:
        for anchor, path, text in _sections(doc.title, doc.body):
            label = path.rsplit(" › ", 1)[-1] if anchor else ""
            for chunk in list(_chunks(text)) or ([""] if anchor else []):
                found.append(Passage(slug, anchor, "section", f"{path}: {chunk}" if chunk else path, label))
    unique = {p.text: p for p in reversed(found)}  # the first of equal texts keeps its anchor
    kept = [p for p in found if unique[p.text] is p]
    curated = [p for p in kept if p.kind == "curated"]
    return curated[:MAX_CURATED] + [p for p in kept if p.kind != "curated"][:MAX_PASSAGES]


def digest(passages: list[Passage]) -> str:
    """Which version of a document's passages: stored with its index entry and with the matrix,
    so rows embedded from an older version are never taken for the current one."""
    return hashlib.sha256("\n".join(p.key for p in passages).encode()).hexdigest()[:16]


def grouped(entries: Iterable[IndexEntry]) -> Iterator[tuple[str, list[IndexEntry]]]:
    """Consecutive entries of one document together (a document's steps follow it)."""
    slug, group = None, []
    for entry in entries:
        if entry.slug != slug and group:
            yield slug, group
            group = []
        slug = entry.slug
        group.append(entry)
    if group:
        yield slug, group


def _title_text(title: str, summary: str) -> str:
    return f"{title}. {summary}" if summary else title


def _sections(title: str, body: str) -> Iterator[tuple[str, str, str]]:
    """(heading id, title › heading path, plain text) of each part of a page, the intro first."""
    path: list[tuple[int, str]] = []
    anchor, lines, fence = "", [], None

    def flush():
        text = _plain("\n".join(lines))
        heading = " › ".join([title, *(h for _, h in path)])
        return anchor, heading, text

    for line in body.splitlines():
        marker = FENCE.match(line)
        if marker:
            fence = None if fence else marker.group(1)
        match = None if fence else HEADING.match(line)
        if not match:
            lines.append(line)
            continue
        yield flush()
        level = len(match.group(1))
        text, anchor, _ = _heading_parts(match.group(2))
        path = [(lvl, h) for lvl, h in path if lvl < level] + [(level, _plain_heading(text))]
        lines = []
    yield flush()


def _plain_heading(text: str) -> str:
    return _plain(text).strip()


# Markdown to words, roughly: the model needs the words, not the exact text a reader sees (that is
# plaintext.py's job, and running Python-Markdown per section would cost seconds per thousand pages).
_MARKUP = re.compile(
    r"!?\[([^\]]*)\]\([^)]*\)|<[^>]+>|\{#[^}]*\}|^\s*(?:[-*+]\s+\[[ xX]\]|[-*+>]|\d+\.)\s+|[*_`|#~]+|\\",
    re.MULTILINE,
)


def _plain(markdown: str) -> str:
    return _MARKUP.sub(lambda m: (m.group(1) or "") + " " if m.group(1) is not None else " ", markdown)


def _chunks(text: str) -> Iterator[str]:
    words = text.split()
    if len(words) >= MIN_WORDS:
        yield " ".join(words[:CHUNK_WORDS])
