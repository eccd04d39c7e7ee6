"""PostgreSQL locked, gone, or failing a statement: searches answer, pages say so calmly."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from guidance import create_app
from guidance.extensions import db
from guidance.models import Document, SearchLog, User
from guidance.services.editing import publish_edit
from guidance.services.search_log import writer
from tests.conftest import TEST_CONFIG, Session, close
from tests.postgres.conftest import make_pg_app

pytestmark = pytest.mark.postgres


def connect(url: str) -> psycopg.Connection:
    parts = make_url(url)
    return psycopg.connect(host=parts.host, port=parts.port, user=parts.username, dbname=parts.database)


def test_searches_answer_while_the_log_table_is_locked(pg_app, pg_database):
    pg_app.config["SEARCH_LOG_LOCK_WAIT"] = 0.2
    agent = Session(pg_app.test_client())
    agent.login("agent")
    with connect(pg_database) as holder:
        holder.execute("LOCK TABLE search_log IN ACCESS EXCLUSIVE MODE")
        page = agent.get("/search?q=wire+transfer")
        assert page.status_code == 200 and "Send an international wire transfer" in page.get_data(as_text=True)
        assert writer(pg_app).flush() == 0 and writer(pg_app).dropped == 1
    agent.get("/search?q=card+arrived")
    assert writer(pg_app).flush() == 1
    with pg_app.app_context():
        assert db.session.scalars(select(SearchLog.query)).all() == ["card arrived"]


def test_a_locked_table_gives_an_app_page_with_a_retry_hint(tmp_path, pg_app, pg_database):
    impatient = create_app(
        {
            **TEST_CONFIG,
            "DATA_DIR": str(tmp_path / "impatient"),
            "DATABASE_URL": pg_database,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": "-c lock_timeout=200"}},
        }
    )
    try:
        agent = Session(impatient.test_client())
        agent.login("agent")
        with connect(pg_database) as holder:
            holder.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
            page = agent.get("/")
            assert page.status_code == 503 and page.headers["Retry-After"]
            assert "busy or unavailable" in page.get_data(as_text=True)
            api = agent.get("/api/v1/search?q=wire")
            assert api.status_code == 503 and "busy or unavailable" in api.get_json()["error"]
        assert agent.get("/").status_code == 200
    finally:
        close(impatient)


def test_a_database_that_is_gone_gives_an_app_page(tmp_path):
    app = make_pg_app(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    try:
        client = app.test_client()
        page = client.get("/login")
        token = page.get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
        response = client.post("/login", data={"username": "agent", "password": "x", "csrf_token": token})
        assert response.status_code == 503
        assert "busy or unavailable" in response.get_data(as_text=True)
    finally:
        close(app)


def test_search_after_edits_that_empty_pages_on_postgres(pg_app):
    with pg_app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        for slug in ("processes/card-arrival", "processes/send-wire"):
            document = db.session.scalar(select(Document).where(Document.slug == slug))
            publish_edit(document, "x", document.published_revision.number, admin, [])
    agent = Session(pg_app.test_client())
    agent.login("agent")
    for query in ("card arrived", "wire version", "version 1"):
        assert agent.get("/search", query_string={"q": query}).status_code == 200
        assert agent.get("/api/v1/search", query_string={"q": query}).status_code == 200


def test_a_failed_statement_is_rolled_back_and_the_next_request_works(pg_app):
    pg_app.config["PROPAGATE_EXCEPTIONS"] = False

    @pg_app.get("/boom")
    def boom():
        db.session.add(User(username="agent", password_hash="x", role="agent"))  # already taken
        db.session.flush()

    agent = Session(pg_app.test_client())
    agent.login("agent")
    response = agent.get("/boom")
    assert response.status_code == 500 and "Something went wrong" in response.get_data(as_text=True)
    assert agent.get("/").status_code == 200
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.username == "agent")) == 1
