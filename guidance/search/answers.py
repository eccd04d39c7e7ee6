"""What a search answers, and how one question's answer is put together once the candidates are
ranked: the corrections tried against the typed words, the closest titles offered with "no good
match", and the hits shown with their best step or section and their extracts."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

from markupsafe import Markup
from whoosh import query as q

from . import hybrid, scoring, snippets
from . import query as queries
from .judging import better, closest_titles, is_weak
from .recent import light


@dataclass
class Hit:
    slug: str
    title: str
    kind: str
    score: float
    summary: str = ""
    source_path: str = ""
    contact_reasons: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    step: str | None = None
    step_title: str | None = None
    section: str | None = None  # the heading id of the best-matching section of a page
    section_title: str | None = None
    snippet: Markup = field(default_factory=Markup)

    def as_json(self) -> dict:
        return {
            "slug": self.slug,
            "title": self.title,
            "kind": self.kind,
            "step": self.step,
            "section": self.section,
            "score": round(self.score, 4),
            "source_path": self.source_path,
            "contact_reasons": self.contact_reasons,
        }


@dataclass
class Results:
    query: str
    hits: list[Hit] = field(default_factory=list)
    corrected: str | None = None  # the query we searched instead ("did you mean")
    weak: bool = False  # no good match: the best hit is not a real answer (hits are still listed)
    closest: list[Hit] = field(default_factory=list)  # titles close to the words, when weak
    unavailable: str | None = None  # why search cannot answer right now
    message: str | None = None  # for an empty or unusable query

    @property
    def no_good_match(self) -> bool:
        return self.weak

    def as_json(self) -> dict:
        """What the CLI and the API answer: every answer says whether anything fits."""
        return {
            "query": self.query,
            "results": [hit.as_json() for hit in self.hits],
            "no_good_match": self.weak,
            "corrected": self.corrected,
        }


class Scope(NamedTuple):
    """What every search of one question shares: the searcher, its filters and the matrix."""

    searcher: object
    restrict: q.Query | None
    mask: q.Query | None
    depth: int  # lexical hits taken: at least the limit, and as many as fusing takes by meaning
    matrix: object  # vectors.Matrix, or None: words alone
    synonyms: list
    as_you_type: bool

    def lexical(self, query: q.Query):
        return scoring.search(self.searcher, query, limit=self.depth, filter=self.restrict, mask=self.mask)

    def rank(self, found, near) -> list[hybrid.Candidate]:
        if near is None or self.matrix is None:
            return [replace(hybrid.candidate(self.searcher, hit, hit.score), score=hit.score) for hit in found]
        return hybrid.fuse(self.searcher, found, self.matrix, near, self.restrict, self.mask)


class Attempt(NamedTuple):
    """What one spelling of the question found: the typed one (spelling None) or a correction."""

    spelling: str | None
    analysed: queries.Analysed
    terms: list[str]
    weak: bool
    ranked: list[hybrid.Candidate]
    vector: object  # its embedding, or None


def best_correction(scope: Scope, typed: Attempt, found, near, tried: list[str], meanings: list) -> Attempt | None:
    """The correction that finds the best answer, clearly better than the typed words found, or None.

    Each way of correcting the unknown words is searched. Judged by meaning, not spelling: "chargd
    twise" is "charged twice" here, not "card twice". With no unknown word there is nothing to
    correct: the typed words less their stop words are not a correction (that "spelling" once won
    by meaning alone, and was shown as "Showing results for ...")."""
    chosen, searched = None, queries.build(typed.analysed)
    for corrected, vector in zip(tried, meanings, strict=True):
        retyped = queries.analyse(corrected, scope.synonyms, scope.as_you_type)
        retry = queries.focus(retyped, scope.searcher.reader())
        if retyped.terms == typed.terms and queries.build(retry) == searched:  # the same lexical answer
            retried, retried_weak = found, typed.weak
        else:
            retried = scope.lexical(queries.build(retry))
            retried_weak = is_weak(scope.searcher, retried, retyped.terms, retry)
        near2 = None
        if vector is not None:
            lexical_slugs = [light(scope.searcher, hit.docnum)["slug"] for hit in retried]
            near2 = hybrid.nearest(scope.matrix, vector, hybrid.rows_near(scope.matrix, near[1], lexical_slugs))
        reranked = scope.rank(retried, near2)
        edits = queries.edits(typed.analysed.words, corrected.split())
        if better(typed.ranked, typed.vector, reranked, retried_weak, vector, edits) and (
            chosen is None or (reranked and reranked[0].score > chosen.ranked[0].score)
        ):
            chosen = Attempt(corrected, retry, retyped.terms, retried_weak, reranked, vector)
    return chosen


def closest(scope: Scope, terms: list[str], ranked: list[hybrid.Candidate], by_meaning: bool) -> list[Hit]:
    """Titles close to the words, offered with "no good match"; else the nearest by meaning."""
    restrict = q.And([q.Term("type", "doc"), *([scope.restrict] if scope.restrict else [])])
    titles = scoring.search(
        scope.searcher, closest_titles(scope.searcher.reader(), terms), limit=3, filter=restrict, mask=scope.mask
    )
    found = [Hit(slug=h["slug"], title=h["title"], kind=h["kind"], score=h.score) for h in titles]
    if not found and by_meaning:
        found = [Hit(slug=c.slug, title=c.hit["title"], kind=c.hit["kind"], score=c.score) for c in ranked[:3]]
    return found


def hits(ranked: list[hybrid.Candidate], steps: dict[str, tuple[str, str]], extracts: bool, marks) -> list[Hit]:
    """The results shown, each linked to its best step or section, with an extract if asked for
    (`marks`: the searched words; None when none is worth marking, and the summary is shown)."""
    shown = []
    for candidate in ranked:
        hit = candidate.hit
        snippet = snippets.snippet(hit.get("body", ""), marks, hit.get("summary", "")) if extracts else ""
        step, section = steps.get(candidate.slug), None
        if candidate.anchor_kind == "step":
            step = (candidate.anchor, candidate.label)
        elif candidate.anchor_kind == "section" and candidate.anchor:
            section = (candidate.anchor, candidate.label)
        shown.append(
            Hit(
                slug=candidate.slug,
                title=hit["title"],
                kind=hit["kind"],
                score=candidate.score + candidate.lead,  # in the order shown
                summary=hit.get("summary", ""),
                source_path=hit.get("source_path", ""),
                contact_reasons=hit.get("contact_reasons", []),
                tags=[t for t in hit.get("tags", "").split(",") if t],
                step=step[0] if step else None,
                step_title=step[1] if step else None,
                section=section[0] if section else None,
                section_title=section[1] if section else None,
                snippet=Markup(snippet),
            )
        )
    return shown
