"""Lexical scoring of a whole query at once: Whoosh's BM25F, computed over numpy arrays.

A pasted customer message ORs up to eight words, and at 10,000 pages they match thousands of
entries. Whoosh scores each match through a tree of Python matchers (its block-quality skipping
never fires on such a union: measured, 0 blocks skipped), which took most of a search's time.
Here each word's postings are decoded once per reader (a reader's postings never change), scored
with the same formula and statistics, and summed; the top entries are taken with one partition.
The ranking is Whoosh's own: tests/search/test_scoring.py compares the two on every query shape
this handles. Other shapes (synonym phrases, as-you-type prefixes) go to Whoosh unchanged.
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
    terms = _flat_terms(query)
    if terms is None or not all(isinstance(f, q.Query) for f in (filter, mask) if f is not None):
        return searcher.search(query, limit=limit, filter=filter, mask=mask)
    table = _table(searcher)
    scores = np.zeros(table.size)
    matched = np.zeros(table.size, dtype=bool)
    for field_name, text, boost in terms:
        ids, weights = table.postings(searcher, field_name, text)
        if not len(ids):
            continue
        if not searcher.schema[field_name].scorable:  # (an ID field: Whoosh scores the weight)
            scores[ids] += weights * boost
        else:
            idf, average = searcher.idf(field_name, text), searcher.avg_field_length(field_name) or 1
            lengths = table.lengths(searcher, field_name)[ids]
            scores[ids] += idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / average))) * boost
        matched[ids] = True
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


def _flat_terms(query: q.Query) -> list[tuple[str, str, float]] | None:
    """(field, text, boost) of a term or a plain OR of terms; None for anything else."""
    if isinstance(query, q.Term) and not isinstance(query, q.MultiTerm):
        return [(query.fieldname, query.text, query.boost)]
    if type(query) is q.Or and query.boost == 1.0 and query.scale is None:
        terms = [_flat_terms(part) for part in query.subqueries]
        if all(t is not None and len(t) == 1 for t in terms):
            return [t[0] for t in terms]
    return None


def _allowed(searcher, query: q.Query) -> np.ndarray:
    """The entries a filter or mask query covers, as a boolean array."""
    table = _table(searcher)
    terms = _flat_terms(query)
    allowed = np.zeros(table.size, dtype=bool)
    if terms is not None:  # a few slugs: their postings, not a kept set per combination
        for field_name, text, _ in terms:
            allowed[table.postings(searcher, field_name, text)[0]] = True
        return allowed
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
