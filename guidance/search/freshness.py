"""Keeping a worker's index in step with the database: rebuild, catch up after a commit or another
worker's change, status and waiting, and repair in the background when the files fail."""

from __future__ import annotations

import logging
import threading
import time

from flask import has_request_context
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..content import ParsedDocument
from ..extensions import db
from ..models import Document
from ..services.content_state import current_generation
from . import semantic, vectors
from .entries import all_entries, entries_for, example_texts, markdown_of
from .index import PARALLEL_ENTRIES, WRITE_TIMEOUT, IndexMissing, LockBusy
from .readahead import reader, worth_it

log = logging.getLogger(__name__)
# A search waits this long for another process's index write before searching what is there.
SEARCH_LOCK_TIMEOUT = 0.5
FORCED_REBUILD_INTERVAL = 60.0


class KeepsFresh:
    """SearchEngine's half that writes: it needs `app`, `index`, `embedder`, `semantic`, `ahead`
    and the locks and times SearchEngine.__init__ sets."""

    def rebuild(self, unless_healthy: bool = False) -> int | None:
        """Rebuild the whole index from the database; None if another worker just did."""

        def everything():
            generation, _ = current_generation()
            documents = db.session.scalars(
                select(Document)
                .where(Document.published_revision_id.is_not(None))
                .options(selectinload(Document.published_revision))  # one query, not one per document
                .execution_options(yield_per=500)
            )
            count = db.session.scalar(
                select(func.count()).select_from(Document).where(Document.published_revision_id.is_not(None))
            )
            processes = 2 if count > PARALLEL_ENTRIES else 1
            return all_entries(documents, processes, read=self.ahead.take()), generation, count

        count = self.index.rebuild(everything, unless_healthy=unless_healthy)
        self._embed_soon()
        return count

    def read_ahead(self, documents: list[ParsedDocument]) -> None:
        """Documents about to be published: when there are many, start reading their words now
        (readahead.py); the next rebuild or catch-up takes what has been read."""
        if worth_it(len(documents)):
            self.ahead.start(documents, markdown_of)

    def status(self) -> dict:
        """Lexical and semantic progress: is the index current with the database, how many
        passages are embedded."""
        generation, _ = current_generation()
        try:
            seen = self.index.generation()
            progress = vectors.progress(self.index.directory())
        except IndexMissing:
            return {"lexical": {"state": "missing", "behind": generation}, "semantic": {"state": "missing"}}
        lexical = {"state": "current" if seen >= generation else "behind", "behind": max(0, generation - seen)}
        if not self.semantic or semantic.model() is None:
            return {"lexical": lexical, "semantic": {"state": "off", **progress}}
        return {
            "lexical": lexical,
            "semantic": {"state": "current" if progress["current"] else "embedding", **progress},
        }

    def wait_until_current(self, cores: int = 1) -> None:
        """Bring the index up to the database and embed every passage, here and now (waiting for
        another process that is doing it, then finishing what it left), the model's products on
        `cores` cores if this process has not loaded it yet."""
        if self.semantic:
            semantic.use_threads(cores)
        self.after_commit(wait=True)
        if self.semantic and semantic.model() is not None:
            self.embedder.run(wait=True)

    serving = False  # this process serves requests (a request or a worker's warm-up said so)

    def _embed_soon(self) -> None:
        """Embed new passages in the background, in a process that lives on to finish them: one
        that serves requests. A command exits once its own work is done, with the model's work cut
        short (and a thread still inside the model aborted the process: exit status 134). Its
        passages wait for a server, or for `index-status --wait`, which embeds in the foreground."""
        self.serving = self.serving or has_request_context()
        if self.semantic and self.serving:
            self._last_kick = time.monotonic()
            self.embedder.kick()

    def catch_up(self, state: tuple[int, int] | None = None, lock_timeout: float = WRITE_TIMEOUT) -> None:
        """Apply every document change the index has not seen (after a commit, or another worker's)."""
        generation, _ = state or current_generation()
        seen = self.index.generation()
        if seen >= generation:
            return
        documents = list(db.session.scalars(select(Document).where(Document.generation > seen)))
        texts = example_texts([d.id for d in documents])  # one query for all, not one per document
        plain = reader(self.ahead.take())
        changed = {d.slug: entries_for(d, texts, plain) for d in documents}
        self.index.update(changed, generation, timeout=lock_timeout)
        self._embed_soon()

    def after_commit(self, wait: bool) -> None:
        """Apply committed document changes now. A missing index is built at once when `wait`
        (the command line: import, then search), else in the background (a web request)."""
        try:
            with self._catching_up:
                self.catch_up()
        except IndexMissing:
            if wait:
                self.rebuild(unless_healthy=True)
            else:
                self._rebuild_in_background()
        except LockBusy:  # the next search catches up
            log.warning("search index busy: changes are applied by the next search")
        except OSError as error:  # a full disk: the index as it was keeps serving
            log.error("search index not updated (%s): changes are applied by a later search", error)

    def _freshen_for_search(self, wait: bool, state: tuple[int, int]) -> None:
        """Catch up before a search without ever holding it up: when another thread is already
        applying the change, or another process holds the index lock, search what is there."""
        if wait:
            with self._catching_up:
                self.catch_up(state)
            return
        if not self._catching_up.acquire(blocking=False):
            return
        try:
            self.catch_up(state, lock_timeout=SEARCH_LOCK_TIMEOUT)
        except LockBusy:
            pass
        except OSError as error:  # a full disk: answer from the index as it is, catch up later
            log.error("search index not updated (%s): answering from the index as it was", error)
        finally:
            self._catching_up.release()

    @property
    def rebuilding(self) -> bool:
        """This process is rebuilding the index right now."""
        return self._rebuilding.locked()

    def _rebuild_in_background(self, force: bool = False) -> None:
        """Start one rebuild now unless this process already runs one; across processes the
        rebuild lock lets one work while the others wait, then find the index repaired."""
        if not self._rebuilding.acquire(blocking=False):
            return

        def work() -> None:
            try:
                with self.app.app_context():
                    self.index.forget()
                    self.rebuild(unless_healthy=not force)
            except Exception:  # logged; the next search tries again
                log.exception("search index rebuild failed")
            finally:
                self._rebuilding.release()

        threading.Thread(target=work, name="search-rebuild", daemon=True).start()

    def _damaged(self) -> None:
        """Searching failed inside Whoosh: distrust the files and rebuild them, at most once a
        minute so that a fault that is not the files' cannot keep a rebuild running."""
        self.index.forget()
        now = time.monotonic()
        if now - self._last_forced > FORCED_REBUILD_INTERVAL:
            self._last_forced = now
            self._rebuild_in_background(force=True)
