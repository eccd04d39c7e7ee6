"""On PostgreSQL, which refuses NUL characters and integers beyond its column types, odd input
is refused with a message instead of an error page (tests/test_bad_input.py: the same on SQLite)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from guidance.extensions import db
from guidance.models import SearchLog, StepNote, StepRating, SynonymGroup
from tests.bad_input import HUGE, HUGE_IDS, NUL_REQUESTS, STEP, WIRE, send
from tests.conftest import Session

pytestmark = pytest.mark.postgres


def logged_in(app, name: str) -> Session:
    session = Session(app.test_client())
    assert session.login(name).status_code == 302
    return session


def rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_nul_characters_are_refused_with_a_message(pg_app):
    sessions = {name: logged_in(pg_app, name) for name in ("agent", "admin")}
    for method, path, values, who in NUL_REQUESTS:
        response = send(sessions[who], method, path, values)
        assert response.status_code == 422, (method, path)
    assert [rows(pg_app, m) for m in (StepNote, StepRating, SearchLog, SynonymGroup)] == [0, 0, 0, 0]


def test_ids_beyond_integer_are_not_found(pg_app):
    agent = logged_in(pg_app, "agent")
    for method, path, values in HUGE_IDS:
        assert send(agent, method, path, values).status_code == 404, (method, path)
    assert agent.get(WIRE, query_string={"s": HUGE, "r": HUGE}).status_code == 200
    for revision in (str(2**64), str(2**31)):
        assert agent.post(f"{STEP}/notes", {"body": "x", "revision": revision, "back": STEP}).status_code == 404
    assert rows(pg_app, StepNote) == 0


def test_inbox_items_beyond_integer_are_skipped(pg_app):
    agent, admin = logged_in(pg_app, "agent"), logged_in(pg_app, "admin")
    agent.post(f"{STEP}/notes", {"body": "a note", "back": STEP})
    response = admin.post("/admin/inbox", {"item": [f"note:{HUGE}", f"rating:{2**31}"], "action": "accept"})
    assert response.status_code == 303
    assert "Select at least one item first" in admin.get(response.headers["Location"]).get_data(as_text=True)
    with pg_app.app_context():
        assert db.session.scalars(select(StepNote.status)).all() == ["new"]
