"""Passage embeddings beside the Whoosh index: a table of passages, a float16 matrix, a cache.

- `passages.sqlite` in each index directory lists the passages the index's documents want
  (slug, anchor, kind, text and its SHA-256). It is written with the index (rebuild: in the new
  directory before the swap; update: in the same step as the Whoosh commit), so the two always
  describe the same documents.
- `matrix-*.npy` (float16, one row per embedded passage, grouped by document) and its row table
  `matrix-*.json`, named by the `SEMANTIC` file: replaced whole and atomically, so a reader in any
  worker sees an old or a new matrix, never half of one. Readers memory-map it and reopen it when
  `SEMANTIC` changes.
- `embeddings.sqlite` beside the index directories: every embedding ever computed, by the SHA-256
  of its text. A rebuild, a restart or a re-import never computes an unchanged passage again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .coarse import CoarseRows
from .passages import Passage

DIMENSIONS = 384
PASSAGES = "passages.sqlite"
POINTER = "SEMANTIC"
CACHE = "embeddings.sqlite"
# The most useful passages are embedded first: search improves soonest where it matters most.
COLUMNS = ("slugs", "anchors", "kinds", "labels", "hashes")
PRIORITY = "CASE kind WHEN 'curated' THEN 0 WHEN 'title' THEN 1 WHEN 'step' THEN 2 ELSE 3 END"


def connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    return con


# -- the passage table ---------------------------------------------------------------------
def create_passages(directory: Path, passages: Iterable[Passage]) -> int:
    with _closing(connect(directory / PASSAGES)) as con:
        con.executescript(
            "CREATE TABLE passages (id INTEGER PRIMARY KEY, slug TEXT, anchor TEXT, kind TEXT, hash TEXT, text TEXT,"
            " label TEXT);"
            "CREATE INDEX passages_slug ON passages (slug);"
            "CREATE TABLE meta (version INTEGER);"
            "INSERT INTO meta VALUES (1);"
        )
        con.execute("BEGIN")
        con.executemany(
            "INSERT INTO passages (slug, anchor, kind, hash, text, label) VALUES (?, ?, ?, ?, ?, ?)", _rows(passages)
        )
        con.execute("COMMIT")
        return con.execute("SELECT count(*) FROM passages").fetchone()[0]


def replace_passages(directory: Path, replaced: dict[str, list[Passage]]) -> None:
    """Each slug's passages replaced by the given ones (none: the document is gone)."""
    with _closing(connect(directory / PASSAGES)) as con:
        con.execute("BEGIN IMMEDIATE")
        for slug, passages in replaced.items():
            con.execute("DELETE FROM passages WHERE slug = ?", (slug,))
            con.executemany(
                "INSERT INTO passages (slug, anchor, kind, hash, text, label) VALUES (?, ?, ?, ?, ?, ?)",
                _rows(passages),
            )
        con.execute("UPDATE meta SET version = version + 1")
        con.execute("COMMIT")


def _rows(passages: Iterable[Passage]):
    return ((p.slug, p.anchor, p.kind, p.key, p.text, p.label) for p in passages)


# -- the cache -----------------------------------------------------------------------------
class Cache:
    """Embeddings by text hash, shared by every index directory and process on this disk."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _open(self) -> _closing:
        # Made on every use: the data dir's search folder may be deleted at any time (it is a cache).
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = connect(self.path)
        con.execute("CREATE TABLE IF NOT EXISTS vectors (hash TEXT PRIMARY KEY, vector BLOB)")
        return _closing(con)

    def put(self, hashes: list[str], vectors: np.ndarray) -> None:
        rows = zip(hashes, (row.tobytes() for row in vectors.astype(np.float16)), strict=True)
        with self._open() as con:
            con.execute("BEGIN IMMEDIATE")
            con.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
            con.execute("COMMIT")

    def known(self, hashes: list[str]) -> set[str]:
        """Which of `hashes` the cache holds."""
        return {digest for (digest,) in self._select("hash", hashes)}

    def get(self, hashes: list[str]) -> dict[str, bytes]:
        return dict(self._select("hash, vector", hashes))

    def _select(self, columns: str, hashes: list[str]) -> list[tuple]:
        """The cache's rows for `hashes`, asked for 500 at a time (SQLite limits a query's parameters)."""
        rows: list[tuple] = []
        with self._open() as con:
            for start in range(0, len(hashes), 500):
                part = hashes[start : start + 500]
                marks = ",".join("?" * len(part))
                rows += con.execute(f"SELECT {columns} FROM vectors WHERE hash IN ({marks})", part).fetchall()
        return rows


def recover(directory: Path, cache: Cache) -> int:
    """Copy into the cache the live matrix's vectors it lacks (it was moved, replaced, or shared
    only later, GUIDANCE_EMBEDDING_CACHE): those passages are embedded already. Returns how many."""
    matrix = _read(directory, pointer(directory))
    if matrix is None or not matrix.hashes:
        return 0
    held = cache.known(matrix.hashes)
    missing = [row for row, digest in enumerate(matrix.hashes) if digest not in held]
    if missing:
        cache.put([matrix.hashes[row] for row in missing], np.asarray(matrix.vectors[missing]))
    return len(missing)


def pending(directory: Path, cache: Cache, limit: int) -> list[tuple[str, str]]:
    """(hash, text) of passages of the index at `directory` that have no embedding yet."""
    cache._open().con.close()  # (the table exists)
    with _closing(connect(directory / PASSAGES)) as con:
        con.execute("ATTACH DATABASE ? AS cache", (str(cache.path),))
        return con.execute(
            f"SELECT hash, min(text) FROM passages WHERE hash NOT IN (SELECT hash FROM cache.vectors) "
            f"GROUP BY hash ORDER BY min({PRIORITY}), min(id) LIMIT ?",
            (limit,),
        ).fetchall()


# -- the matrix ----------------------------------------------------------------------------
def pointer(directory: Path) -> dict:
    try:
        return json.loads((directory / POINTER).read_text())
    except (OSError, ValueError):
        return {}


def progress(directory: Path) -> dict:
    """How much of the index's passages the live matrix holds, and whether it is up to date."""
    with _closing(connect(directory / PASSAGES)) as con:
        total = con.execute("SELECT count(*) FROM passages").fetchone()[0]
        version = con.execute("SELECT version FROM meta").fetchone()[0]
    live = pointer(directory)
    embedded = live.get("rows", 0) if live.get("version") == version else min(live.get("rows", 0), total)
    return {"passages": total, "embedded": embedded, "current": live.get("version") == version and embedded >= total}


