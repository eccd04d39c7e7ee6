"""Search never fails an agent: after any edit, with the index lost or damaged, with several
workers noticing at once."""

from __future__ import annotations

import fcntl
import os
import random
import shutil
import struct
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from guidance import search
from guidance.extensions import db
from guidance.models import Document, User
from guidance.services.editing import publish_edit
from tests.conftest import close, make_app
from tests.search.conftest import slugs

WORDS = [
    "version",
    "app",
    "card",
    "wire",
    "transfer",
    "passcode",
    "refund",
    "latest",
    "sanctions",
    "beneficiary",
    "escalate",
    "limit",
    "fee",
    "pending",
    "declined",
    "verify",
    "statement",
    "x",
    "1",
    "2",
]


def publish(slug: str, source: str) -> None:
    document = db.session.scalar(select(Document).where(Document.slug == slug))
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    publish_edit(document, source, document.published_revision.number, admin, [])


def test_searching_words_that_only_deleted_pages_held_does_not_fail(app, engine):
    # The reported case: a page's text replaced by "x" leaves its old words in the index's
    # vocabulary with every posting deleted, which Whoosh refuses to skip through.
    publish("processes/card-arrival", "x")
    publish("processes/send-wire", "x")
    for query in ("card arrived", "wire version", "international wire", "sanctions 1"):
        engine.search(query, role=None)  # raised ReadTooFar before


def test_the_reported_sequence_through_the_web_and_the_api(admin):
    for slug in ("processes/card-arrival", "processes/send-wire"):
        page = admin.get(f"/d/{slug}/edit").get_data(as_text=True)
        base = page.split('name="base" value="')[1].split('"')[0]
        assert admin.post(f"/d/{slug}/edit", {"source": "x", "base": base, "action": "publish"}).status_code == 303
    for query in ("app version", "card version", "version 1", "latest version of the app", "wire transfer"):
        assert admin.get("/search", query_string={"q": query}).status_code == 200
        assert admin.get("/api/v1/search", query_string={"q": query}).status_code == 200


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_many_random_edits_with_a_search_after_each(app, engine, seed):
    # The markers are made-up tokens: their meaning says nothing (a page titled "zq1r2" is as near
    # to "zq1r3" as can be). This is about the index following edits: the words decide.
    engine.semantic = False
    rng = random.Random(seed)
    documents = sorted(db.session.scalars(select(Document.slug)))
    for round_ in range(25):
        slug = rng.choice(documents)
        marker = f"zq{seed}r{round_}"
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12)))
        source = rng.choice([f"x {marker}", f"# {body} {marker}\n\n{body}\n"])
        publish(slug, source)
        for _ in range(3):
            query = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5)))
            engine.search(query, role=rng.choice([None, "agent"]), as_you_type=rng.random() < 0.3)
        assert slugs(engine.search(marker, role=None)) == [slug]


def wait_for_results(query: str = "wire", tries: int = 200) -> list[str]:
    for _ in range(tries):
        found = slugs(search.engine().search(query, role="agent"))
        if found:
            return found
        time.sleep(0.05)
    return []


def test_an_index_deleted_while_serving_answers_at_once_then_rebuilds(app, data_dir):
    with app.app_context():
        assert wait_for_results()  # the worker has the index open, with a searcher held
        search.engine().embedder.stop()  # (it would be writing new matrix files while rmtree runs)
        shutil.rmtree(data_dir / "search")
        started = time.monotonic()
        first = search.engine().search("wire", role="agent")
        assert first.unavailable and "being rebuilt" in first.unavailable
        assert time.monotonic() - started < 5  # not the 11 s wait for a lock file that is gone
        assert wait_for_results()[0] == "processes/send-wire"


