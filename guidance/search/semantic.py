"""Optional re-ranking of the lexical top candidates by sentence-embedding similarity.

Lexical search finds candidates that share words with the query; customers often say the same
thing in other words. Each document carries embeddings of its short texts (title, summary,
synonyms, example phrasings), stored in the index; a query's embedding is compared with them and
fused with the lexical score. Without the model package everything works, lexically.
Measured on the banking77 development set: see benchmarks/search_quality.py and the README.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)

ALPHA = 0.7  # a document's similarity: best-matching text vs. the centroid of its texts
LEXICAL_WEIGHT = 0.2  # share of the (min-max normalised) lexical score in the fused score
DEPTH = 30  # how many lexical candidates are re-ranked
MAX_TEXTS = 16

_model = None
_model_lock = threading.Lock()
_unavailable: str | None = None


def status() -> dict[str, str]:
    """Whether the semantic stage runs, for health checks: on, or off and why."""
    model = _load()
    return {"state": "on"} if model is not None else {"state": "off", "reason": _unavailable or "not loaded"}


def available() -> bool:
    return _load() is not None


def _load():
    """The process-wide model (read-only weights), loaded on first use."""
    global _model, _unavailable
    if _model is not None or _unavailable is not None:
        return _model
    with _model_lock:
        if _model is None and _unavailable is None:
            try:
                from .minilm import MiniLM

                _model = MiniLM()
            except Exception as error:  # missing package or damaged weights: lexical only
                _unavailable = repr(error)
                log.warning("semantic re-ranking is off: %s", _unavailable)
    return _model


def texts_for(title: str, summary: str, synonyms: list[str], phrasings: list[str]) -> list[str]:
    """The short texts that say what a document is for, or none when it says too little.

    A page with only a title is summarised badly by one embedding (measured on the handbook set:
    re-ranking such pages made results worse), so it keeps its lexical rank instead.
    """
    curated = [t for t in [summary, *synonyms, *phrasings] if t and t.strip()]
    if len(curated) < 2:
        return []
    return list(dict.fromkeys([title, *curated]))[:MAX_TEXTS]


def encode_documents(batches: list[list[str]]) -> list[bytes]:
    """Float16 matrices (one row per text) for several documents at once."""
    import numpy as np

    model = _load()
    flat = [text for texts in batches for text in texts]
    if model is None or not flat:
        return [b"" for _ in batches]
    vectors = model.encode(flat).astype(np.float16)
    out, start = [], 0
    for texts in batches:
        out.append(vectors[start : start + len(texts)].tobytes())
        start += len(texts)
    return out


def rerank(query: str, candidates: list[tuple[float, bytes]]) -> list[float] | None:
    """Fused scores for (lexical score, stored vectors) candidates, or None to keep lexical order.

    A candidate without vectors has no semantic evidence: its lexical standing stands in for it.
    """
    import numpy as np

    model = _load()
    if model is None or not any(vectors for _, vectors in candidates):
        return None
    q = model.encode([query])[0]
    similarity = {}
    for index, (_, vectors) in enumerate(candidates):
        if vectors:
            matrix = np.frombuffer(vectors, dtype=np.float16).reshape(-1, model.dimensions).astype(np.float32)
            centroid = matrix.mean(0)
            centroid /= max(float(np.linalg.norm(centroid)), 1e-9)
            similarity[index] = ALPHA * float((matrix @ q).max()) + (1 - ALPHA) * float(centroid @ q)
    lexical = _min_max([score for score, _ in candidates])
    scaled = dict(zip(similarity, _min_max(list(similarity.values())), strict=True))
    return [
        (1 - LEXICAL_WEIGHT) * scaled.get(index, lexical[index]) + LEXICAL_WEIGHT * lexical[index]
        for index in range(len(candidates))
    ]


def _min_max(values: list[float]) -> list[float]:
    low, high = min(values), max(values)
    return [(v - low) / (high - low) if high > low else 0.0 for v in values]
