"""What the index holds: one entry per published document and one per process step."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh.analysis import NgramWordAnalyzer, StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

# Words that carry no meaning in what agents type or paste ("customer says my card ...").
STOP_WORDS = frozenset(
    """a an and are as at be been but by for from has have he her him his i i'm im if in into is
    it its me my myself of on or our she so than that the their them then there these they this
    those to too us was we were what when where which while who will with would you your yours
    customer customers caller client says said asks asked asking wants wanted like please hi hello
    thanks thank just also still really very""".split()
)
# Whoosh's default word pattern keeps "*" inside words; index and query plain words only.
WORDS = r"\w+(\.?\w+)*"
ANALYZER = StemmingAnalyzer(expression=WORDS, stoplist=STOP_WORDS, minsize=1)
# Edge n-grams of title words make as-you-type suggestions a single term lookup.
PREFIXES = NgramWordAnalyzer(minsize=2, maxsize=12, at="start")
# Unstemmed words, so "did you mean" can offer real words.
SPELLING = StandardAnalyzer(expression=WORDS, stoplist=STOP_WORDS, minsize=3)


def make_schema() -> Schema:
    return Schema(
        key=ID(stored=True, unique=True),  # slug, or slug#step
        type=ID(stored=True),  # doc | step
        slug=ID(stored=True),
        step=ID(stored=True),
        kind=ID(stored=True),
        tags=KEYWORD(stored=True, commas=True, lowercase=True),
        audience=KEYWORD(commas=True),  # roles, or "*" for everyone
        title=TEXT(analyzer=ANALYZER, stored=True, phrase=True),
        title_prefix=TEXT(analyzer=PREFIXES, phrase=False),
        step_title=STORED(),
        synonyms=TEXT(analyzer=ANALYZER, phrase=True),
        phrasings=TEXT(analyzer=ANALYZER, phrase=True),
        reasons=TEXT(analyzer=ANALYZER, phrase=False),
        summary=TEXT(analyzer=ANALYZER, stored=True, phrase=True),
        headings=TEXT(analyzer=ANALYZER, phrase=True),
        body=TEXT(analyzer=ANALYZER, stored=True, phrase=True),
        source_path=STORED(),
        spelling=TEXT(analyzer=SPELLING, phrase=False),
        contact_reasons=STORED(),
    )


@dataclass
class IndexEntry:
    """A document (or one of its steps) as search sees it, independent of the database."""

    slug: str
    kind: str
    title: str
    body: str
    summary: str = ""
    step: str = ""
    step_title: str = ""
    synonyms: list[str] = field(default_factory=list)
    phrasings: list[str] = field(default_factory=list)
    contact_reasons: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    audience: list[str] = field(default_factory=list)
    source_path: str = ""

    def fields(self) -> dict:
        key = f"{self.slug}#{self.step}" if self.step else self.slug
        return {
            "key": key,
            "type": "step" if self.step else "doc",
            "slug": self.slug,
            "step": self.step,
            "kind": self.kind,
            "tags": ",".join(t.lower() for t in self.tags),
            "audience": ",".join(self.audience) if self.audience else "*",
            "title": self.step_title or self.title,
            "title_prefix": "" if self.step else self.title,
            "step_title": self.step_title,
            "synonyms": "\n".join(self.synonyms),
            "phrasings": "\n".join(self.phrasings),
            "reasons": " ".join(re.sub(r"[_\W]+", " ", code) for code in self.contact_reasons),
            "summary": self.summary,
            "headings": "\n".join(self.headings),
            "body": self.body,
            "source_path": self.source_path,
            "contact_reasons": list(self.contact_reasons),
            "spelling": "" if self.step else "\n".join([self.title, *self.synonyms, self.body]),
        }
