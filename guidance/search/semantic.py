"""The sentence-embedding model, loaded once per process, and query embeddings.

Customers say the same thing in other words than the library: the semantic stage (hybrid.py)
compares a query's embedding with every passage of every document (passages.py, vectors.py).
Without the model package everything works, lexically.
"""

from __future__ import annotations

import functools
import logging
import threading

log = logging.getLogger(__name__)

MAX_TEXTS = 16

_model = None
_model_lock = threading.Lock()
_unavailable: str | None = None
_threads = 1


def use_threads(count: int) -> bool:
    """Let the model loaded from now on in this process run each batch on `count` cores: for a
    process that does nothing but embed (the CLI embedding an index itself, no server running).
    A server keeps one: its concurrency is its workers. False if the model is already loaded."""
    global _threads
    with _model_lock:
        _threads = max(1, count)
        return _model is None


def status() -> dict[str, str]:
    """Whether the semantic stage runs, for health checks: on, loading, or off and why.

    Never waits for the model: the first health check of a starting worker, whose warm-up is
    loading it, took 2.1 s (0.9 s now). If nothing has begun loading it, it is begun in the background.
    """
    if _model is not None:
        return {"state": "on"}
    if _unavailable is not None:
        return {"state": "off", "reason": _unavailable}
    if not _model_lock.locked():
        threading.Thread(target=_load, name="semantic-model-load", daemon=True).start()
    return {"state": "loading"}


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

                _model = MiniLM(threads=_threads)
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


def model():
    return _load()


@functools.lru_cache(maxsize=256)
def embed_query(text: str):
    """A query's unit vector (float32), or None without the model. Agents repeat searches (and
    as-you-type repeats prefixes): a repeated query costs a dictionary lookup, not a forward pass."""
    found = _load()
    if found is None:
        return None
    vector = found.encode([text])[0]
    vector.setflags(write=False)
    return vector


def embed_queries(texts: list[str]) -> list:
    """Several queries' unit vectors from one forward pass (or Nones without the model)."""
    found = _load()
    if found is None or not texts:
        return [None] * len(texts)
    vectors = found.encode(list(texts))
    vectors.setflags(write=False)
    return list(vectors)
