"""What agents searched for, what they were shown, and what they opened.

A search never waits for its log row: it queues an entry and answers, and a background thread
writes the queue at least every second (and at exit). Measured before: committing the row cost
~6.7 ms of a search, and with the database locked or read-only every search failed. A batch
that cannot be written is dropped and counted in the application log; the search stands.
"""

from __future__ import annotations

import atexit
import logging
import secrets
import threading
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import Engine, create_engine, make_url, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..models import SearchLog, SearchSource, User
from ..models._base import utcnow

log = logging.getLogger(__name__)
TYPING_WINDOW = timedelta(seconds=20)
FLUSH_INTERVAL = 1.0  # seconds
LOCK_WAIT = 5.0  # seconds a flush waits for a locked database (config SEARCH_LOG_LOCK_WAIT)


@dataclass
class Entry:
    key: str
    user_id: int | None
    source: str
    query: str
    results: list[str]
    created_at: datetime
    updated_at: datetime
    opened: tuple[str, int | None] | None = None


@dataclass
class Open:
    key: str
    user_id: int
    slug: str
    rank: int | None


@dataclass
class _Queue:
    entries: dict[str, Entry] = field(default_factory=dict)  # by key: keystrokes collapse here
    opens: list[Open] = field(default_factory=list)


class SearchLogWriter:
    def __init__(self, app: Flask, interval: float = FLUSH_INTERVAL) -> None:
        self.app, self.interval = app, interval
        self.written = self.dropped = 0
        self._queue = _Queue()
        self._latest: dict[int | None, Entry] = {}  # each user's search still being typed
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._wake = threading.Event()
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._engine: Engine | None = None

    # -- on the request path: memory only ----------------------------------------------------
    def log(self, user: User | None, query: str, slugs: list[str], source: str = SearchSource.WEB) -> str:
        """Queue a search; returns the key that records which result was opened.

        While the agent is still typing, the same entry grows instead of one per keystroke,
        so the log holds the searches people meant."""
        query, now = query[:200], utcnow()
        user_id = user.id if user is not None else None
        with self._lock:
            latest = self._latest.get(user_id)
            if not (
                latest is not None
                and latest.source == source
                and latest.opened is None
                and now - latest.updated_at < TYPING_WINDOW
                and (query.startswith(latest.query) or latest.query.startswith(query))
            ):
                latest = Entry(secrets.token_hex(8), user_id, source, query, slugs, now, now)
                self._latest[user_id] = latest
            latest.query, latest.results, latest.updated_at = query, list(slugs), now
            self._queue.entries[latest.key] = latest
        self._start()
        return latest.key

    def record_open(self, key: str, user: User, slug: str, rank: int | None) -> None:
        """Remember which result the agent opened (their own search's, the first one only)."""
        with self._lock:
            latest = self._latest.get(user.id)
            if latest is not None and latest.key == key:
                latest.opened = latest.opened or (slug, rank)  # typing on starts a new entry
            self._queue.opens.append(Open(key, user.id, slug, rank))
        self._start()

    # -- off the request path --------------------------------------------------------------
    def flush(self) -> int:
        """Write what is queued now; returns the number of rows written."""
        with self._flushing:
            with self._lock:
                batch, self._queue = self._queue, _Queue()
            if not batch.entries and not batch.opens:
                return 0
            try:
                count = self._write(batch)
            except SQLAlchemyError as error:
                lost = len(batch.entries) + len(batch.opens)
                self.dropped += lost
                log.warning(
                    "search log: dropped %d entries (%d since start): %s", lost, self.dropped, error.__class__.__name__
                )
                return 0
            self.written += count
            return count

    def _write(self, batch: _Queue) -> int:
        keys = list(batch.entries) + [o.key for o in batch.opens]
        with Session(self._database()) as session, session.begin():
            rows = {row.key: row for row in session.scalars(select(SearchLog).where(SearchLog.key.in_(keys)))}
            for entry in batch.entries.values():
                row = rows.get(entry.key)
                if row is None:
                    row = rows[entry.key] = SearchLog(
                        key=entry.key, user_id=entry.user_id, source=entry.source, created_at=entry.created_at
                    )
                    session.add(row)
                row.query, row.results, row.updated_at = entry.query, entry.results, entry.updated_at
            for opened in batch.opens:
                row = rows.get(opened.key)
                if row is not None and row.user_id == opened.user_id and row.opened_slug is None:
                    row.opened_slug, row.opened_rank = opened.slug, opened.rank
        return len(batch.entries)

    def _database(self) -> Engine:
        """The writer's own connection, which gives up on a held lock after a few seconds
        (requests wait 30 s) and leaves the app's connections as they are."""
        if self._engine is None:
            url = make_url(self.app.config["SQLALCHEMY_DATABASE_URI"])
            wait = float(self.app.config.get("SEARCH_LOG_LOCK_WAIT", LOCK_WAIT))
            if url.get_backend_name() == "sqlite":
                connect_args = {"timeout": wait}
            elif url.get_backend_name() == "postgresql":
                ms = int(wait * 1000)
                connect_args = {"options": f"-c lock_timeout={ms} -c statement_timeout={2 * ms}"}
            else:
                connect_args = {}
            self._engine = create_engine(url, connect_args=connect_args, pool_size=1, max_overflow=0)
        return self._engine

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._stopped or (self._thread is not None and self._thread.is_alive()):
                    return
                self._thread = threading.Thread(target=self._run, name="search-log", daemon=True)
                self._thread.start()
        if self._stopped:
            self.flush()  # after close (at exit): write through

    def _run(self) -> None:
        while not self._stopped:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # never let the writer thread die on a surprise
                log.exception("search log: flush failed")

    def close(self) -> None:
        """Stop the thread and write what is left (clean shutdown)."""
        self._stopped = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.flush()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def writer(app: Flask | None = None) -> SearchLogWriter:
    app = app or current_app._get_current_object()
    found = app.extensions.get("guidance_search_log")
    if found is None:
        found = app.extensions["guidance_search_log"] = SearchLogWriter(app)
        _at_exit.add(found)
    return found


_at_exit: weakref.WeakSet[SearchLogWriter] = weakref.WeakSet()


@atexit.register
def close_all() -> None:
    """Write every queue and stop every writer (at exit, and when a gunicorn worker stops)."""
    for each in list(_at_exit):
        each.close()


def log_search(user: User | None, query: str, slugs: list[str], source: str = SearchSource.WEB) -> str:
    return writer().log(user, query, slugs, source)


def record_open(key: str, user: User, slug: str, rank: int | None) -> None:
    writer().record_open(key, user, slug, rank)


def flush() -> int:
    return writer().flush()
