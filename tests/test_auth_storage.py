"""The database storage of the login throttle: counts, windows and concurrent workers (SQLite)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from guidance.security.storage import DatabaseStorage
from tests.auth_migration import upgrade_with_existing_rows
from tests.conftest import close, make_app


def count_concurrently(app, key: str, threads: int = 4, each: int = 15) -> int:
    storage = DatabaseStorage("database://")

    def work(_):
        with app.app_context():
            for _ in range(each):
                storage.incr(key, 60)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, range(threads)))
    with app.app_context():
        return storage.get(key)


def check_windows(app) -> None:
    storage = DatabaseStorage("database://")
    with app.app_context():
        assert storage.get("k") == 0
        assert storage.incr("k", 60) == 1 and storage.incr("k", 60, amount=2) == 3
        assert storage.get("k") == 3
        assert time.time() < storage.get_expiry("k") <= time.time() + 60
        assert storage.incr("gone", 0) == 1  # a window that is already over counts as nothing
        assert storage.get("gone") == 0 and storage.incr("gone", 60) == 1
        storage.clear("k")
        assert storage.get("k") == 0 and storage.check()
        assert storage.reset() == 1


def test_counts_and_windows(app):
    check_windows(app)


def test_workers_counting_at_once_lose_no_count(app):
    assert count_concurrently(app, "account:agent") == 60


def test_the_migration_keeps_users_and_tokens(tmp_path):
    app = make_app(tmp_path)  # no schema yet
    try:
        upgrade_with_existing_rows(app)
    finally:
        close(app)
