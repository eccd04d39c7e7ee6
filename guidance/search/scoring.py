"""Lexical scoring of a whole query at once: Whoosh's BM25F, computed over numpy arrays.

A pasted customer message ORs up to eight words, and at 10,000 pages they match thousands of
entries. Whoosh scores each match through a tree of Python matchers (its block-quality skipping
never fires on such a union: measured, 0 blocks skipped), which took most of a search's time.
Here each word's postings are decoded once per reader (a reader's postings never change), scored
with the same formula and statistics, and summed; the top entries are taken with one partition.
The ranking is Whoosh's own: tests/search/test_scoring.py compares the two on every query shape
this handles (terms, ORs and ANDs of them as admin synonyms' phrases make, as-you-type prefixes).
Other shapes (fuzzy terms, phrases, NOTs) go to Whoosh unchanged.
"""

from __future__ import annotations

import threading

import numpy as np
from whoosh import query as q
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.idsets import BitSet
from whoosh.matching.wrappers import FilterMatcher
from whoosh.searching import Results

from .recent import kept, kept_filter

B, K1 = 0.75, 1.2  # whoosh.scoring.BM25F's defaults, which the index's searchers use
POSTINGS_KEPT = 3_000_000  # decoded postings kept per reader (12 bytes each): then forgotten


def search(searcher, query: q.Query, *, limit: int, filter: q.Query | None = None, mask: q.Query | None = None):
    """What `searcher.search(query, limit=limit, filter=filter, mask=mask)` answers."""
    if not all(isinstance(f, q.Query) for f in (filter, mask) if f is not None):
        return searcher.search(query, limit=limit, filter=filter, mask=mask)
    table = _table(searcher)
    evaluated = _evaluate(searcher, table, query)
    if evaluated is None:
        return searcher.search(query, limit=limit, filter=filter, mask=mask)
    scores, matched = evaluated
    matched &= table.live
    if filter is not None:
        matched &= _allowed(searcher, filter)
    if mask is not None:
        matched &= ~_allowed(searcher, mask)
    found = np.flatnonzero(matched)
    if len(found) > limit:  # everything scoring at least the limit-th best, ties included
        least = scores[found[np.argpartition(-scores[found], limit - 1)[:limit]]].min()
        found = found[scores[found] >= least]
    found = found[np.lexsort((found, -scores[found]))][:limit]  # best first; ties by entry, as Whoosh
    results = Results(searcher, query, [(float(scores[n]), int(n)) for n in found])
    results._total = int(matched.sum())
    return results


def postings(searcher, field_name: str, text: str) -> np.ndarray:
    """The entries holding a term, in order (deleted ones too: only ever asked of a live hit)."""
    return _table(searcher).postings(searcher, field_name, text)[0]


def _evaluate(searcher, table: _Table, query: q.Query) -> tuple[np.ndarray, np.ndarray] | None:
    """Every entry's score and whether it matches, as Whoosh's matchers would have it: a term by
    BM25F (an unscorable field by its weight), an OR the sum of what matched, an AND the sum where
    all matched. None for any other kind of query."""
    if isinstance(query, q.Term) and not isinstance(query, q.MultiTerm):
        scores, matched = np.zeros(table.size), np.zeros(table.size, dtype=bool)
        ids, weights = table.postings(searcher, query.fieldname, query.text)
        if len(ids):
            scores[ids] = _term_scores(searcher, table, query.fieldname, query.text, ids, weights) * query.boost
            matched[ids] = True
        return scores, matched
    if type(query) is q.Prefix:
        return _evaluate(searcher, table, _completions(searcher.reader(), query))
    if type(query) not in (q.Or, q.And) or query.boost != 1.0 or getattr(query, "scale", None) is not None:
        return None
    if getattr(query, "minmatch", 0) or not query.subqueries:
        return None
    parts = [_evaluate(searcher, table, part) for part in query.subqueries]
    if any(part is None for part in parts):
        return None
    scores = np.sum([score for score, _ in parts], axis=0)
    matches = [match for _, match in parts]
    matched = np.logical_or.reduce(matches) if type(query) is q.Or else np.logical_and.reduce(matches)
    return scores * matched, matched


