"""Faults a server meets: a worker killed mid-request, an import killed half-way, an import that
fails half-way, a process that exits while passages are being embedded. Nothing committed is lost,
nothing half-done is published. (A full disk while writing the index: tests/search/test_full_disk.py.)"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from guidance.extensions import db
from guidance.models import Document, Revision, StepNote
from guidance.services import library, publishing
from tests.conftest import PASSWORDS
from tests.faults import (
    BIN,
    CUT_OFF,
    ROOT,
    Browser,
    environment,
    free_port,
    gunicorn,
    import_killed_half_way,
    wait_until_up,
    workers_of,
)

WIRE = "/d/processes/send-wire"


def published(app) -> dict[str, tuple[int, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(Document.slug, Revision.number, Revision.source).join(
                Revision, Revision.id == Document.published_revision_id
            )
        )
        return {slug: (number, source) for slug, number, source in rows}


def notes_saved_while_workers_are_killed(base: str, master, agents: int = 6, kill_count: int = 4) -> list[str]:
    """Agents keep saving notes while a worker is SIGKILLed now and then; returns the notes the
    server acknowledged (303)."""
    acknowledged, stop = [], threading.Event()

    def agent(number: int) -> None:
        browser = Browser(base)
        for _ in range(5):  # the worker that answers may be the one killed
            try:
                browser.login("agent", PASSWORDS["agent"])
                break
            except CUT_OFF:
                continue
        count = 0
        while not stop.is_set():
            body = f"note {number}-{count}"
            try:
                if browser.post(f"{WIRE}/steps/verify/notes", {"body": body}) == 303:
                    acknowledged.append(body)
            except CUT_OFF:  # the worker died under this request: it may or may not be saved
                pass
            count += 1

    threads = [threading.Thread(target=agent, args=(n,)) for n in range(agents)]
    for thread in threads:
        thread.start()
    # Kill a worker each time the agents have had a few more notes acknowledged, so the kills land
    # among saves however slow the machine is (a fixed window of kills starved a loaded machine).
    kills, deadline = 0, time.monotonic() + 120

    def after_more_notes(count: int) -> None:
        wanted = len(acknowledged) + count
        while len(acknowledged) < wanted and time.monotonic() < deadline:
            time.sleep(0.05)

    while kills < kill_count and time.monotonic() < deadline:
        after_more_notes(5)
        victims = workers_of(master)
        if victims:
            os.kill(victims[0], signal.SIGKILL)
            kills += 1
    after_more_notes(5)
    stop.set()
    for thread in threads:
        thread.join()
    assert kills >= 3
    return acknowledged


def test_a_worker_killed_mid_request_loses_no_acknowledged_note(app, data_dir):
    with gunicorn(data_dir) as (base, master):
        acknowledged = notes_saved_while_workers_are_killed(base, master)
    assert len(acknowledged) > 20
    with app.app_context():
        bodies = list(db.session.scalars(select(StepNote.body)))
    missing = [body for body in acknowledged if body not in bodies]
    assert missing == [] and len(bodies) == len(set(bodies))  # each once


def make_big_tree(tmp_path, count: int = 1500):
    tree = tmp_path / "big"
    for number in range(count):
        path = tree / f"generated/page-{number:04}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# Generated page {number}\n\nSome words about page {number} and its savings pots.\n")
    return tree


def test_an_import_killed_half_way_publishes_nothing(app, data_dir, tmp_path):
    before = published(app)
    tree = make_big_tree(tmp_path)
    assert import_killed_half_way(tree, data_dir)
    assert published(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == len(before)


def test_an_import_that_fails_half_way_publishes_nothing(app, tmp_path, monkeypatch):
    before = published(app)
    tree = tmp_path / "tree"
    for number in range(6):
        (tree / f"page-{number}.md").parent.mkdir(parents=True, exist_ok=True)
        (tree / f"page-{number}.md").write_text(f"# Page {number}\n\nText.\n")
    real, calls = publishing._make_current, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # the third document of the import, mid-transaction
            raise RuntimeError("the machine lost power")
        return real(*args, **kwargs)

    monkeypatch.setattr(publishing, "_make_current", failing)
    with app.app_context(), pytest.raises(RuntimeError):
        library.import_tree(tree)
    assert len(calls) == 3
    assert published(app) == before


def freshly_imported(data_dir: Path) -> dict[str, str]:
    """The starter library imported into an empty database with an empty embedding cache: its
    1,211 passages are still to embed (about half a minute), as just after an import anywhere.
    Returns the environment of commands on it."""
    env = {**environment(data_dir), "GUIDANCE_EMBEDDING_CACHE": str(data_dir / "embeddings.sqlite")}
    for command in (["db", "upgrade"], ["guidance", "import", str(ROOT / "content")]):
        subprocess.run([str(BIN / "flask"), *command], cwd=ROOT, env=env, check=True, capture_output=True)
    return env


def embedded(env: dict[str, str]) -> int:
    try:
        with sqlite3.connect(env["GUIDANCE_EMBEDDING_CACHE"]) as con:
            return con.execute("SELECT count(*) FROM vectors").fetchone()[0]
    except sqlite3.OperationalError:  # not made yet
        return 0


def test_a_command_line_search_just_after_an_import_exits_cleanly_leaving_the_embedding_to_a_server(tmp_path):
    # The search used to start embedding the new passages in the background, and the process was
    # aborted at exit inside the model (exit status 134, "terminate called"), its answer printed.
    env = freshly_imported(tmp_path)
    searched = subprocess.run(
        [str(BIN / "flask"), "guidance", "search", "card not arrived", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert searched.returncode == 0, searched.stderr
    assert "terminate called" not in searched.stderr
    assert json.loads(searched.stdout)["results"][0]["title"] == "Card not arrived or delivery time"
    assert embedded(env) == 0  # neither the import nor the search began work they would cut short


def test_a_worker_stopped_while_embedding_exits_cleanly(tmp_path):
    env = freshly_imported(tmp_path)
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "python:guidance.serving", "wsgi:app"],
        cwd=ROOT,
        env={**env, "GUIDANCE_BIND": f"127.0.0.1:{port}", "GUIDANCE_WORKERS": "2", "GUIDANCE_ACCESS_LOG": "/dev/null"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz")
        deadline = time.monotonic() + 60
        while embedded(env) == 0 and time.monotonic() < deadline:  # a worker is embedding
            time.sleep(0.1)
        assert embedded(env) > 0
    finally:
        server.send_signal(signal.SIGTERM)
        log, _ = server.communicate(timeout=60)
    assert server.returncode == 0
    assert "Worker exiting" in log and "terminate called" not in log, log
    assert embedded(env) < 1211  # it stopped, keeping what it had done
