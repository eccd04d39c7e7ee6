"""Embedding passages after the lexical index is live, in the background, one process at a time.

Embedding is the slow part of indexing (a 128-token passage costs ~2.7 GFLOP): it never holds up
an import or a publication. One process on this disk embeds (a file lock); the others search what
is embedded so far. Every batch goes to the cache at once, so a stop loses at most one batch, and
the matrix is republished every few seconds so search improves while the work goes on.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from . import semantic, vectors
from .index import IndexMissing, SearchIndex

log = logging.getLogger(__name__)
LOCK = "EMBED.lock"
BATCH = 32
PUBLISH_EVERY = 20.0  # seconds between matrices published while embedding


class Embedder:
    def __init__(self, index: SearchIndex, encode: Callable | None = None) -> None:
        self.index = index
        self._encode = encode
        self._thread: threading.Thread | None = None
        self._guard = threading.Lock()
        self._again = threading.Event()
        self._stop = threading.Event()
        index.on_close.append(self.stop)
        self.calls = 0  # batches sent to the model by this process (tests count them)
        self._recovered: set[Path] = set()  # index directories whose matrix refilled the cache

    @property
    def cache(self) -> vectors.Cache:
        return self.index.cache

    def encode(self, texts: list[str]):
        self.calls += 1
        if self._encode is not None:
            return self._encode(texts)
        model = semantic.model()
        if model is None:
            raise RuntimeError("the semantic model is not available")
        return model.encode(texts)

    def kick(self) -> None:
        """Make sure a background pass runs (soon) over what the live index wants."""
        with self._guard:
            self._again.set()
            if self._thread is not None and self._thread.is_alive():
                return
            thread = threading.Thread(target=self._loop, name="search-embed", daemon=True)
            thread.start()
            self._thread = thread  # only once started: join() reads it without the guard

    def _loop(self) -> None:
        while self._again.is_set() and not self._stop.is_set():
            self._again.clear()
            try:
                self.run()
            except Exception:  # logged; the next kick tries again
                log.exception("embedding passages failed")
                return

    def stop(self, timeout: float | None = None) -> None:
        """Finish the batch in hand and stop (the index is closing); a later kick starts again."""
        self._stop.set()
        self.join(timeout)
        self._stop.clear()

    def join(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def run(self, wait: bool = False) -> bool:
        """Embed what the live index lacks and publish it. False when another process holds the
        lock (it does the work; with `wait`, this one waits for it and then checks)."""
        self.index.root.mkdir(parents=True, exist_ok=True)
        with open(self.index.root / LOCK, "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                return False
            while True:
                try:
                    directory = self.index.root / self.index._target()
                except IndexMissing:
                    return True
                if not self._embed(directory):
                    return True

    def _embed(self, directory: Path) -> bool:
        """One pass over `directory`; True when the live index changed meanwhile (go again)."""
        published = time.monotonic()
        # The directory goes when a newer rebuild replaces it: then the loop starts on the new one.
        with contextlib.suppress(FileNotFoundError, sqlite3.OperationalError):
            if not (directory / vectors.PASSAGES).is_file():
                raise FileNotFoundError(directory)
            todo = vectors.pending(directory, self.cache, BATCH)
            if todo and directory not in self._recovered:
                # Once per index and process (0.26 s at 10,000 documents, where an edit's new
                # passages are never in the matrix): a cache moved or replaced since it was made.
                self._recovered.add(directory)
                if vectors.recover(directory, self.cache):  # the matrix had them: no model needed
                    todo = vectors.pending(directory, self.cache, BATCH)
            while not self._stop.is_set() and todo:
                hashes, texts = zip(*todo, strict=True)
                self.cache.put(list(hashes), self.encode(list(texts)))
                if time.monotonic() - published > PUBLISH_EVERY:
                    vectors.materialize(directory, self.cache)
                    published = time.monotonic()
                if not directory.exists():
                    return True
                todo = vectors.pending(directory, self.cache, BATCH)
            if not self._stop.is_set() and not vectors.progress(directory)["current"]:
                vectors.materialize(directory, self.cache)
        try:
            return self.index.root / self.index._target() != directory
        except IndexMissing:
            return False
