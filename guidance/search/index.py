"""The index on local disk: a cache of the database, rebuilt or updated at any time.

`current` is a symlink to the live index directory. A rebuild writes a new directory and swaps the
link, so searches keep working during it. Every writer waits for the lock instead of failing.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import gc
import logging
import os
import shutil
import sqlite3
import threading
import traceback
import uuid
import warnings
import weakref
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from . import vectors
from .passages import digest, grouped, passages_for
from .schema import SPELLING_MIN_SIZE, SPELLING_WORDS, STOP_WORDS, IndexEntry, make_schema

log = logging.getLogger(__name__)
WRITE_TIMEOUT = 30.0  # seconds a writer waits for another process's lock
GENERATION_FILE = "GENERATION"
REBUILD_LOCK = "REBUILD.lock"
# Above this many documents a rebuild writes with two processes (Whoosh's multiprocess writer), so
# turning pages into words here and indexing those words there share the cores. Measured on 2 cores:
# the 883-page handbook imported in 6.2-6.6 s instead of 8.1-8.7 s; a small library is faster alone.
PARALLEL_ENTRIES = 500 if (os.cpu_count() or 1) > 1 else 10**9
# Postings a rebuild's writer holds in memory before it sorts them out to a run on disk (Whoosh's
# estimate, per writing process). At Whoosh's 128, 10,000 documents spilled: every posting pickled,
# read back and merged. A full rebuild of them took 26.1-28.5 s, and 20.8-22.4 s at 256 or more,
# each writing process then peaking at 327 MB instead of 267 MB (2026-12-07, on 2 cores).
WRITER_MEMORY_MB = 256


class IndexMissing(Exception):
    """No usable index on disk (never built, deleted or corrupt)."""


class LockBusy(Exception):
    """Another writer holds the index lock."""


class _Held:
    """A thread's searcher; closed when replaced, at close(), or when its thread ends."""

    def __init__(self, key: tuple, searcher: Searcher) -> None:
        self.key, self.searcher = key, searcher
        self._finalizer = weakref.finalize(self, searcher.close)

    def release(self) -> None:
        self._finalizer()


