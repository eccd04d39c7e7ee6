"""The search service views, the CLI and the API call. It keeps the index in step with the
database: every call first compares generations and catches up, so all workers stay fresh."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from whoosh import query as q
from whoosh.reading import TermNotFound

from ..content import DocumentKind
from ..extensions import db
from ..models import Document, SynonymGroup
from ..services.content_state import current_generation
from . import query as queries
from . import semantic, snippets
from .entries import all_entries, entries_for, example_texts
from .index import WRITE_TIMEOUT, IndexMissing, LockBusy, SearchIndex
from .schema import IndexEntry

log = logging.getLogger(__name__)
MAX_QUERY = 500
REBUILDING = "Search is being rebuilt and will be back in a moment — browse by tag meanwhile."
# A search waits this long for another process's index write before searching what is there.
SEARCH_LOCK_TIMEOUT = 0.5
FORCED_REBUILD_INTERVAL = 60.0


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
    snippet: Markup = field(default_factory=Markup)

    def as_json(self) -> dict:
        return {
            "slug": self.slug,
            "title": self.title,
            "kind": self.kind,
            "step": self.step,
            "score": round(self.score, 4),
            "source_path": self.source_path,
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
    def __init__(self, app, data_dir: Path, use_semantic: bool = True) -> None:
        self.app = app
        self.semantic = use_semantic and semantic.available()
        self.index = SearchIndex(Path(data_dir) / "search")
        self._rebuilding = threading.Lock()
        self._catching_up = threading.Lock()
        self._last_forced = -math.inf
        self._synonyms: tuple[int, list[list[list[str]]]] = (-1, [])

    # -- keeping the index fresh ----------------------------------------------------------
    def rebuild(self, unless_healthy: bool = False) -> int | None:
        """Rebuild the whole index from the database; None if another worker just did."""

        def everything():
            generation, _ = current_generation()
            documents = db.session.scalars(select(Document).where(Document.published_revision_id.is_not(None)))
            return self._with_vectors(all_entries(documents)), generation

        return self.index.rebuild(everything, unless_healthy=unless_healthy)

    def catch_up(self, state: tuple[int, int] | None = None, lock_timeout: float = WRITE_TIMEOUT) -> None:
        """Apply every document change the index has not seen (after a commit, or another worker's)."""
        generation, _ = state or current_generation()
        seen = self.index.generation()
        if seen >= generation:
            return
        documents = list(db.session.scalars(select(Document).where(Document.generation > seen)))
        texts = example_texts([d.id for d in documents])  # one query for all, not one per document
        changed = {d.slug: entries_for(d, texts) for d in documents}
        list(self._with_vectors(e for entries in changed.values() for e in entries))
        self.index.update(changed, generation, timeout=lock_timeout)

    def after_commit(self, wait: bool) -> None:
        """Apply committed document changes now. A missing index is built at once when `wait`
        (the command line: import, then search), else in the background (a web request)."""
        try:
            with self._catching_up:
                self.catch_up()
        except IndexMissing:
            if wait:
                self.rebuild(unless_healthy=True)
            else:
                self._rebuild_in_background()
        except LockBusy:  # the next search catches up
            log.warning("search index busy: changes are applied by the next search")
        except OSError as error:  # a full disk: the index as it was keeps serving
            log.error("search index not updated (%s): changes are applied by a later search", error)

    def _with_vectors(self, entries: Iterable[IndexEntry], batch: int = 32) -> Iterator[IndexEntry]:
        """Attach embeddings, encoding many documents' texts together (much faster than one by one)."""
        if not self.semantic:
            yield from entries
            return
        for chunk in batched(entries, batch):
            texts = [entry.semantic_texts() for entry in chunk]
            for entry, vectors in zip(chunk, semantic.encode_documents(texts), strict=True):
                entry.vectors = vectors
                yield entry

    def _freshen_for_search(self, wait: bool, state: tuple[int, int]) -> None:
        """Catch up before a search without ever holding it up: when another thread is already
        applying the change, or another process holds the index lock, search what is there."""
        if wait:
            with self._catching_up:
                self.catch_up(state)
            return
        if not self._catching_up.acquire(blocking=False):
            return
        try:
            self.catch_up(state, lock_timeout=SEARCH_LOCK_TIMEOUT)
        except LockBusy:
            pass
        except OSError as error:  # a full disk: answer from the index as it is, catch up later
            log.error("search index not updated (%s): answering from the index as it was", error)
        finally:
            self._catching_up.release()

    @property
    def rebuilding(self) -> bool:
        """This process is rebuilding the index right now."""
        return self._rebuilding.locked()

    def _rebuild_in_background(self, force: bool = False) -> None:
        """Start one rebuild now unless this process already runs one; across processes the
        rebuild lock lets one work while the others wait, then find the index repaired."""
        if not self._rebuilding.acquire(blocking=False):
            return

        def work() -> None:
            try:
                with self.app.app_context():
                    self.index.forget()
                    self.rebuild(unless_healthy=not force)
            except Exception:  # logged; the next search tries again
                log.exception("search index rebuild failed")
            finally:
                self._rebuilding.release()

        threading.Thread(target=work, name="search-rebuild", daemon=True).start()

    def _damaged(self) -> None:
        """Searching failed inside Whoosh: distrust the files and rebuild them, at most once a
        minute so that a fault that is not the files' cannot keep a rebuild running."""
        self.index.forget()
        now = time.monotonic()
        if now - self._last_forced > FORCED_REBUILD_INTERVAL:
            self._last_forced = now
            self._rebuild_in_background(force=True)

    def synonyms(self, version: int) -> list[list[list[str]]]:
        """Admin synonym groups as stemmed phrases, reloaded when an admin changes them."""
        if self._synonyms[0] != version:
            groups = []
            for row in db.session.scalars(select(SynonymGroup)):
                phrases = [queries.analyse(p).terms for p in row.terms.split(",")]
                groups.append([p for p in phrases if p])
            self._synonyms = (version, groups)
        return self._synonyms[1]

    # -- searching ------------------------------------------------------------------------
    def search(
        self,
        text: str,
        *,
        role: str | None,
        limit: int = 10,
        kind: str | None = None,
        tag: str | None = None,
        as_you_type: bool = False,
        wait: bool = False,
        snippets: bool = True,
    ) -> Results:
        """`role` None searches everything; otherwise only what that role's audience allows."""
        text = " ".join(text.split())[:MAX_QUERY]
        results = Results(query=text)
        state = current_generation()  # one read of the database per search
        synonyms = self.synonyms(state[1])
        analysed = queries.analyse(text, synonyms, as_you_type)
        if not analysed.terms:
            results.message = (
                "Type a few words about what the customer needs."
                if not text
                else ("Those words are too common to search for. Add what the customer needs.")
            )
            return results
        request = (analysed, synonyms, role, limit, kind, tag, as_you_type, snippets)
        try:
            self._freshen_for_search(wait, state)
            with self.index.searcher() as searcher:
                return self._search(searcher, results, *request)
        except IndexMissing:
            if wait:
                self.rebuild()
                with self.index.searcher() as searcher:
                    return self._search(searcher, results, *request)
            self._rebuild_in_background()
        except SQLAlchemyError:
            raise  # the database, not the index: the app answers 503
        except Exception:
            log.exception("searching the index failed; rebuilding it")
            self._damaged()
        results.unavailable = REBUILDING
        return results

    def _search(
        self, searcher, results, analysed, synonyms, role, limit, kind, tag, as_you_type, want_snippets
    ) -> Results:
        restrict, mask = self._filter(kind, tag), _mask(role, searcher)
        depth = max(limit, semantic.DEPTH) if self.semantic else limit
        typed = analysed.terms
        analysed = queries.focus(analysed, searcher.reader())
        found = None
        # A few typed words with one unknown: likely a typo. A pasted message is full of words
        # the library never uses; correcting them would only add noise unless nothing matched.
        if len(typed) > 4:
            found = searcher.search(queries.build(analysed), limit=depth, filter=restrict, mask=mask)
        corrections = (
            queries.correct(searcher, analysed.words)
            if found is None or _is_weak(searcher, found, typed, analysed)
            else {}
        )
        if corrections:  # words the library never uses: try the closest words it does use
            corrected = " ".join(corrections.get(w, w) for w in analysed.words)
            retyped = queries.analyse(corrected, synonyms, as_you_type)
            retry = queries.focus(retyped, searcher.reader())
            retried = searcher.search(queries.build(retry), limit=depth, filter=restrict, mask=mask)
            if not _is_weak(searcher, retried, retyped.terms, retry):
                results.corrected, analysed, found, typed = corrected, retry, retried, retyped.terms
        if found is None:
            found = searcher.search(queries.build(analysed), limit=depth, filter=restrict, mask=mask)
        if _is_weak(searcher, found, typed, analysed):
            results.weak = True
            closest = searcher.search(
                _closest_titles(typed),
                limit=3,
                filter=q.And([q.Term("type", "doc"), *([restrict] if restrict else [])]),
                mask=mask,
            )
            results.closest = [Hit(slug=h["slug"], title=h["title"], kind=h["kind"], score=h.score) for h in closest]
        ranked = [(hit, hit.score) for hit in found]
        if self.semantic and len(ranked) > 1:
            # The customer's own words, typos and all: the model copes with them better than we can.
            fused = semantic.rerank(results.query, [(hit.score, hit["vectors"]) for hit in found])
            if fused is not None:
                ranked = sorted(zip(found, fused, strict=True), key=lambda pair: -pair[1])
        ranked = ranked[:limit]
        marks = snippets.matcher(analysed.words, analysed.terms) if want_snippets else None
        steps = self._best_steps(
            searcher, analysed, [h["slug"] for h, _ in ranked if h["kind"] == DocumentKind.PROCESS], role
        )
        for hit, score in ranked:
            snippet = snippets.snippet(hit.get("body", ""), marks, hit.get("summary", "")) if want_snippets else ""
            step = steps.get(hit["slug"])
            results.hits.append(
                Hit(
                    slug=hit["slug"],
                    title=hit["title"],
                    kind=hit["kind"],
                    score=score,
                    summary=hit.get("summary", ""),
                    source_path=hit.get("source_path", ""),
                    contact_reasons=hit.get("contact_reasons", []),
                    tags=[t for t in hit.get("tags", "").split(",") if t],
                    step=step[0] if step else None,
                    step_title=step[1] if step else None,
                    snippet=Markup(snippet),
                )
            )
        return results

    def _best_steps(self, searcher, analysed, slugs, role) -> dict[str, tuple[str, str]]:
        if not slugs:
            return {}
        best: dict[str, tuple[str, str]] = {}
        found = searcher.search(
            queries.build(analysed, queries.STEP_FIELDS),
            limit=len(slugs) * 6,
            filter=q.Or([q.Term("slug", s) for s in slugs]),
            mask=_mask(role, searcher),
        )
        for hit in found:
            best.setdefault(hit["slug"], (hit["step"], hit["step_title"]))
        return best

    @staticmethod
    def _filter(kind: str | None, tag: str | None) -> q.Query | None:
        parts = ([q.Term("kind", kind)] if kind else []) + ([q.Term("tags", tag.lower())] if tag else [])
        return q.And(parts) if parts else None

    def suggest(self, text: str, *, role: str | None, limit: int = 8) -> list[Hit]:
        """Titles whose words start with what has been typed so far."""
        words = queries.prefixes(text)
        if not words:
            return []
        try:
            self._freshen_for_search(False, current_generation())
            with self.index.searcher() as searcher:
                found = searcher.search(
                    q.And([q.Term("title_prefix", w) for w in words]), limit=limit, mask=_mask(role, searcher)
                )
                return [Hit(slug=h["slug"], title=h["title"], kind=h["kind"], score=h.score) for h in found]
        except IndexMissing:
            self._rebuild_in_background()
        except SQLAlchemyError:
            raise
        except Exception:
            log.exception("suggesting from the index failed; rebuilding it")
            self._damaged()
        return []


def _mask(role: str | None, searcher) -> q.Query | None:
    """Entries the role may not see. Audience is part of the search, so limits count only what
    the user may see; as a mask it costs only as much as there are restricted documents."""
    if role is None or not searcher.reader().doc_frequency("restricted", "yes"):
        return None
    return q.AndNot(q.Term("restricted", "yes"), q.Term("audience", role))


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _is_weak(searcher, found, terms: list[str], analysed: queries.Analysed) -> bool:
    """The best hit holds too few of the query's words (or their admin synonyms) to be a real answer."""
    if not found:
        return True
    wanted = set(terms)
    top = found.docnum(0)

    def holds(term: str) -> bool:
        return any(_holds(searcher, name, term, top) for name in queries.FIELD_BOOSTS)

    synonym_found = any(all(holds(t) for t in phrase) for phrase in analysed.expansions)
    matched = sum(1 for term in wanted if (synonym_found and term in analysed.covered) or holds(term))
    # Short queries must mostly match; a pasted message needs only its gist to.
    needed = 1 if len(wanted) <= 2 else math.ceil(len(wanted) / (2 if len(wanted) <= 4 else 3))
    return matched < needed


def _holds(searcher, field_name: str, term: str, docnum: int) -> bool:
    try:
        postings = searcher.postings(field_name, term)
    except TermNotFound:
        return False
    # A word that only edited or removed pages held keeps its place in the vocabulary with no
    # live posting; Whoosh raises ReadTooFar when such an exhausted list is asked to skip.
    if not postings.is_active():
        return False
    if postings.id() < docnum:
        postings.skip_to(docnum)
    return postings.is_active() and postings.id() == docnum


def _closest_titles(terms: list[str]) -> q.Query:
    return q.Or([q.FuzzyTerm("title", t, maxdist=2 if len(t) > 5 else 1, prefixlength=1) for t in terms])
