"""A whole rebuild reads the documents' Markdown in other processes: the index must not differ."""

from __future__ import annotations

from sqlalchemy import select

from guidance.extensions import db
from guidance.models import Document
from guidance.search import entries
from tests.search.conftest import READ_HERE, dies_in_another_process, read_and_counted


def indexed(processes: int) -> list[dict]:
    documents = db.session.scalars(select(Document).order_by(Document.id))
    return [entry.fields() for entry in entries.all_entries(documents, processes=processes)]


def test_entries_read_in_other_processes_are_those_read_in_one(starter, monkeypatch):
    monkeypatch.setattr(entries, "WINDOW", 7)  # several windows read ahead, and a short last one
    alone = indexed(processes=1)
    monkeypatch.setattr(entries, "to_plain_text", read_and_counted)
    READ_HERE.clear()

    shared = indexed(processes=2)

    assert shared == alone
    assert len(alone) > 57  # every document of the starter library, and its processes' steps
    assert any("Compare the two entries" in fields["step_text"] for fields in shared if fields.get("step_text"))
    assert READ_HERE == []  # all read elsewhere


def test_a_reading_process_that_dies_loses_no_document(starter, monkeypatch):
    monkeypatch.setattr(entries, "WINDOW", 7)
    alone = indexed(processes=1)
    monkeypatch.setattr(entries, "to_plain_text", dies_in_another_process)

    assert indexed(processes=2) == alone  # read here instead, from where the others stopped
