"""Hybrid ranking: the lexical candidates and the documents nearest by meaning, fused.

Every passage of every document is compared with the query (one matrix-vector product over the
whole library: measured in benchmarks/search_speed.py); a document's similarity is that of its
best passage, which is also where its result links. The fused score is the similarity plus a
share of the lexical score (normalised by the best in the query): similarity is a cosine, so the
fused score means the same from one query to the next and can say "no good match".
The weights and the threshold are measured on benchmarks/search_quality.py (see the README).
"""

from __future__ import annotations

import logging
import math
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh import query as q

from . import coarse, scoring, vectors
from .recent import light

log = logging.getLogger(__name__)

SEMANTIC_DEPTH = 30  # documents taken from the nearest passages
# A document sharing no word with the query joins the results only when this close in meaning:
# below it, nearest is not near (a query about nothing in the library gets nothing back).
SEMANTIC_FLOOR = 0.4
LEXICAL_WEIGHT = 0.1  # share of the normalised lexical score in the fused score
# A document's similarity: its best passage, and the mean of its best three (a document that
# several passages tie to the query is likelier the one meant). Measured on the bank set: 0.5/0.5
# beat the best passage alone by +0.02 success@1.
BEST_SHARE = 0.5
# Below this fused score, the best answer is not a real answer. Calibrated on the bank library:
# out-of-scope requests (clinc150 dev) 88 % below it, in-scope banking77 messages 0.3 %. Higher
# catches more out-of-scope requests (0.56: 97.5 %) but pages without curated phrasings score
# lower than processes with them, and would be hidden too often.
NO_GOOD_MATCH = 0.45
# A correction must find a clearly better answer: by this much for each letter it changed. A typo
# is one wrong letter far more often than two, and a farther spelling that scored a little higher
# had won: "perfoce basics for support engineers" was shown as "perfect basics ...", which kept
# the typed words' answer, while "perforce" (one letter) found the right page. The same margin
# whether or not the correction changes the answer the typed words found (that had needed 0.10:
# "card declnied" is still "card declined"). Measured on search_quality.py, against 0.05 to keep
# the answer and 0.10 to change it whatever the spelling's distance: bank-typos success@1 0.808 ->
# 0.813, @3 0.911 -> 0.916, MRR 0.865 -> 0.870; handbook recall@3 0.832 -> 0.840, MRR 0.797 ->
# 0.804; bank and out of scope unchanged. 0.04 and 0.06 to change it: the same handbook figures,
# bank-typos success@1 0.813 and 0.811.
CORRECTION_MARGIN = 0.05
# The document the words pick clearly (its lexical score well ahead of the next one's) moves up in
# the order by LEXICAL_LEAD x its lead (1 - next / best), but not in the score that says whether
# anything fits. Measured on search_quality.py: handbook recall@3 0.803 -> 0.825, MRR 0.778 ->
# 0.786; bank success@1 0.856 -> 0.859, @3 0.957 -> 0.958; out of scope unchanged (89.0 %).
LEXICAL_LEAD = 0.1
# A corrected spelling's meaning is compared with the passages of the documents the typed words
# came nearest, and of the spelling's own lexical hits, not with every passage: a full scan per
# spelling tried cost 6 ms at 10,000 documents (benchmarks/search_speed.py).
NEAR_DOCUMENTS = 120


@dataclass
class Candidate:
    slug: str
    hit: object  # the document's Whoosh hit (stored fields)
    lexical: float
    similarity: float | None  # None: none of its passages embedded yet
    score: float = 0.0  # the fused score: how well it fits
    lead: float = 0.0  # added to the score for the order only (LEXICAL_LEAD)
    anchor: str = ""
    anchor_kind: str = ""
    label: str = ""
    meaning: str | None = None  # which version of its passages the index holds


def candidate(searcher, hit, lexical: float) -> Candidate:
    """A hit as ranking sees it (its few fields read once per searcher, not decompressed again)."""
    fields = light(searcher, hit.docnum)
    return Candidate(fields["slug"], hit, lexical, None, meaning=fields["meaning"])


