"""A database that is read-only, locked or failing: searches still answer, pages say so calmly."""

from __future__ import annotations

import logging
import sqlite3
import time

import pytest
from sqlalchemy import func, select

from guidance.extensions import db
from guidance.models import Pin
from guidance.services.search_log import writer
from tests.conftest import Session, close, make_app


def log_rows(data_dir) -> int:
    with sqlite3.connect(data_dir / "guidance.db") as connection:
        return connection.execute("SELECT count(*) FROM search_log").fetchone()[0]


@pytest.fixture
def readonly_app(data_dir):
    url = f"sqlite:///file:{data_dir / 'guidance.db'}?mode=ro&uri=true"
    app = make_app(data_dir, DATABASE_URL=url)
    yield app
    close(app)


def test_searches_answer_when_the_log_cannot_be_written(readonly_app, data_dir, caplog):
    agent = Session(readonly_app.test_client())
    assert agent.login("agent").status_code == 302
    for _ in range(2):
        page = agent.get("/search?q=wire+transfer")
        assert page.status_code == 200
        assert "Send an international wire transfer" in page.get_data(as_text=True)
    api = agent.get("/api/v1/search?q=card+arrived")
    assert api.status_code == 200 and api.get_json()["results"][0]["slug"] == "processes/card-arrival"
    with caplog.at_level(logging.WARNING):
        assert writer(readonly_app).flush() == 0
    assert writer(readonly_app).dropped == 2  # the page's searches grew one entry; the API's is the other
    assert "search log: dropped 2 entries" in caplog.text
    assert log_rows(data_dir) == 0


def test_a_write_lock_held_elsewhere_delays_no_search(data_dir):
    app = make_app(data_dir, SEARCH_LOG_LOCK_WAIT=0.2)
    try:
        agent = Session(app.test_client())
        agent.login("agent")
        holder = sqlite3.connect(data_dir / "guidance.db", timeout=0)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the database
        started = time.monotonic()
        assert agent.get("/search?q=wire+transfer").status_code == 200
        assert time.monotonic() - started < 5
        assert writer(app).flush() == 0 and writer(app).dropped == 1
        holder.rollback()
        holder.close()
        agent.get("/search?q=card+arrived")
        assert writer(app).flush() == 1
        assert log_rows(data_dir) == 1
    finally:
        close(app)


@pytest.fixture
def impatient_app(data_dir):
    app = make_app(data_dir, SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 0.2}})
    yield app
    close(app)


def test_a_locked_database_gives_an_app_page_with_a_retry_hint(impatient_app, data_dir):
    agent = Session(impatient_app.test_client())
    agent.login("agent")
    holder = sqlite3.connect(data_dir / "guidance.db", timeout=0)
    holder.execute("BEGIN EXCLUSIVE")  # not even readers get in
    try:
        page = agent.get("/")
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "5"
        body = page.get_data(as_text=True)
        assert "The database is busy or unavailable" in body and "Try again" in body
        assert '<link rel="stylesheet"' in body and "Internal Server Error" not in body
        api = agent.get("/api/v1/search?q=wire")
        assert api.status_code == 503 and "busy or unavailable" in api.get_json()["error"]
        note = agent.post("/d/processes/send-wire/steps/verify/notes", {"body": "Kept for later"})
        assert note.status_code == 503
    finally:
        holder.rollback()
        holder.close()
    assert agent.get("/").status_code == 200  # and back as soon as the lock is gone


def test_an_unexpected_error_rolls_back_and_shows_a_calm_page(app, data_dir):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        db.session.add(Pin(user_id=1, document_id=1))
        db.session.flush()
        raise RuntimeError("a bug")

    agent = Session(app.test_client())
    agent.login("agent")
    response = agent.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "RuntimeError" not in body and "Traceback" not in body
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Pin)) == 0
    assert agent.get("/api/v1/nothing-here").get_json()["error"].startswith("Not found: The requested URL")
    assert agent.get("/").status_code == 200