def materialize(directory: Path, cache: Cache) -> dict:
    """Write the matrix of every passage of the index that has an embedding, and point to it.

    Rows already in the previous matrix are copied from it; only new ones come from the cache.
    The caller is the one writer of this directory (the rebuild, or the holder of the embed lock).
    """
    with _closing(connect(directory / PASSAGES)) as con:
        con.execute("BEGIN")
        version = con.execute("SELECT version FROM meta").fetchone()[0]
        rows = con.execute("SELECT slug, anchor, kind, label, hash FROM passages ORDER BY slug, id").fetchall()
        con.execute("COMMIT")
    previous = _read(directory, pointer(directory))
    known = dict(zip(previous.hashes, range(len(previous.hashes)), strict=True)) if previous else {}
    fetched = cache.get(list({h for *_, h in rows if h not in known}))
    keep = [row for row in rows if row[-1] in known or row[-1] in fetched]
    matrix = np.zeros((len(keep), DIMENSIONS), np.float16)
    for number, (*_, digest) in enumerate(keep):
        if digest in known:
            matrix[number] = previous.vectors[known[digest]]
        else:
            matrix[number] = np.frombuffer(fetched[digest], np.float16)
    name = f"matrix-{uuid.uuid4().hex[:12]}"
    np.save(directory / f"{name}.npy", matrix)
    columns = {key: [row[i] for row in keep] for i, key in enumerate(COLUMNS)}
    columns["digests"] = _digests(rows)
    (directory / f"{name}.json").write_text(json.dumps(columns))
    state = {"name": name, "version": version, "rows": len(keep), "total": len(rows)}
    temporary = directory / f"{POINTER}.{name}"
    temporary.write_text(json.dumps(state))
    os.replace(temporary, directory / POINTER)  # readers see the old matrix or the new one
    for old in directory.glob("matrix-*"):
        # The one just replaced stays a while: another worker may be opening it right now.
        if old.stem not in (name, previous.name if previous else None):
            old.unlink(missing_ok=True)
    return state


def _digests(rows: list[tuple]) -> dict[str, str]:
    by_slug: dict[str, list[str]] = {}
    for row in rows:
        by_slug.setdefault(row[0], []).append(row[-1])
    return {slug: hashlib.sha256("\n".join(h).encode()).hexdigest()[:16] for slug, h in by_slug.items()}


@dataclass
class Matrix:
    """An opened matrix: float32 rows (numpy multiplies float16 ~8x slower) grouped by document."""

    name: str
    vectors: np.ndarray
    slugs: list[str]
    anchors: list[str]
    kinds: list[str]
    labels: list[str]
    hashes: list[str]
    digests: dict[str, str]  # slug -> which version of its passages the rows are from
    coarse: CoarseRows | None = None  # an int8 copy for a first look, once made (large matrices)

    def __post_init__(self) -> None:
        starts = [i for i in range(len(self.slugs)) if i == 0 or self.slugs[i] != self.slugs[i - 1]]
        self.starts = np.array(starts, dtype=np.intp)
        self.documents = [self.slugs[i] for i in starts]
        ends = [*starts[1:], len(self.slugs)] if starts else []
        self.rows = {self.slugs[s]: (s, e) for s, e in zip(starts, ends, strict=True)}


def _read(directory: Path, state: dict, as_float32: bool = False) -> Matrix | None:
    name = state.get("name")
    if not name:
        return None
    try:
        vectors = np.load(directory / f"{name}.npy", mmap_mode="r")
        columns = json.loads((directory / f"{name}.json").read_text())
    except (OSError, ValueError):
        return None
    if as_float32:
        vectors = np.asarray(vectors, dtype=np.float32)
    return Matrix(name, vectors, *(columns[key] for key in COLUMNS), columns.get("digests", {}))


def open_matrix(directory: Path) -> Matrix | None:
    return _read(directory, pointer(directory), as_float32=True)


class _closing:
    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def __enter__(self) -> sqlite3.Connection:
        return self.con

    def __exit__(self, *exc) -> None:
        if exc[0] is not None and self.con.in_transaction:
            self.con.rollback()
        self.con.close()
