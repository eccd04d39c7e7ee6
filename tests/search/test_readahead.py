"""A large publication's words are read in another process before the index asks for them: the
index must be the same whatever was read by then, and nothing may be left running."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

from sqlalchemy import select

from guidance import search
from guidance.content.plaintext import to_plain_text
from guidance.content.tree import load_tree
from guidance.extensions import db
from guidance.models import Document
from guidance.search import entries, index, readahead
from guidance.search.entries import markdown_of
from guidance.search.readahead import ReadAhead
from guidance.services.library import import_tree
from tests.conftest import CONTENT
from tests.search.conftest import PARENT, READ_HERE, dies_in_another_process, read_and_counted


def starter_documents() -> list:
    return [file.document for file in load_tree(CONTENT) if file.importable]


def read_to_the_end(ahead: ReadAhead, expected: int, timeout: float = 60.0) -> dict[str, str]:
    """Wait until `expected` texts have come back (the reading process then leaves), and take them."""
    deadline = time.monotonic() + timeout
    while len(ahead._read) < expected and time.monotonic() < deadline:
        time.sleep(0.02)
    return ahead.take()


def indexed(read: dict[str, str] | None = None) -> list[dict]:
    documents = db.session.scalars(select(Document).order_by(Document.id))
    return [entry.fields() for entry in entries.all_entries(documents, processes=1, read=read)]


def test_what_is_read_ahead_is_what_the_index_would_read(starter, monkeypatch):
    documents = starter_documents()
    sources = [source for document in documents for source in markdown_of(document)]
    alone = indexed()
    ahead = ReadAhead()

    ahead.start(documents, markdown_of)
    read = read_to_the_end(ahead, len(set(sources)))

    assert read == {source: to_plain_text(source) for source in sources}
    monkeypatch.setattr(entries, "to_plain_text", read_and_counted)
    monkeypatch.setattr(readahead, "to_plain_text", read_and_counted)
    READ_HERE.clear()
    assert indexed(read) == alone
    assert READ_HERE == []  # every text came from the other process
    assert multiprocessing.active_children() == []


def slow_in_another_process(source: str) -> str:
    if os.getpid() != PARENT:
        time.sleep(20)
        os._exit(0)
    return to_plain_text(source)


def test_taken_before_it_is_done_the_index_reads_the_rest_itself(starter, monkeypatch):
    alone = indexed()
    monkeypatch.setattr(readahead, "to_plain_text", slow_in_another_process)
    ahead = ReadAhead()
    ahead.start(starter_documents(), markdown_of)
    reading = ahead._process

    read = ahead.take()  # nothing read yet

    assert read == {}
    assert reading.exitcode == -signal.SIGKILL  # stopped, not waited for
    assert multiprocessing.active_children() == []
    assert indexed(read) == alone


def test_a_reading_process_that_dies_costs_nothing_but_its_help(starter, monkeypatch):
    alone = indexed()
    monkeypatch.setattr(readahead, "to_plain_text", dies_in_another_process)
    ahead = ReadAhead()
    ahead.start(starter_documents(), markdown_of)
    ahead._process.join(timeout=30)  # gone at its first text

    read = ahead.take()

    assert read == {}
    assert indexed(read) == alone


def test_a_large_import_reads_ahead_and_leaves_no_process_behind(empty_app, monkeypatch):
    monkeypatch.setattr(index, "PARALLEL_ENTRIES", 10)  # the starter library counts as large
    started = []
    original = ReadAhead.start
    monkeypatch.setattr(ReadAhead, "start", lambda self, *args: started.append(os.getpid()) or original(self, *args))
    with empty_app.app_context():
        engine = search.engine()
        engine.semantic = False

        report = import_tree(CONTENT)

        assert started == [PARENT]
        assert report.created > 50
        assert engine.search("charged twice", role="agent").hits[0].slug == "processes/payments/charged-twice"
        assert multiprocessing.active_children() == []
