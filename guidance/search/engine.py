"""The search service views, the CLI and the API call. It keeps the index in step with the
database: every call first compares generations and catches up, so all workers stay fresh."""
from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup, escape
from sqlalchemy import select
from whoosh import query as q
from whoosh.highlight import ContextFragmenter, HtmlFormatter

from ..extensions import db
from ..models import Document, SynonymGroup
from ..services.content_state import current_generation
from . import query as queries
from .entries import all_entries, entries_for
from .index import IndexMissing, SearchIndex

log = logging.getLogger(__name__)
FORMATTER = HtmlFormatter(tagname="mark", between=" … ")
FRAGMENTER = ContextFragmenter(maxchars=220, surround=60)
MAX_QUERY = 500


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
    snippet: Markup = Markup("")

    def as_json(self) -> dict:
        return {
            "slug": self.slug, "title": self.title, "kind": self.kind, "step": self.step,
            "score": round(self.score, 4), "source_path": self.source_path,
            "contact_reasons": self.contact_reasons,
        }


@dataclass
class Results:
    query: str
    hits: list[Hit] = field(default_factory=list)
    corrected: str | None = None  # the query we searched instead ("did you mean")
    weak: bool = False  # the best hit matches too little of the query to be a real answer
    closest: list[Hit] = field(default_factory=list)  # titles close to the words, when weak
    unavailable: str | None = None  # why search cannot answer right now
    message: str | None = None  # for an empty or unusable query