class Matrices:
    """This process's opened matrix of the live index, reopened when the files change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._matrix: vectors.Matrix | None = None

    def get(self, directory: Path) -> vectors.Matrix | None:
        try:
            stat = os.stat(directory / vectors.POINTER)
        except OSError:
            return None
        key = (str(directory), stat.st_ino, stat.st_mtime_ns)
        if key != self._key:
            with self._lock:
                if key != self._key:
                    matrix = vectors.open_matrix(directory)
                    self._matrix, self._key = matrix, key
                    if matrix is not None and len(matrix.slugs) >= coarse.COARSE_FROM:
                        # Made beside the searches (0.1 s at 58,001 rows), which compare exactly meanwhile.
                        threading.Thread(target=_add_coarse, args=(matrix,), name="search-coarse", daemon=True).start()
        return self._matrix

    def forget(self) -> None:
        with self._lock:
            self._key, self._matrix = None, None


def _add_coarse(matrix: vectors.Matrix) -> None:
    try:
        matrix.coarse = coarse.CoarseRows(matrix.vectors)
    except Exception:  # e.g. out of memory: every search compares exactly, as below COARSE_FROM
        log.exception("the int8 copy of the passage matrix could not be made")


def nearest(
    matrix: vectors.Matrix, query: np.ndarray, rows: np.ndarray | None = None, exact_for: Iterable[str] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """Each passage's similarity and each document's best (in matrix.documents order); with
    `rows`, only those passages are compared and the others count as opposite in meaning.

    A large matrix is first looked at in int8 (coarse.py): the NEAR_DOCUMENTS documents it puts
    first, and those of `exact_for` (the lexical candidates), are then compared exactly, and only
    they can rank (fuse takes SEMANTIC_DEPTH of them)."""
    if rows is None and matrix.coarse is not None:
        approximate = np.maximum.reduceat(matrix.coarse.scores(query), matrix.starts)
        rows = rows_near(matrix, approximate, list(exact_for))
    if rows is None:
        scores = matrix.vectors @ query
    else:
        scores = np.full(len(matrix.slugs), -1.0, dtype=np.float32)
        scores[rows] = matrix.vectors[rows] @ query
    return scores, np.maximum.reduceat(scores, matrix.starts) if len(scores) else scores


def rows_near(matrix: vectors.Matrix, best: np.ndarray, slugs: list[str]) -> np.ndarray:
    """The passages of the NEAR_DOCUMENTS documents best scored in `best`, and of `slugs`."""
    if not len(best):
        return np.zeros(0, dtype=np.intp)
    top = np.argpartition(-best, min(NEAR_DOCUMENTS, len(best) - 1))[:NEAR_DOCUMENTS]
    spans = [matrix.rows[matrix.documents[i]] for i in top]
    spans += [matrix.rows[slug] for slug in slugs if slug in matrix.rows]
    return np.unique(np.concatenate([np.arange(start, end) for start, end in spans]))


def _current(matrix: vectors.Matrix, candidate: Candidate) -> bool:
    """The matrix's rows for this document are of the version the index holds (not yet
    re-embedded after an edit: its meaning is unknown, and its words speak for it meanwhile)."""
    return matrix.digests.get(candidate.slug) == candidate.meaning


def _similarities(scores: np.ndarray, spans: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Each document's similarity (BEST_SHARE of its best passage, the rest the mean of its best
    three) and its best passage's row, for documents given as row spans: one pass over all their
    rows, not a few numpy calls per document (those were most of fusing at 10,000 documents)."""
    starts, ends = np.array(spans, dtype=np.intp).T
    lengths = ends - starts
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    rows = np.arange(lengths.sum()) + np.repeat(starts - offsets, lengths)
    document = np.repeat(np.arange(len(spans)), lengths)
    values = scores[rows]
    order = np.lexsort((-values, document))  # each document's rows, best first
    ranked, rows = values[order], rows[order]
    places = np.arange(len(ranked)) - np.repeat(offsets, lengths)
    top = places < 3
    mean = np.bincount(document[top], weights=ranked[top], minlength=len(spans)) / np.minimum(lengths, 3)
    return BEST_SHARE * ranked[offsets] + (1 - BEST_SHARE) * mean, rows[offsets]


def fuse(searcher, lexical, matrix, near, restrict, mask) -> list[Candidate]:
    """Lexical hits and the nearest documents (`near`: what nearest() found), in fused order."""
    ranked = [candidate(searcher, hit, hit.score) for hit in lexical]
    found = {c.slug: c for c in ranked}
    scores, best = near
    if len(best):
        top = np.argpartition(-best, min(SEMANTIC_DEPTH, len(best) - 1))[:SEMANTIC_DEPTH]
        # A document sharing no word with the query must also be nearer in meaning than the best
        # lexical hit: else it could not come first, and would only push down what the words found.
        # (When the best lexical hit's meaning is not known yet, after an edit, its words decide.)
        gate = SEMANTIC_FLOOR
        if ranked:
            rows = matrix.rows.get(ranked[0].slug) if _current(matrix, ranked[0]) else None
            gate = max(gate, float(scores[rows[0] : rows[1]].max())) if rows else math.inf
        wanted = [matrix.documents[i] for i in top if best[i] >= gate and matrix.documents[i] not in found]
        if wanted:
            # Only through the index: documents deleted since, and those the role may not see, drop out.
            extra = scoring.search(
                searcher, q.Or([q.Term("key", slug) for slug in wanted]), limit=len(wanted), filter=restrict, mask=mask
            )
            for hit in extra:
                near = candidate(searcher, hit, 0.0)
                if _current(matrix, near):
                    found[near.slug] = near
    if not found:
        return []
    high = max(c.lexical for c in found.values()) or 1.0
    embedded = [(c, matrix.rows[c.slug]) for c in found.values() if c.slug in matrix.rows and _current(matrix, c)]
    if embedded:
        similarity, best_rows = _similarities(scores, [span for _, span in embedded])
        for (each, _), value, row in zip(embedded, similarity.tolist(), best_rows.tolist(), strict=True):
            each.similarity = value
            each.anchor, each.anchor_kind, each.label = matrix.anchors[row], matrix.kinds[row], matrix.labels[row]
    known = [c.similarity for c in found.values() if c.similarity is not None]
    # A document not embedded yet: its lexical standing speaks for its meaning, at most as well as
    # the best embedded one's.
    stand_in = max(known) if known else 0.0
    for each in found.values():
        share = each.lexical / high
        similarity = each.similarity if each.similarity is not None else stand_in * share
        each.score = similarity + LEXICAL_WEIGHT * share
    _give_lead(list(found.values()))
    return sorted(found.values(), key=lambda c: -(c.score + c.lead))


def _give_lead(candidates: list[Candidate]) -> None:
    """The best lexical candidate's lead over the next one (none when they tie)."""
    if len(candidates) < 2:
        return
    first, second = sorted(candidates, key=lambda c: -c.lexical)[:2]
    if first.lexical > 0:
        first.lead = LEXICAL_LEAD * (1 - second.lexical / first.lexical)
