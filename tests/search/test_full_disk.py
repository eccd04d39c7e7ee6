"""A disk that fills up while the index is written: the index as it was keeps serving."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from whoosh.filedb.structfile import StructFile

from guidance import search
from guidance.services.library import import_tree
from tests.search.conftest import slugs, write


@pytest.fixture
def full_disk(monkeypatch):
    """Every write to an index file fails as on a full disk, until the test says otherwise."""

    def no_space(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    def fill():
        monkeypatch.setattr(StructFile, "write", no_space)

    return fill


def test_a_rebuild_on_a_full_disk_leaves_the_old_index_serving(app, engine, data_dir, full_disk):
    live = Path(os.path.realpath(data_dir / "search" / "current"))
    full_disk()
    with pytest.raises(OSError, match="No space"):
        engine.rebuild()
    assert Path(os.path.realpath(data_dir / "search" / "current")) == live
    assert [p.name for p in (data_dir / "search").glob("index-*")] == [live.name]  # the half-built one is gone
    assert slugs(engine.search("wire transfer", role="agent"))[0] == "processes/send-wire"


def test_publishing_on_a_full_disk_keeps_searches_answering(app, engine, library, full_disk, monkeypatch):
    assert slugs(engine.search("wire transfer", role="agent"))[0] == "processes/send-wire"
    write(library, "faq.md", "# Savings pots\n\nA pot keeps money aside.\n")
    full_disk()
    import_tree(library)  # committed to the database; the index cannot take it yet
    found = engine.search("wire transfer", role="agent")
    assert not found.unavailable and slugs(found)[0] == "processes/send-wire"
    assert slugs(engine.search("savings pot", role="agent")) == []  # not yet
    monkeypatch.undo()  # space again: the next search catches up
    assert slugs(search.engine().search("savings pot", role="agent")) == ["faq"]
