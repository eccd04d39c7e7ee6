"""The index on local disk: a cache of the database, rebuilt or updated at any time.

`current` is a symlink to the live index directory. A rebuild writes a new directory and swaps the
link, so searches keep working during it. Every writer waits for the lock instead of failing.
"""
from __future__ import annotations

import fcntl
import gc
import os
import shutil
import threading
import uuid
import weakref
import warnings
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from .schema import IndexEntry, make_schema

WRITE_TIMEOUT = 30.0  # seconds a writer waits for another process's lock
GENERATION_FILE = "GENERATION"


class IndexMissing(Exception):
    """No usable index on disk (never built, deleted or corrupt)."""


class _Held:
    """A thread's searcher; closed when replaced, at close(), or when its thread ends."""

    def __init__(self, key: tuple, searcher: Searcher) -> None:
        self.key, self.searcher = key, searcher
        self._finalizer = weakref.finalize(self, searcher.close)

    def release(self) -> None:
        self._finalizer()


class SearchIndex:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.link = self.root / "current"
        self._opened: tuple[str, whoosh_index.Index] | None = None
        self._lock = threading.Lock()
        # One searcher per thread, kept while the index is unchanged: opening one costs more
        # than a small query (measured: ~6 ms of a 20 ms search). Searchers are not shared
        # between threads.
        self._local = threading.local()
        self._held: weakref.WeakSet[_Held] = weakref.WeakSet()

    # -- reading -------------------------------------------------------------------------
    def _target(self) -> str:
        try:
            return os.readlink(self.link)
        except OSError as error:
            raise IndexMissing("the search index has not been built") from error

    def open(self) -> whoosh_index.Index:
        target = self._target()
        with self._lock:
            if self._opened is None or self._opened[0] != target:
                problem = None
                # Whoosh leaves a damaged index's files open when opening fails: they are
                # closed here (not as a warning at some later collection).
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ResourceWarning)
                    try:
                        self._opened = (target, whoosh_index.open_dir(str(self.root / target)))
                    except Exception as error:  # whoosh raises several kinds for damaged files
                        problem = f"the search index cannot be opened: {error!r}"
                    if problem:
                        gc.collect()
                if problem:
                    raise IndexMissing(problem)
            return self._opened[1]

    @contextmanager
    def searcher(self) -> Iterable[Searcher]:
        """This thread's searcher on the current index (a fresh one after any change)."""
        key = (self._target(), self.generation(), self._writes)
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
        try:
            return int((self.root / self._target() / GENERATION_FILE).read_text())
        except (OSError, ValueError):
            return -1

    # -- writing -------------------------------------------------------------------------
    def rebuild(self, entries: Iterable[IndexEntry], generation: int) -> int:
        """Build a complete new index beside the live one, then swap it in."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "REBUILD.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one rebuild at a time on this disk
            return self._rebuild(entries, generation)

    def _rebuild(self, entries: Iterable[IndexEntry], generation: int) -> int:
        name = f"index-{uuid.uuid4().hex[:12]}"
        build = self.root / name
        build.mkdir()
        try:
            ix = whoosh_index.create_in(str(build), make_schema())
            count = 0
            with ix.writer(timeout=WRITE_TIMEOUT, limitmb=128) as writer:
                for entry in entries:
                    writer.add_document(**entry.fields())
                    count += 1
            ix.close()
            (build / GENERATION_FILE).write_text(str(generation))
            try:
                previous = os.readlink(self.link)
            except OSError:
                previous = None
            temporary_link = self.root / f"current-{name}"
            os.symlink(name, temporary_link)
            os.replace(temporary_link, self.link)  # atomic: readers see the old or the new index
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        self._remove_old(keep={name, previous})
        return count

    def update(self, replaced: dict[str, list[IndexEntry]], generation: int) -> None:
        """Replace every entry of each slug (an empty list removes the document)."""
        ix = self.open()
        with ix.writer(timeout=WRITE_TIMEOUT) as writer:
            for slug, entries in replaced.items():
                writer.delete_by_term("slug", slug)
                for entry in entries:
                    writer.add_document(**entry.fields())
        self._writes += 1
        path = self.root / self._target() / GENERATION_FILE
        if generation > self.generation():
            path.write_text(str(generation))

    _writes = 0  # this process's own updates, which must refresh its searchers too

    def close(self) -> None:
        """Close every searcher and the index (at worker exit, and in tests)."""
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
