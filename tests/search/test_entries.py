"""A whole rebuild reads the documents' Markdown in other processes: the index must not differ."""

from __future__ import annotations

import os
import shutil

import pytest
from sqlalchemy import select

from guidance.content.plaintext import to_plain_text
from guidance.extensions import db
from guidance.models import Document
from guidance.search import entries
from tests.conftest import close, make_app

PARENT = os.getpid()
READ_HERE: list[str] = []  # the texts this process read itself (the others' lists are their own)


def read_and_counted(source: str) -> str:
    if os.getpid() == PARENT:
        READ_HERE.append(source)
    return to_plain_text(source)


def dies_in_another_process(source: str) -> str:
    if os.getpid() != PARENT:
        os._exit(1)  # as a process killed for memory would
    return to_plain_text(source)


@pytest.fixture
def starter(tmp_path, starter_dir):
    app = make_app(shutil.copytree(starter_dir, tmp_path / "data", symlinks=True))
    with app.app_context():
        yield app
    close(app)


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
