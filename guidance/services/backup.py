"""Backup and restore: every table of the database in one file, moved between SQLite and PostgreSQL.

The file is gzip-compressed JSON lines: a header (format, schema revision, table list), then for
each table a line naming its columns and one line per row. Tables are read from the models'
metadata, so a table added later is backed up without a change here. Restore needs an empty
database at the same schema revision (it upgrades an empty one itself), inserts parents before
children, fills in references that point forward (documents ↔ revisions) once both exist, and
moves PostgreSQL's id sequences past the restored ids. The search index is derived: it is rebuilt
from the restored content by the next search (or `flask guidance reindex`).
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Date, DateTime, Integer, LargeBinary, Table, delete, func, insert, select, text, update
from sqlalchemy.sql.schema import Column

from ..extensions import db

FORMAT = "guidance-backup"
VERSION = 1
BATCH = 500
SEEDED = {"content_state"}  # tables a fresh migration fills with their one starting row


class BackupError(ValueError):
    """A backup file that cannot be restored here, or a database that must not be overwritten."""


def schema_revision() -> str | None:
    try:
        return db.session.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception:  # no alembic_version table: an empty database
        db.session.rollback()
        return None


def tables() -> list[Table]:
    return list(db.metadata.sorted_tables)


def backup(path: Path) -> dict[str, int]:
    """Write every table to `path`; returns the row count per table."""
    counts: dict[str, int] = {}
    with gzip.open(path, "wt", encoding="utf-8") as out:
        _line(
            out,
            {
                "format": FORMAT,
                "version": VERSION,
                "schema": schema_revision(),
                "created_at": dt.datetime.now(dt.UTC).isoformat(),
                "tables": [t.name for t in tables()],
            },
        )
        for table in tables():
            columns = list(table.columns)
            _line(out, {"table": table.name, "columns": [c.name for c in columns]})
            counts[table.name] = 0
            for row in db.session.execute(select(table).order_by(*table.primary_key.columns)):
                _line(out, [_dump(column, value) for column, value in zip(columns, row, strict=True)])
                counts[table.name] += 1
    db.session.rollback()  # reads only; end the transaction
    return counts


def restore(path: Path) -> dict[str, int]:
    """Load a backup into this (empty) database; returns the row count per table."""
    with _open(path) as source:
        header = _header(path, source)
        here = schema_revision()
        if here != header["schema"]:
            raise BackupError(
                f"the backup's schema is revision {header['schema']}, this database's is {here}: run "
                "`flask db upgrade` where the backup came from, back up again, then restore"
            )
        occupied = [t.name for t in tables() if db.session.scalar(select(func.count()).select_from(t))]
        if set(occupied) - SEEDED:
            raise BackupError(f"this database is not empty ({', '.join(occupied)}): restore into a new one")
        for name in SEEDED:  # the migration's starting row gives way to the backup's
            db.session.execute(delete(db.metadata.tables[name]))
        counts: dict[str, int] = {}
        afterwards: list[tuple[Table, dict[str, Any], dict[str, Any]]] = []  # table, key, forward values
        table, columns, forward, batch = None, [], [], []
        for number, line in enumerate(source, 2):
            value = json.loads(line)
            if isinstance(value, dict):
                _insert(table, batch)
                table, batch = _table(value["table"], path, number), []
                columns = [table.c[name] for name in value["columns"]]
                forward = [c.name for c in table.columns if _points_forward(c, table)]
                counts[table.name] = 0
                continue
            if table is None:
                raise BackupError(f"{path}:{number}: a row before any table")
            record = {c.name: _load(c, v) for c, v in zip(columns, value, strict=True)}
            later = {name: record[name] for name in forward if record.get(name) is not None}
            record.update(dict.fromkeys(forward))  # every row of a batch names the same columns
            if later:
                afterwards.append((table, {c.name: record[c.name] for c in table.primary_key.columns}, later))
            batch.append(record)
            counts[table.name] += 1
            if len(batch) >= BATCH:
                _insert(table, batch)
                batch = []
        _insert(table, batch)
    for table, key, values in afterwards:
        db.session.execute(update(table).where(*(table.c[k] == v for k, v in key.items())).values(**values))
    _move_sequences_past_restored_ids()
    db.session.commit()
    return counts


def _open(path: Path):
    try:
        return gzip.open(path, "rt", encoding="utf-8")
    except OSError as error:
        raise BackupError(f"{path} cannot be opened: {error}") from error


def _header(path: Path, source: IO[str]) -> dict[str, Any]:
    try:
        header = json.loads(source.readline() or "null")
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BackupError(f"{path} is not a Guidance backup: {error}") from error
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("version") != VERSION:
        raise BackupError(f"{path} is not a Guidance backup (format {FORMAT} {VERSION})")
    return header


def _table(name: str, path: Path, number: int) -> Table:
    found = db.metadata.tables.get(name)
    if found is None:
        raise BackupError(f"{path}:{number}: a table '{name}' this version of Guidance does not have")
    return found


def _insert(table: Table | None, batch: list[dict[str, Any]]) -> None:
    if table is not None and batch:
        db.session.execute(insert(table), batch)


def _points_forward(column: Column, table: Table) -> bool:
    """A reference to a table restored after this one (or to itself): filled in at the end."""
    order = [t.name for t in tables()]
    return any(order.index(fk.column.table.name) >= order.index(table.name) for fk in column.foreign_keys)


def _move_sequences_past_restored_ids() -> None:
    if db.engine.dialect.name != "postgresql":
        return  # SQLite's next id follows the largest one present
    for table in tables():
        keys = list(table.primary_key.columns)
        if len(keys) == 1 and isinstance(keys[0].type, Integer) and keys[0].autoincrement in (True, "auto"):
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{keys[0].name}'), "
                    f"COALESCE((SELECT MAX({keys[0].name}) FROM {table.name}), 0) + 1, false)"
                )
            )


def _line(out: IO[str], value: Any) -> None:
    out.write(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    out.write("\n")


def _dump(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _load(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return dt.date.fromisoformat(value)
    if isinstance(column.type, LargeBinary):
        return base64.b64decode(value)
    return value