class SearchEngine:
    def __init__(self, app, data_dir: Path) -> None:
        self.app = app
        self.index = SearchIndex(Path(data_dir) / "search")
        self._rebuilding = threading.Lock()
        self._synonyms: tuple[int, list[list[list[str]]]] = (-1, [])

    # -- keeping the index fresh ----------------------------------------------------------
    def rebuild(self) -> int:
        generation, _ = current_generation()
        documents = db.session.scalars(select(Document).where(Document.published_revision_id.is_not(None)))
        return self.index.rebuild(all_entries(documents), generation)

    def catch_up(self) -> None:
        """Apply every document change the index has not seen (after a commit, or another worker's)."""
        generation, _ = current_generation()
        seen = self.index.generation()
        if seen >= generation:
            return
        changed = db.session.scalars(select(Document).where(Document.generation > seen))
        self.index.update({d.slug: entries_for(d) for d in changed}, generation)

    def ensure_fresh(self, wait: bool = False) -> None:
        try:
            self.catch_up()
        except IndexMissing:
            self.recover(wait)

    def recover(self, wait: bool) -> None:
        """Rebuild a missing or damaged index: now (CLI), or in the background (web)."""
        if wait:
            self.rebuild()
            return
        self._rebuild_in_background()
        raise IndexMissing("the search index is being rebuilt")

    def _rebuild_in_background(self) -> None:
        if not self._rebuilding.acquire(blocking=False):
            return

        def work() -> None:
            try:
                with self.app.app_context():
                    self.rebuild()
            except Exception:  # logged; the next search tries again
                log.exception("search index rebuild failed")
            finally:
                self._rebuilding.release()

        threading.Thread(target=work, name="search-rebuild", daemon=True).start()

    def synonyms(self) -> list[list[list[str]]]:
        """Admin synonym groups as stemmed phrases, reloaded when an admin changes them."""
        _, version = current_generation()
        if self._synonyms[0] != version:
            groups = []
            for row in db.session.scalars(select(SynonymGroup)):
                phrases = [queries.analyse(p).terms for p in row.terms.split(",")]
                groups.append([p for p in phrases if p])
            self._synonyms = (version, groups)
        return self._synonyms[1]

    # -- searching ------------------------------------------------------------------------
    def search(self, text: str, *, role: str | None, limit: int = 10, kind: str | None = None,
               tag: str | None = None, as_you_type: bool = False, wait: bool = False) -> Results:
        """`role` None searches everything; otherwise only what that role's audience allows."""
        text = " ".join(text.split())[:MAX_QUERY]
        results = Results(query=text)
        analysed = queries.analyse(text, self.synonyms(), as_you_type)
        if not analysed.terms:
            results.message = "Type a few words about what the customer needs." if not text else (
                "Those words are too common to search for. Add what the customer needs.")
            return results
        try:
            self.ensure_fresh(wait=wait)
            try:
                with self.index.searcher() as searcher:
                    return self._search(searcher, results, analysed, role, limit, kind, tag, as_you_type)
            except IndexMissing:
                self.recover(wait)
                with self.index.searcher() as searcher:
                    return self._search(searcher, results, analysed, role, limit, kind, tag, as_you_type)
        except IndexMissing:
            results.unavailable = "Search is being rebuilt and will be back in a moment. Browse the library meanwhile."
            return results

    def _search(self, searcher, results, analysed, role, limit, kind, tag, as_you_type) -> Results:
        restrict = self._filter("doc", role, kind, tag)
        found = None
        corrections = queries.correct(searcher, analysed.words)
        if corrections:  # words the library never uses: try the closest words it does use
            corrected = " ".join(corrections.get(w, w) for w in analysed.words)
            retry = queries.analyse(corrected, self.synonyms(), as_you_type)
            found = searcher.search(queries.build(retry), limit=limit, filter=restrict, terms=True)
            if _is_weak(found, retry):
                found = None
            else:
                results.corrected, analysed = corrected, retry
        if found is None:
            found = searcher.search(queries.build(analysed), limit=limit, filter=restrict, terms=True)
        if _is_weak(found, analysed):
            results.weak = True
            closest = searcher.search(_closest_titles(analysed.terms), limit=3, filter=restrict)
            results.closest = [Hit(slug=h["slug"], title=h["title"], kind=h["kind"], score=h.score) for h in closest]
        found.formatter, found.fragmenter = FORMATTER, FRAGMENTER
        steps = self._best_steps(searcher, analysed, [h["slug"] for h in found if h["kind"] == "process"], role)
        for hit in found:
            snippet = hit.highlights("body", top=2) or hit.highlights("summary") or escape(hit.get("summary", ""))
            step = steps.get(hit["slug"])
            results.hits.append(Hit(
                slug=hit["slug"], title=hit["title"], kind=hit["kind"], score=hit.score,
                summary=hit.get("summary", ""), source_path=hit.get("source_path", ""),
                contact_reasons=hit.get("contact_reasons", []),
                tags=[t for t in hit.get("tags", "").split(",") if t],
                step=step[0] if step else None, step_title=step[1] if step else None,
                snippet=Markup(snippet),
            ))
        return results

    def _best_steps(self, searcher, analysed, slugs, role) -> dict[str, tuple[str, str]]:
        if not slugs:
            return {}
        restrict = q.And([self._filter("step", role, None, None), q.Or([q.Term("slug", s) for s in slugs])])
        best: dict[str, tuple[str, str]] = {}
        for hit in searcher.search(queries.build(analysed), limit=len(slugs) * 6, filter=restrict):
            best.setdefault(hit["slug"], (hit["step"], hit["step_title"]))
        return best

    @staticmethod
    def _filter(entry_type: str, role: str | None, kind: str | None, tag: str | None) -> q.Query:
        # Audience and filters are part of the query, so limits count only what the user may see.
        parts: list[q.Query] = [q.Term("type", entry_type)]
        if role is not None:
            parts.append(q.Or([q.Term("audience", "*"), q.Term("audience", role)]))
        if kind:
            parts.append(q.Term("kind", kind))
        if tag:
            parts.append(q.Term("tags", tag.lower()))
        return q.And(parts)

    def suggest(self, text: str, *, role: str | None, limit: int = 8) -> list[Hit]:
        """Titles whose words start with what has been typed so far."""
        words = queries.prefixes(text)
        if not words:
            return []
        try:
            self.ensure_fresh()
            with self.index.searcher() as searcher:
                found = searcher.search(q.And([q.Term("title_prefix", w) for w in words]), limit=limit,
                                        filter=self._filter("doc", role, None, None))
                return [Hit(slug=h["slug"], title=h["title"], kind=h["kind"], score=h.score) for h in found]
        except IndexMissing:
            return []


def _is_weak(found, analysed) -> bool:
    """The best hit matches too few of the query's words to be a real answer."""
    if not found:
        return True
    wanted = set(analysed.terms)
    matched = {text.decode() if isinstance(text, bytes) else text for _, text in found[0].matched_terms()}
    # Short queries must mostly match; a pasted message needs only its gist to.
    needed = 1 if len(wanted) <= 2 else math.ceil(len(wanted) / (2 if len(wanted) <= 4 else 3))
    return len(wanted & matched) < needed


def _closest_titles(terms: list[str]) -> q.Query:
    return q.Or([q.FuzzyTerm("title", t, maxdist=2 if len(t) > 5 else 1, prefixlength=1) for t in terms])
