"""The search service views, the CLI and the API call. It keeps the index in step with the
database: every call first compares generations and catches up, so all workers stay fresh."""

from __future__ import annotations

import logging
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from whoosh import query as q

from ..content import DocumentKind
from ..extensions import db
from ..models import SynonymGroup
from ..services.content_state import current_generation
from . import answers, coarse, hybrid, scoring, semantic, snippets
from . import query as queries
from .answers import Hit, Results
from .embedder import Embedder
from .freshness import KeepsFresh
from .index import IndexMissing, SearchIndex
from .judging import (
    MAX_SPELLINGS,
    is_weak,
    mask_for,
    no_good_match,
    spellings,
)
from .readahead import ReadAhead
from .recent import Recent, light

log = logging.getLogger(__name__)
MAX_QUERY = 500
REBUILDING = "Search is being rebuilt and will be back in a moment — browse by tag meanwhile."
EMBED_CHECK_INTERVAL = 30.0  # seconds between checks that the passages are all embedded
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="search-embed-query")


class SearchEngine(KeepsFresh):
    def __init__(self, app, data_dir: Path, use_semantic: bool = True, embedding_cache: str | None = None) -> None:
        self.app = app
        # The model loads on first use, in the background: the lexical index never waits for it.
        self.semantic = use_semantic
        self.index = SearchIndex(Path(data_dir) / "search", Path(embedding_cache) if embedding_cache else None)
        self.embedder = Embedder(self.index)
        self.ahead = ReadAhead()
        self.matrices = hybrid.Matrices()
        self._last_kick = -math.inf
        self._rebuilding = threading.Lock()
        self._catching_up = threading.Lock()
        self._last_forced = -math.inf
        self._synonyms: tuple[int, list[list[list[str]]]] = (-1, [])
        self._answers, self._suggested = Recent(), Recent()

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
        try:
            self._freshen_for_search(wait, state)
            matrix = self._matrix()
            # Everything the answer depends on: the index as this worker sees it, synonyms, matrix.
            key = (text, role, limit, kind, tag, as_you_type, snippets, state, self.index.state())
            key += (matrix.name if matrix is not None else None,)
            known = self._answers.get(key)
            if known is not None:
                return replace(known, hits=list(known.hits), closest=list(known.closest))
            request = (analysed, synonyms, role, limit, kind, tag, as_you_type, snippets, matrix)
            with self.index.searcher(key[-2]) as searcher:
                found = self._search(searcher, results, *request)
            self._answers.put(key, replace(found, hits=list(found.hits), closest=list(found.closest)))
            return found
        except IndexMissing:
            if wait:
                self.rebuild()
                request = (analysed, synonyms, role, limit, kind, tag, as_you_type, snippets, self._matrix())
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
        self, searcher, results, analysed, synonyms, role, limit, kind, tag, as_you_type, want_snippets, matrix
    ) -> Results:
        restrict, mask, depth = self._filter(kind, tag), mask_for(role, searcher), max(limit, hybrid.SEMANTIC_DEPTH)
        scope = answers.Scope(searcher, restrict, mask, depth, matrix, synonyms, as_you_type)
        typed = analysed.terms
        # A few typed words with one unknown: likely a typo, so it is always tried, and the
        # corrections are embedded in one batch with the query (four short texts cost 2.4 times
        # one, not four), while the index is searched (the model runs outside the lock).
        # A pasted message is full of words the library never uses: it is corrected only without
        # the model, and only when too few of its words matched.
        short = len(typed) <= 4
        corrections = queries.correct(searcher, analysed.words, 3 if matrix is not None else 1) if short else None
        early = (
            spellings(analysed.words, corrections)[: MAX_SPELLINGS if matrix is not None else 1] if corrections else []
        )
        if matrix is None:
            embedded = None
        elif early:
            embedded = _POOL.submit(semantic.embed_queries, [results.query, *early])
        else:
            embedded = _POOL.submit(lambda: [semantic.embed_query(results.query)])
        analysed = queries.focus(analysed, searcher.reader())
        found = scope.lexical(queries.build(analysed))
        weak = is_weak(searcher, found, typed, analysed)
        meanings = embedded.result() if embedded is not None else [None]
        query_vector = meanings[0]
        near = None
        if query_vector is not None:
            # With a large matrix, the lexical candidates' passages are among those compared exactly.
            large = len(matrix.slugs) >= coarse.COARSE_FROM
            lexical = [light(searcher, hit.docnum)["slug"] for hit in found] if large else []
            near = hybrid.nearest(matrix, query_vector, exact_for=lexical)
        ranked = scope.rank(found, near)
        no_match = no_good_match(ranked, weak, query_vector)
        if short:
            tried = early if query_vector is not None else early[:1]
            meanings = meanings[1:] if query_vector is not None else [None] * len(tried)
        elif query_vector is None and weak:  # words alone: a pasted message tries its closest spelling
            corrections = queries.correct(searcher, analysed.words, 1)
            tried = spellings(analysed.words, corrections)[:1] if corrections else []
            meanings = [None] * len(tried)
        else:
            # By meaning, a pasted message is never corrected. Measured on search_quality.py, trying
            # its two closest spellings changed no answer for the 9,696 bank messages or the handbook
            # queries, made 7 of the 200 out-of-scope requests look answered (81.5 % were told "no
            # good match", 85.0 % without), and cost a forward pass of a long text for each spelling.
            tried, meanings = [], []
        typed_answer = answers.Attempt(None, analysed, typed, weak, ranked, query_vector)
        chosen = answers.best_correction(scope, typed_answer, found, near, tried, meanings)
        if chosen:
            results.corrected, analysed, typed, ranked = chosen.spelling, chosen.analysed, chosen.terms, chosen.ranked
            no_match = no_good_match(ranked, chosen.weak, chosen.vector)
        results.weak = no_match
        if no_match:
            results.closest = answers.closest(scope, typed, ranked, query_vector is not None)
        ranked = ranked[:limit]
        marks = snippets.matcher(analysed.words, analysed.terms) if want_snippets else None
        processes = [c.slug for c in ranked if c.hit["kind"] == DocumentKind.PROCESS and c.anchor_kind != "step"]
        results.hits = answers.hits(ranked, self._best_steps(searcher, analysed, processes, role), want_snippets, marks)
        return results

    def warm_up(self) -> None:
        """Load the model and open the live index's passage matrix now: the first search after a
        worker starts would otherwise wait for both (0.4-0.7 s at 10,000 documents over HTTP).
        Likewise what the first typo needs (0.28 s at 10,000 documents)."""
        self.serving = True  # (only a worker warms up)
        try:
            self.index.directory()
        except IndexMissing:
            return  # nothing to open yet: the first search builds the index
        self.search("warm up", role=None)  # loads both, and opens the index's readers
        with self.index.searcher() as searcher:
            queries.prepare_corrections(searcher)

    def _matrix(self):
        """The live index's passage matrix, or None when the semantic stage is off or empty."""
        if not self.semantic:
            return None
        if time.monotonic() - self._last_kick > EMBED_CHECK_INTERVAL:  # another worker's changes, or a stopped pass
            self._embed_soon()
        if semantic.model() is None:
            return None
        matrix = self.matrices.get(self.index.directory())
        return matrix if matrix is not None and len(matrix.slugs) else None

    def _best_steps(self, searcher, analysed, slugs, role) -> dict[str, tuple[str, str]]:
        if not slugs:
            return {}
        best: dict[str, tuple[str, str]] = {}
        found = scoring.search(
            searcher,
            queries.build(analysed, queries.STEP_FIELDS),
            limit=len(slugs) * 6,
            filter=q.Or([q.Term("slug", s) for s in slugs]),
            mask=mask_for(role, searcher),
        )
        for hit in found:
            step = light(searcher, hit.docnum)
            best.setdefault(step["slug"], (step["step"], step["step_title"]))
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
            key = (tuple(words), role, limit, self.index.state())
            known = self._suggested.get(key)
            if known is None:
                with self.index.searcher(key[-1]) as searcher:
                    found = scoring.search(
                        searcher,
                        q.And([q.Term("title_prefix", w) for w in words]),
                        limit=limit,
                        mask=mask_for(role, searcher),
                    )
                    # Through light(): a hit's own fields would decompress the page's whole text.
                    known = [_suggestion(light(searcher, h.docnum), h.score) for h in found]
                self._suggested.put(key, known)
            return list(known)
        except IndexMissing:
            self._rebuild_in_background()
        except SQLAlchemyError:
            raise
        except Exception:
            log.exception("suggesting from the index failed; rebuilding it")
            self._damaged()
        return []


def _suggestion(fields: dict, score: float) -> Hit:
    return Hit(slug=fields["slug"], title=fields["title"], kind=fields["kind"], score=score)