def test_a_live_index_directory_deleted_behind_the_link_is_rebuilt(app, data_dir):
    with app.app_context():
        assert wait_for_results()
        search.engine().embedder.stop()  # (it would be writing new matrix files while rmtree runs)
        shutil.rmtree(os.path.realpath(data_dir / "search" / "current"))
        assert search.engine().search("wire", role="agent").unavailable
        assert wait_for_results()[0] == "processes/send-wire"


def test_an_index_that_fails_under_an_open_searcher_is_rebuilt(app, data_dir, monkeypatch):
    """Damage Whoosh only meets while reading (a segment overwritten under a live searcher):
    the search answers "being rebuilt", and the files are rebuilt rather than trusted again."""
    from whoosh.reading import SegmentReader

    with app.app_context():
        assert wait_for_results()
        live = Path(os.path.realpath(data_dir / "search" / "current"))
        real_postings = SegmentReader.postings

        def damaged(self, *args, **kwargs):
            monkeypatch.setattr(SegmentReader, "postings", real_postings)  # the rebuilt files read fine
            raise struct.error("unpack requires a buffer of 4 bytes")

        monkeypatch.setattr(SegmentReader, "postings", damaged)
        answer = search.engine().search("card arrived", role="agent")
        assert answer.unavailable and not answer.hits
        for _ in range(200):
            if Path(os.path.realpath(data_dir / "search" / "current")) != live:
                break  # rebuilt
            time.sleep(0.05)
        assert Path(os.path.realpath(data_dir / "search" / "current")) != live
        assert wait_for_results("card arrived")[0] == "processes/card-arrival"


def test_while_another_worker_rebuilds_every_search_answers_at_once(app, data_dir):
    """One rebuild at a time across workers: while another process holds the rebuild lock,
    this worker neither rebuilds nor waits."""
    with app.app_context():
        shutil.rmtree(data_dir / "search")
        (data_dir / "search").mkdir()
        with open(data_dir / "search" / "REBUILD.lock", "w") as held:
            fcntl.flock(held, fcntl.LOCK_EX)  # another worker's rebuild in progress
            answers, started = [], time.monotonic()

            def agent_searches():
                with app.app_context():
                    answers.append(search.engine().search("wire", role="agent"))

            threads = [threading.Thread(target=agent_searches) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert time.monotonic() - started < 5
            assert len(answers) == 8 and all(a.unavailable and not a.hits for a in answers)
            assert not (data_dir / "search" / "current").exists()  # nobody else rebuilt
        assert wait_for_results()[0] == "processes/send-wire"  # lock released: rebuilt once


def test_two_workers_noticing_a_lost_index_rebuild_it_once(app, data_dir, monkeypatch):
    from guidance.search import index as index_module

    builds = []
    real = index_module.SearchIndex._rebuild

    def counting(self, entries, generation, *size):
        builds.append(self.root)
        time.sleep(0.3)  # long enough for the other worker to notice too
        return real(self, entries, generation, *size)

    monkeypatch.setattr(index_module.SearchIndex, "_rebuild", counting)
    other = make_app(data_dir)
    try:
        shutil.rmtree(data_dir / "search")
        for worker in (app, other):
            with worker.app_context():
                assert search.engine().search("wire", role="agent").unavailable
        for worker in (app, other):
            with worker.app_context():
                assert wait_for_results()[0] == "processes/send-wire"
        assert len(builds) == 1
    finally:
        close(other)


def test_other_pages_keep_working_while_the_index_is_rebuilt(app, agent, data_dir):
    shutil.rmtree(data_dir / "search")
    page = agent.get("/search?q=wire")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Search is being rebuilt" in body and "browse by tag" in body
    assert 'href="/tags/payments"' in body
    api = agent.get("/api/v1/search?q=wire")
    assert api.status_code == 503 and api.headers["Retry-After"]
    assert "being rebuilt" in api.get_json()["error"]
    assert agent.get("/d/processes/send-wire").status_code == 200
    assert agent.get("/tags/payments").status_code == 200
    assert "Send an international wire transfer" in agent.get("/tags/payments").get_data(as_text=True)
