"""The index follows the database: updates, rebuilds, locks, damage, several workers."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

from sqlalchemy import select

from guidance import search
from guidance.extensions import db
from guidance.models import Document
from guidance.services.library import archive, import_tree
from tests.conftest import close, make_app
from tests.search.conftest import slugs, write


def test_add_edit_and_archive_show_in_results_at_once(app, engine, library, monkeypatch):
    # What the words find, at once. (By meaning, "savings pot" is near "a vault keeps money
    # aside": whether the edit's passage was embedded yet by the background would decide.)
    monkeypatch.setattr(engine, "semantic", False)
    write(library, "faq.md", "# Savings pots\n\nA pot keeps money aside.\n")
    import_tree(library)
    assert slugs(engine.search("savings pot", role="agent"))[0] == "faq"
    write(library, "faq.md", "# Vaults\n\nA vault keeps money aside.\n")
    import_tree(library)
    assert slugs(engine.search("vault", role="agent"))[0] == "faq"
    assert "faq" not in slugs(engine.search("savings pot", role="agent"))
    archive(db.session.scalar(select(Document).where(Document.slug == "faq")))
    assert "faq" not in slugs(engine.search("vault", role="agent"))


def test_rebuild_is_idempotent_and_matches_incremental_updates(app, engine):
    before = [(h.slug, h.step, round(h.score, 3)) for h in engine.search("card wire passcode", role=None).hits]
    first = engine.rebuild()
    second = engine.rebuild()
    after = [(h.slug, h.step, round(h.score, 3)) for h in engine.search("card wire passcode", role=None).hits]
    assert first == second == 6 + 5 + 4 + 1  # documents + steps of the three processes
    assert after == before
    # The index just replaced is kept for workers still on it; older ones are removed.
    assert len(list(engine.index.root.glob("index-*"))) == 2


def test_a_writer_waits_for_a_held_lock_instead_of_failing(app, engine, library):
    ix = engine.index.open()
    held = ix.writer(timeout=1)
    released = threading.Event()

    def release_later():
        time.sleep(0.5)
        held.cancel()
        released.set()

    threading.Thread(target=release_later).start()
    write(library, "late.md", "# Lately added\n\nwaited for the lock\n")
    import_tree(library)  # updates the index after commit; must wait, not raise LockError
    assert released.is_set()
    assert slugs(engine.search("lately", role="agent")) == ["late"]


def test_searches_keep_working_while_a_rebuild_swaps_the_index(app, engine):
    stop, errors, counts = threading.Event(), [], []

    def keep_searching():
        with app.app_context():
            while not stop.is_set():
                try:
                    counts.append(len(search.engine().search("wire", role="agent").hits))
                except Exception as error:
                    errors.append(error)

    worker = threading.Thread(target=keep_searching)
    worker.start()
    for _ in range(5):
        engine.rebuild()
    stop.set()
    worker.join()
    assert errors == []
    assert counts and min(counts) > 0


def test_another_worker_sees_a_change_made_elsewhere(app, data_dir, library, tmp_path):
    # A second app on the same database but its own disk: like a second machine.
    other_dir = tmp_path / "other-machine"
    other_dir.mkdir()
    os.symlink(data_dir / "guidance.db", other_dir / "guidance.db")
    other = make_app(other_dir, DATABASE_URL=f"sqlite:///{data_dir / 'guidance.db'}")
    try:
        with other.app_context():
            search.engine().rebuild()
            assert slugs(search.engine().search("kangaroo", role="agent")) == []
        with app.app_context():
            write(library, "roo.md", "# Kangaroo payments\n\nHop.\n")
            import_tree(library)
        with other.app_context():
            assert slugs(search.engine().search("kangaroo", role="agent")) == ["roo"]
    finally:
        close(other)


def test_a_missing_index_says_so_then_rebuilds_itself(app, data_dir):
    with app.app_context():
        shutil.rmtree(data_dir / "search")
        first = search.engine().search("wire", role="agent")
        assert first.unavailable and "being rebuilt" in first.unavailable and first.hits == []
        for _ in range(100):
            if search.engine().search("wire", role="agent").hits:
                break
            time.sleep(0.05)
        assert slugs(search.engine().search("wire", role="agent"))[0] == "processes/send-wire"


def test_a_corrupt_index_is_rebuilt(app, data_dir):
    live = Path(os.path.realpath(data_dir / "search" / "current"))
    for segment in live.glob("*"):
        if segment.name != "GENERATION":
            segment.write_bytes(b"garbage")
    with app.app_context():
        first = search.engine().search("wire", role="agent")
        assert first.unavailable
        for _ in range(100):
            if search.engine().search("wire", role="agent").hits:
                break
            time.sleep(0.05)
        assert slugs(search.engine().search("wire", role="agent"))[0] == "processes/send-wire"


def test_no_index_files_stay_open_after_teardown(data_dir):
    app = make_app(data_dir)
    with app.app_context():
        search.engine().search("wire", role="agent")
    close(app)
    open_files = [
        os.readlink(f"/proc/self/fd/{fd}")
        for fd in os.listdir("/proc/self/fd")
        if os.path.exists(f"/proc/self/fd/{fd}")
    ]
    assert [path for path in open_files if str(data_dir / "search") in path] == []
