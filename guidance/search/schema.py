"""What the index holds: one entry per published document and one per process step."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from whoosh.analysis import LowercaseFilter, NgramWordAnalyzer, RegexTokenizer, StandardAnalyzer, StemFilter, StopFilter
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from ..content import ParsedDocument, Step
from . import semantic

# Words that carry no meaning in what agents type or paste ("customer says my card ...").
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "he",
        "her",
        "him",
        "his",
        "i",
        "i'm",
        "im",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "myself",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "too",
        "us",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "customer",
        "customers",
        "caller",
        "client",
        "says",
        "said",
        "asks",
        "asked",
        "asking",
        "wants",
        "wanted",
        "like",
        "please",
        "hi",
        "hello",
        "thanks",
        "thank",
        "just",
        "also",
        "still",
        "really",
        "very",
    ]
)
# Whoosh's default word pattern keeps "*" inside words; index and query plain words only.
WORDS = r"\w+(\.?\w+)*"
SPELLING_WORDS = re.compile(r"\w+(?:\.?\w+)*")  # WORDS, matched whole


class _Stems(StemFilter):
    """Whoosh's stemming filter with functools' cache (C) in place of Whoosh's own, which counts
    every use in Python: the handbook's words analysed in 1.23-1.27 s instead of 1.40-1.72, the
    10,000 documents' in 6.8-7.1 s instead of 8.4-8.8 (the same stems)."""

    def clear(self) -> None:  # (also what unpickling calls: the writing processes get the same)
        self._stem = functools.lru_cache(maxsize=self.cachesize)(self.stemfn)


# Whoosh's StemmingAnalyzer(expression=WORDS, stoplist=STOP_WORDS, minsize=1), with _Stems.
ANALYZER = RegexTokenizer(expression=WORDS) | LowercaseFilter() | StopFilter(stoplist=STOP_WORDS, minsize=1) | _Stems()
# Edge n-grams of title words make as-you-type suggestions a single term lookup.
PREFIXES = NgramWordAnalyzer(minsize=2, maxsize=12, at="start")
# Unstemmed words, so "did you mean" can offer real words.
SPELLING_MIN_SIZE = 3
SPELLING = StandardAnalyzer(expression=WORDS, stoplist=STOP_WORDS, minsize=SPELLING_MIN_SIZE)


# How many times each part of a document counts in its `text` field (the body counts once):
# repeating text is how one field carries several weights, so a query walks one posting list per
# word. Measured against one field per part, and against a separate body field: as good or better
# ranked on both query sets, and 2-4x faster at 10,000 documents (benchmarks/).
TEXT_WEIGHTS = {"title": 3, "synonyms": 2, "summary": 1, "phrasings": 1, "reasons": 1, "tags": 1, "headings": 1}


def make_schema() -> Schema:
    return Schema(
        key=ID(stored=True, unique=True),  # slug, or slug#step
        type=ID(stored=True),  # doc | step
        slug=ID(stored=True),
        step=ID(stored=True),
        kind=ID(stored=True),
        tags=KEYWORD(stored=True, commas=True, lowercase=True),
        audience=KEYWORD(commas=True),  # roles, or "*" for everyone
        restricted=ID(),  # "yes" when only some roles may see it: searches mask these, cheaply
        title=TEXT(analyzer=ANALYZER, stored=True, phrase=False),
        title_prefix=TEXT(analyzer=PREFIXES, phrase=False),
        text=TEXT(analyzer=ANALYZER, phrase=False),
        body=STORED(),
        # Steps have their own field, so document searches need no filter to leave them out.
        step_text=TEXT(analyzer=ANALYZER, phrase=False),
        spelling=TEXT(analyzer=SPELLING, phrase=False),
        summary=STORED(),
        step_title=STORED(),
        source_path=STORED(),
        contact_reasons=STORED(),
        meaning=STORED(),  # digest of the document's passages: is the semantic matrix's row for this version?
    )


@dataclass
class IndexEntry:
    """A document (or one of its steps) as search sees it, independent of the database."""

    slug: str
    document: ParsedDocument  # every entry of a document carries its title, kind, tags and audience
    body: str  # plain text: the whole document's, or the step's
    source_path: str = ""
    step: Step | None = None
    # Customers' own words for what the document is for (services/examples.py): searched, never shown.
    examples: list[str] = field(default_factory=list)

    def fields(self) -> dict:
        doc = self.document
        step_title = self.step.title if self.step else ""
        title = step_title or doc.title
        common = {
            "key": f"{self.slug}#{self.step.id}" if self.step else self.slug,
            "type": "step" if self.step else "doc",
            "slug": self.slug,
            "step": self.step.id if self.step else "",
            "kind": str(doc.kind),  # a plain string: stored fields are pickled
            "tags": ",".join(t.lower() for t in doc.tags),
            "audience": ",".join(doc.audience) if doc.audience else "*",
            "restricted": "yes" if doc.audience else "no",
            "title": title,
            "summary": "" if self.step else doc.summary,
            "step_title": step_title,
            "source_path": self.source_path,
            "contact_reasons": list(doc.contact_reasons),
        }
        if self.step:  # steps only answer "which step of these documents?"
            return {**common, "step_text": f"{title}\n{title}\n{self.body}"}
        parts = {
            "title": [title],
            "synonyms": doc.synonyms,
            "summary": [doc.summary],
            "phrasings": doc.phrasings,
            "reasons": [re.sub(r"[_\W]+", " ", code) for code in doc.contact_reasons],
            "tags": doc.tags,
            "headings": _headings(doc),
        }
        weighted = [
            text for name, weight in TEXT_WEIGHTS.items() for _ in range(weight) for text in parts[name] if text
        ]
        return {
            **common,
            "title_prefix": doc.title,
            # Customers' words count once, as the body does (measured on the banking77 warm set:
            # success@1 0.896 without them here, 0.914 with them, the same 32 per document).
            "text": "\n".join([*weighted, *self.examples, self.body]),
            "body": self.body,
            "spelling": "\n".join([doc.title, *doc.synonyms, self.body]),
        }

    def semantic_texts(self) -> list[str]:
        doc = self.document
        if self.step:
            return []
        texts = semantic.texts_for(doc.title, doc.summary, doc.synonyms, doc.phrasings)
        if self.examples:  # customers' words say what a page is for, whatever else it has
            texts = list(dict.fromkeys([*(texts or [doc.title]), *self.examples]))
        return texts


def _headings(doc: ParsedDocument) -> list[str]:
    if doc.steps:
        return [step.title for step in doc.steps]
    return [line.lstrip("#").split("{", 1)[0].strip() for line in doc.body.splitlines() if line.startswith("##")]