def _completions(reader, prefix: q.Prefix) -> q.Query:
    """An unfinished word as the words it may become. Whoosh scores them by BM25F in an index of
    over 5,000 entries and only counts them in a smaller one (query.compound.Or's matcher choice);
    here it is BM25F at every size, so a library's growth does not reorder its as-you-type results.
    (As Whoosh, a single completion loses the prefix's boost.)"""
    words = kept(
        reader,
        "completions",
        (prefix.fieldname, prefix.text),
        lambda: list(reader.expand_prefix(prefix.fieldname, prefix.text)),
    )
    words = [word.decode("utf-8") if isinstance(word, bytes) else word for word in words]
    if len(words) == 1:
        return q.Term(prefix.fieldname, words[0])
    return q.Or([q.Term(prefix.fieldname, word, boost=prefix.boost) for word in words])


def _term_scores(
    searcher, table: _Table, field_name: str, text: str, ids: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    if not searcher.schema[field_name].scorable:  # (an ID field: Whoosh scores the weight)
        return weights
    idf, average = searcher.idf(field_name, text), searcher.avg_field_length(field_name) or 1
    lengths = table.lengths(searcher, field_name)[ids]
    return idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / average)))


def _allowed(searcher, query: q.Query) -> np.ndarray:
    """The entries a filter or mask query covers, as a boolean array."""
    table = _table(searcher)
    evaluated = _evaluate(searcher, table, query)  # terms (a few slugs, a kind): their postings
    if evaluated is not None:
        return evaluated[1]
    allowed = np.zeros(table.size, dtype=bool)
    ids = kept(searcher, "filter_arrays", repr(query), lambda: _ids(kept_filter(searcher, query)))
    allowed[ids] = True
    return allowed


def _ids(docs: BitSet) -> np.ndarray:
    return np.fromiter(docs, dtype=np.int64)


class _Table:
    """One searcher's entries: which are live, each field's lengths, decoded postings."""

    def __init__(self, searcher) -> None:
        self.size = searcher.doc_count_all()
        reader = searcher.reader()
        self.live = np.fromiter((not reader.is_deleted(n) for n in range(self.size)), dtype=bool, count=self.size)
        self._lengths: dict[str, np.ndarray] = {}
        self._postings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self._kept = 0
        self._lock = threading.Lock()

    def lengths(self, searcher, field_name: str) -> np.ndarray:
        found = self._lengths.get(field_name)
        if found is None:
            reader = searcher.reader()
            found = np.fromiter(
                (reader.doc_field_length(n, field_name, 1) or 1 for n in range(self.size)), float, count=self.size
            )
            self._lengths[field_name] = found
        return found

    def postings(self, searcher, field_name: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        key = (field_name, text)
        found = self._postings.get(key)
        if found is None:
            found = _decoded(searcher, field_name, text)
            with self._lock:
                if self._kept + len(found[0]) > POSTINGS_KEPT:
                    self._postings.clear()
                    self._kept = 0
                self._postings[key] = found
                self._kept += len(found[0])
        return found


def _table(searcher) -> _Table:
    return kept(searcher, "scoring", "table", lambda: _Table(searcher))


def _decoded(searcher, field_name: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """A term's postings over every segment: entry numbers and weights (deleted entries too;
    `live` drops them)."""
    ids, weights = [], []
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if (field_name, text) not in reader:
            continue
        matcher = reader.postings(field_name, text)
        if isinstance(matcher, FilterMatcher):  # a segment with deletions
            matcher = matcher.child
        if isinstance(matcher, W3LeafMatcher):
            while matcher.is_active():  # block by block: ids and weights come as whole arrays
                matcher._read_ids()
                matcher._read_weights()
                ids.append(np.asarray(matcher._ids, dtype=np.int64) + offset)
                weights.append(np.asarray(matcher._weights, dtype=np.float64))
                matcher._next_block()
            continue
        pairs = []  # a rare word's few postings, kept inline in the term list
        while matcher.is_active():
            pairs.append((matcher.id(), matcher.weight()))
            matcher.next()
        ids.append(np.array([n for n, _ in pairs], dtype=np.int64) + offset)
        weights.append(np.array([w for _, w in pairs], dtype=np.float64))
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(ids), np.concatenate(weights)