class SearchIndex:
    def __init__(self, root: Path, cache: Path | None = None) -> None:
        self.root = Path(root)
        self._cache_path = cache or self.root / vectors.CACHE
        self.on_close: list[Callable[[], None]] = []  # background work on these files, stopped first
        self.link = self.root / "current"

        self._opened: tuple[str, whoosh_index.Index] | None = None
        self._lock = threading.Lock()
        # One searcher per thread, kept while the index is unchanged: opening one costs more
        # than a small query (measured: ~6 ms of a 20 ms search). Searchers are not shared
        # between threads.
        self._local = threading.local()
        self._held: weakref.WeakSet[_Held] = weakref.WeakSet()

    @functools.cached_property
    def cache(self) -> vectors.Cache:
        return vectors.Cache(self._cache_path)

    # -- reading -------------------------------------------------------------------------
    def _target(self) -> str:
        try:
            target = os.readlink(self.link)
        except OSError as error:
            raise IndexMissing("the search index has not been built") from error
        # A rebuild writes this file last, before the swap: without it the directory is gone
        # or half-written, and Whoosh would wait for lock files that can no longer be made.
        if not (self.root / target / GENERATION_FILE).is_file():
            raise IndexMissing("the search index directory is gone or incomplete")
        if not (self.root / target / vectors.PASSAGES).is_file():  # made before passages existed
            raise IndexMissing("the search index has no passage table")
        return target

    def directory(self) -> Path:
        """The live index's directory (IndexMissing when there is none)."""
        return self.root / self._target()

    def open(self) -> whoosh_index.Index:
        target = self._target()
        with self._lock:
            if self._opened is None or self._opened[0] != target:
                problem = None
                with warnings.catch_warnings():  # Whoosh's own clean-up of a failed open
                    warnings.simplefilter("ignore", ResourceWarning)
                    try:
                        self._opened = (target, whoosh_index.open_dir(str(self.root / target)))
                    except Exception as error:  # whoosh raises several kinds for damaged files
                        problem = f"the search index cannot be opened: {error!r}"
                if problem:
                    _close_abandoned_files()
                    raise IndexMissing(problem)
            return self._opened[1]

    def state(self) -> tuple:
        """What this process sees of the index: any change (a rebuild, an update, another
        worker's) gives a new state, and a new searcher."""
        target = self._target()
        return (target, self._generation_of(target), self._writes)

    @contextmanager
    def searcher(self, state: tuple | None = None) -> Iterable[Searcher]:
        """This thread's searcher on the current index (a fresh one after any change), at
        `state` when the caller has just read it."""
        key = state or self.state()
        held = getattr(self._local, "held", None)
        if held is None or held.key != key:
            if held is not None:
                held.release()
            held = self._local.held = _Held(key, self.open().searcher())
            self._held.add(held)
        try:
            yield held.searcher
        except Exception:
            held.release()  # a searcher that failed is not trusted again
            self._local.held = None
            raise

    def generation(self) -> int:
        """The content generation the live index holds; IndexMissing when it cannot say."""
        return self._generation_of(self._target())

    def _generation_of(self, target: str) -> int:
        try:
            return int((self.root / target / GENERATION_FILE).read_text())
        except (OSError, ValueError) as error:
            raise IndexMissing("the search index does not say what it holds") from error

    def healthy(self) -> bool:
        try:
            self.generation()
            self.open()
        except IndexMissing:
            return False
        return True

    def forget(self) -> None:
        """Drop every open searcher and the open index, so the next search reopens from disk."""
        self.close()

    # -- writing -------------------------------------------------------------------------
    def rebuild(
        self, entries: Callable[[], tuple[Iterable[IndexEntry], int]], *, unless_healthy: bool = False
    ) -> int | None:
        """Build a complete new index beside the live one, then swap it in.

        `entries` is called once the rebuild lock is ours, so the content is read after any
        rebuild that ran meanwhile. With `unless_healthy`, a worker that waited while another
        worker repaired the index does not build it a second time (and returns None).
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / REBUILD_LOCK, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one rebuild at a time on this disk
            if unless_healthy and self.healthy():
                return None
            return self._rebuild(*entries())

    def _rebuild(self, entries: Iterable[IndexEntry], generation: int, size: int = 0) -> int:
        name = f"index-{uuid.uuid4().hex[:12]}"
        build = self.root / name
        build.mkdir()
        try:
            ix = whoosh_index.create_in(str(build), make_schema())
            count, passages = 0, []
            parallel = {"procs": 2, "multisegment": True} if size > PARALLEL_ENTRIES else {}
            with ix.writer(timeout=WRITE_TIMEOUT, limitmb=WRITER_MEMORY_MB, **parallel) as writer:
                vocabulary = _Vocabulary(writer)
                for _, group in grouped(entries):
                    found = passages_for(group)
                    _add(writer, group, found, vocabulary)
                    count += len(group)
                    passages += found
                vocabulary.flush()
            ix.close()
            vectors.create_passages(build, passages)
            # Whatever was embedded before (same texts, any document) is searchable at once.
            try:
                vectors.materialize(build, self.cache)
            except (OSError, sqlite3.Error):  # the cache is only a cache: lexical search goes live
                log.exception("the embedding cache could not be read; passages are embedded again")
            (build / GENERATION_FILE).write_text(str(generation))
            try:
                previous = os.readlink(self.link)
            except OSError:
                previous = None
            temporary_link = self.root / f"current-{name}"
            os.symlink(name, temporary_link)
            os.replace(temporary_link, self.link)  # atomic: readers see the old or the new index
        except BaseException as error:
            _close_abandoned_files(error)
            shutil.rmtree(build, ignore_errors=True)
            raise
        self._remove_old(keep={name, previous})
        return count

    def update(self, replaced: dict[str, list[IndexEntry]], generation: int, timeout: float = WRITE_TIMEOUT) -> None:
        """Replace every entry of each slug (an empty list removes the document).

        Raises LockBusy when another writer keeps the lock longer than `timeout` seconds.
        """
        ix = self.open()
        try:
            writer = ix.writer(timeout=timeout)
        except whoosh_index.LockError as error:
            raise LockBusy("another process is writing the search index") from error
        except OSError as error:  # a full disk: the half-made writer holds the lock until collected
            _close_abandoned_files(error)
            raise
        try:
            passages = {slug: passages_for(entries) for slug, entries in replaced.items()}
            for slug, entries in replaced.items():
                writer.delete_by_term("slug", slug)
                _add(writer, entries, passages[slug])
            # The passages change with the index, under its lock: the matrix follows in the background.
            vectors.replace_passages(self.directory(), passages)
            writer.commit()
        except BaseException as error:
            # The index stays as it was. Whoosh keeps its lock when committing fails (a full disk,
            # say), which would refuse every later update: let it go, and the files it left open.
            _abandon(writer)
            _close_abandoned_files(error)
            raise
        self._writes += 1
        path = self.root / self._target() / GENERATION_FILE
        if generation > self.generation():
            path.write_text(str(generation))

    _writes = 0  # this process's own updates, which must refresh its searchers too

    def close(self) -> None:
        """Close every searcher and the index (at worker exit, and in tests)."""
        for stop in self.on_close:
            stop()
        for held in list(self._held):
            held.release()
        self._local = threading.local()
        with self._lock:
            if self._opened is not None:
                self._opened[1].close()
                self._opened = None

    def _remove_old(self, keep: set[str | None]) -> None:
        # The index just replaced stays until the next rebuild: other workers may still be
        # opening searchers on it until they notice the new link.
        for path in self.root.glob("index-*"):
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)


def _add(writer, entries: list[IndexEntry], passages, vocabulary: _Vocabulary | None = None) -> None:
    for number, entry in enumerate(entries):
        fields = entry.fields()
        if number == 0:
            fields["meaning"] = digest(passages)
        if vocabulary is not None and "spelling" in fields:
            vocabulary.add(fields.pop("spelling"))
        writer.add_document(**fields)


class _Vocabulary:
    """The words "did you mean" may offer, written by a rebuild as a few documents holding many
    pages' words rather than on every page: Whoosh's cost is per (document, word) pair, and the
    spelling field had been half of the handbook's indexing time. Only the corrector reads the
    field: whether a word exists, and how common it is (each word is written once for each page
    that has it, so the most widespread of two equally close words is offered)."""

    PAGES = 500

    def __init__(self, writer) -> None:
        self.writer, self.pages, self.written = writer, 0, 0
        self.counts: Counter[str] = Counter()

    def add(self, text: str) -> None:
        self.counts.update({word.lower() for word in SPELLING_WORDS.findall(text)})
        self.pages += 1
        if self.pages == self.PAGES:
            self.flush()

    def flush(self) -> None:
        if self.counts:
            self.written += 1
            # Split already: Whoosh indexes a list's words as they are, without analysing a text
            # of every word once per page (a quarter of the handbook's tokens). The spelling
            # analyser's filter is applied here instead; the words are lower case already.
            words = [
                word
                for word, count in self.counts.items()
                if len(word) >= SPELLING_MIN_SIZE and word not in STOP_WORDS
                for _ in range(count)
            ]
            self.writer.add_document(key=f"~vocabulary-{self.written}", type="vocabulary", spelling=words)
        self.counts, self.pages = Counter(), 0


def _close_abandoned_files(error: BaseException | None = None) -> None:
    """Whoosh leaves files open when writing or opening fails: close them now, not as a
    ResourceWarning at some later collection. The failure's frames hold them, so their locals go
    (the traceback itself is kept for the log)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        if error is not None:
            traceback.clear_frames(error.__traceback__)
        gc.collect()


def _abandon(writer) -> None:
    try:
        writer.cancel()
    except Exception:  # a commit that failed half-way may refuse to cancel: release the lock itself
        with contextlib.suppress(Exception):
            writer.writelock.release()
