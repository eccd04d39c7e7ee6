"""Judging an answer: does the best hit hold enough of the words, does anything fit by meaning,
is a corrected query clearly better and still the same request, and what a role may not see."""

from __future__ import annotations

import math
from itertools import islice, product

import numpy as np
from whoosh import query as q

from . import hybrid, scoring
from . import query as queries

# Corrected queries tried, at most: each is searched and embedded with the query. Three, not six:
# the same figures on search_quality.py's bank, out-of-scope and handbook sets, and a smaller batch
# for the forward pass.
MAX_SPELLINGS = 3


def mask_for(role: str | None, searcher) -> q.Query | None:
    """Entries the role may not see. Audience is part of the search, so limits count only what
    the user may see; as a mask it costs only as much as there are restricted documents."""
    if role is None or not searcher.reader().doc_frequency("restricted", "yes"):
        return None
    return q.AndNot(q.Term("restricted", "yes"), q.Term("audience", role))


def is_weak(searcher, found, terms: list[str], analysed: queries.Analysed) -> bool:
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
    ids = scoring.postings(searcher, field_name, term)
    at = int(np.searchsorted(ids, docnum))
    return at < len(ids) and ids[at] == docnum


def closest_titles(reader, terms: list[str]) -> q.Query:
    """Titles holding words within an edit or two of the typed ones, each such word scored as
    Whoosh scores a fuzzy term's expansions in a large index (kept per reader: scoring.py)."""
    near = [queries.within(reader, "title", t, 2 if len(t) > 5 else 1) for t in terms]
    return q.Or([q.Term("title", word) for words in near for word in words])


def no_good_match(ranked: list, weak: bool, vector) -> bool:
    """Nothing fits: judged by meaning when the semantic stage ran, else by the words matched."""
    if vector is None or (ranked and ranked[0].similarity is None):  # (not embedded yet)
        return weak
    return not ranked or ranked[0].score < hybrid.NO_GOOD_MATCH


def better(ranked, vector, reranked, reranked_weak, vector2, edits: int = 1) -> bool:
    """Is the corrected query clearly the better one? `edits`: the letters the correction changed,
    each asking for a clearer gain (hybrid.CORRECTION_MARGIN)."""
    if vector is None or vector2 is None:
        return not reranked_weak
    if not reranked or no_good_match(reranked, reranked_weak, vector2):
        return False  # "xyzzy proven" finds nothing good either: no reason to claim it was meant
    return not ranked or reranked[0].score > ranked[0].score + hybrid.CORRECTION_MARGIN * edits


def spellings(words: list[str], corrections: dict[str, list[str]]) -> list[str]:
    """Every way of correcting the words (each unknown word's closest known words), closest first."""
    options = [corrections.get(word, [word]) for word in words]
    return [" ".join(choice) for choice in islice(product(*options), MAX_SPELLINGS)]
