"""Search: everything Whoosh-specific lives in this package.

`engine()` gives the app's SearchEngine; `index_changes()` applies committed document changes.
The index follows every publication through the `content_changed` signal (guidance.signals),
and starts reading a large one's words as it is written, on `content_publishing`.
"""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from pathlib import Path

from flask import Flask, current_app, has_request_context

from ..signals import content_changed, content_publishing
from .answers import Hit, Results
from .engine import MAX_QUERY, SearchEngine

__all__ = [
    "MAX_QUERY",
    "Hit",
    "Results",
    "SearchEngine",
    "engine",
    "index_changes",
    "stop_background_work",
    "warm_up",
    "warm_up_in_background",
]

_engines: weakref.WeakSet[SearchEngine] = weakref.WeakSet()
_warming: list[threading.Thread] = []  # warm-ups started and not yet waited for
STOP_WAIT = 10.0  # seconds an exiting process waits for the batch in hand (a batch takes about 1 s)


def engine(app: Flask | None = None) -> SearchEngine:
    app = app or current_app._get_current_object()
    found = app.extensions.get("guidance_search")
    if found is None:
        found = app.extensions["guidance_search"] = SearchEngine(
            app,
            Path(app.config["DATA_DIR"]),
            use_semantic=app.config.get("SEMANTIC_RERANK", True),
            # Embeddings depend on the text alone: several data dirs (benchmarks, staging) may share one.
            embedding_cache=app.config.get("EMBEDDING_CACHE"),
        )
        _engines.add(found)
    return found


@atexit.register
def stop_background_work() -> None:
    """Let a warm-up finish, and background embedding finish the batch in hand and stop, before
    the process exits (at exit, and when a gunicorn worker stops). A process that exited while
    either was inside ONNX Runtime was aborted (exit status 134): a worker stopped or reloaded
    while embedding, say, or stopped two seconds after it started, while it warmed up. The cache
    keeps every finished batch; the next process goes on from there."""
    while _warming:
        _warming.pop().join(timeout=STOP_WAIT)
    for each in list(_engines):
        each.embedder.stop(timeout=STOP_WAIT)


def warm_up(app: Flask) -> None:
    """What the first search would load (a worker runs it as it starts: warm_up_in_background)."""
    with app.app_context():
        engine(app).warm_up()


def warm_up_in_background(app: Flask, log: logging.Logger) -> None:
    """warm_up() in a thread of its own (guidance/serving.py starts one as a worker starts);
    stop_background_work() waits for it."""

    def run() -> None:
        try:
            warm_up(app)
        except Exception:  # the first search loads what is missing, as without this
            log.exception("warming search up failed")

    thread = threading.Thread(target=run, name="search-warm-up", daemon=True)
    _warming.append(thread)
    thread.start()


def index_changes() -> None:
    """Call after committing document changes: the index follows the database."""
    engine().after_commit(wait=not has_request_context())


@content_changed.connect
def _follow_publications(app: Flask, **_) -> None:
    engine(app).after_commit(wait=not has_request_context())


@content_publishing.connect
def _read_ahead(app: Flask, documents: list, **_) -> None:
    engine(app).read_ahead(documents)
