"""A `limits` storage in the app's own database (`RATELIMIT_STORAGE_URI = "database://"`).

`limits` ships memory, Redis, Memcached and MongoDB storages; counting failed logins in the
database we already have lets every gunicorn worker, and every machine over one PostgreSQL, share
the counts without another server. Only the fixed-window strategy is supported. Each call runs
on its own connection and commits at once, apart from the request's session.
"""

from __future__ import annotations

import time
from typing import ClassVar

from limits.storage import Storage
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import RateLimit

TABLE = RateLimit.__table__
INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class DatabaseStorage(Storage):
    STORAGE_SCHEME: ClassVar[list[str]] = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        stale = TABLE.c.expires_at <= now
        insert = INSERTS[db.engine.dialect.name](TABLE).values(key=key, hits=amount, expires_at=now + expiry)
        # One statement, so two workers counting the same key at once both count.
        upsert = insert.on_conflict_do_update(
            index_elements=[TABLE.c.key],
            set_={
                "hits": case((stale, amount), else_=TABLE.c.hits + amount),
                "expires_at": case((stale, now + expiry), else_=TABLE.c.expires_at),
            },
        ).returning(TABLE.c.hits)
        with db.engine.begin() as connection:
            hits = connection.scalar(upsert)
            connection.execute(delete(TABLE).where(TABLE.c.expires_at < now))  # forget old windows
        return hits

    def get(self, key: str) -> int:
        query = select(TABLE.c.hits).where(TABLE.c.key == key, TABLE.c.expires_at > time.time())
        with db.engine.connect() as connection:
            return connection.scalar(query) or 0

    def get_expiry(self, key: str) -> float:
        with db.engine.connect() as connection:
            expires = connection.scalar(select(TABLE.c.expires_at).where(TABLE.c.key == key))
        return expires if expires is not None else time.time()

    def check(self) -> bool:
        try:
            with db.engine.connect() as connection:
                connection.scalar(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(delete(TABLE)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(TABLE).where(TABLE.c.key == key))
