"""Examples: customers' own words for a contact reason, from a CRM's closed cases (a CSV file).

Search uses them to recognise what a document is for (search/entries.py); they are never shown.
An example belongs to every document whose front matter lists its contact reason, so a reason
moved to another document takes its examples along. Reading the whole file before writing
anything means a bad file changes nothing, and each example's digest makes a re-import a no-op.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, insert, select

from ..content.frontmatter import reason_code
from ..extensions import db
from ..models import Document, DocumentContactReason, Example
from ..signals import content_changed
from .content_state import next_generation

MAX_TEXT = 1000  # characters of one example kept: a case's opening words say what it is about
LEARNED = "learned"


class ExampleFileError(ValueError):
    """The file cannot be read as examples; nothing was imported."""

    def __init__(self, path: Path, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line = path, line


@dataclass
class ImportReport:
    rows: int = 0
    added: int = 0
    unchanged: int = 0  # already imported from this source
    empty: int = 0  # rows without text or reason
    unknown: Counter[str] = field(default_factory=Counter)  # reasons no document lists: not imported
    documents: int = 0  # documents whose examples changed (re-indexed)


def clean(text: str) -> str:
    return " ".join(text.split())[:MAX_TEXT]


def digest(source: str, reason: str | None, document_id: int | None, user_id: int | None, text: str) -> str:
    key = "\0".join([source, reason or "", str(document_id or ""), str(user_id or ""), text])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def read_rows(path: Path, text_column: str, reason_column: str) -> list[tuple[int, str, str]]:
    """(line, text, reason code) of every row, or ExampleFileError naming the file and line."""
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ExampleFileError(path, line, "not UTF-8 text (save the file as UTF-8)") from error
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    start = 1  # the line the row being read begins on
    try:
        header = next(reader, None)
        if header is None:
            raise ExampleFileError(path, 1, "the file is empty")
        header = [name.strip() for name in header]
        for column in (text_column, reason_column):
            if column not in header:
                raise ExampleFileError(path, 1, f"no column '{column}' (the columns are: {', '.join(header)})")
        text_at, reason_at = header.index(text_column), header.index(reason_column)
        rows, start = [], reader.line_num + 1
        for row in reader:
            if len(row) != len(header) and any(cell.strip() for cell in row):
                raise ExampleFileError(path, start, f"{len(row)} fields where the header has {len(header)}")
            if len(row) == len(header):
                rows.append((start, clean(row[text_at]), reason_code(row[reason_at])))
            start = reader.line_num + 1
    except csv.Error as error:  # an unclosed quote, a stray quote inside a field
        raise ExampleFileError(path, start, str(error)) from error
    return rows


def import_file(
    path: Path,
    text_column: str = "text",
    reason_column: str = "contact_reason",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Add the file's rows as examples of the documents that hold their contact reasons; commit,
    then announce the documents whose examples changed so search re-indexes them."""
    return import_rows(path.name, read_rows(path, text_column, reason_column), progress)


def import_rows(
    source: str, rows: list[tuple[int, str, str]], progress: Callable[[int], None] | None = None
) -> ImportReport:
    """import_file() for rows read_rows() has read (the command line shows their progress)."""
    report = ImportReport(rows=len(rows))
    known = set(db.session.scalars(select(func.lower(DocumentContactReason.code)).distinct()))
    existing = set(db.session.scalars(select(Example.digest).where(Example.source == source)))
    new, added_reasons = [], set()
    for _, text, reason in rows:
        if progress:
            progress(1)
        if not text or not reason:
            report.empty += 1
            continue
        if reason not in known:
            report.unknown[reason] += 1
            continue
        key = digest(source, reason, None, None, text)
        if key in existing:
            report.unchanged += 1
            continue
        existing.add(key)
        new.append({"digest": key, "text": text, "contact_reason": reason, "source": source})
        added_reasons.add(reason)
    report.added = len(new)
    if new:
        db.session.execute(insert(Example), new)
    report.documents = len(announce(_documents_with(added_reasons)))
    return report


def _documents_with(reasons: set[str]) -> list[int]:
    if not reasons:
        return []
    query = select(DocumentContactReason.document_id).where(func.lower(DocumentContactReason.code).in_(reasons))
    return list(set(db.session.scalars(query)))


def announce(document_ids: list[int]) -> list[int]:
    """Move the documents to a new content generation, commit, and tell search (as publishing does)."""
    if document_ids:
        generation = next_generation()
        for document in db.session.scalars(select(Document).where(Document.id.in_(document_ids))):
            document.generation = generation
    db.session.commit()
    if document_ids:
        content_changed.send(current_app._get_current_object(), document_ids=document_ids)
    return document_ids


def imported_texts(document_ids: list[int] | None = None) -> dict[int, list[str]]:
    """Each document's imported examples (through its contact reasons), oldest first."""
    query = (
        select(DocumentContactReason.document_id, Example.text)
        .join(Example, Example.contact_reason == func.lower(DocumentContactReason.code))
        .order_by(Example.id)
    )
    if document_ids is not None:
        query = query.where(DocumentContactReason.document_id.in_(document_ids))
    found: dict[int, list[str]] = {}
    for document_id, text in db.session.execute(query):
        found.setdefault(document_id, []).append(text)
    return found


def listing(reason: str | None = None, limit: int | None = None) -> list[Example]:
    query = select(Example).order_by(Example.contact_reason, Example.source, Example.id)
    if reason:
        query = query.where(Example.contact_reason == reason_code(reason))
    return list(db.session.scalars(query.limit(limit)))


def counts() -> list[tuple[str | None, str, int]]:
    """(contact reason, source, number of examples)."""
    query = (
        select(Example.contact_reason, Example.source, func.count())
        .group_by(Example.contact_reason, Example.source)
        .order_by(Example.contact_reason, Example.source)
    )
    return [tuple(row) for row in db.session.execute(query)]


def clear(source: str | None = None) -> int:
    """Delete the examples (of one source), commit, and re-index the documents they belonged to."""
    where = [Example.source == source] if source else []
    reasons = set(db.session.scalars(select(Example.contact_reason).where(*where).distinct())) - {None}
    learned_for = set(db.session.scalars(select(Example.document_id).where(*where).distinct())) - {None}
    removed = db.session.execute(delete(Example).where(*where)).rowcount
    announce(sorted(set(_documents_with(reasons)) | learned_for))
    return removed
