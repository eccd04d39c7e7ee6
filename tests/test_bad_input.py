"""Input no database can hold is refused politely, before anything is written (SQLite here;
tests/postgres/test_postgres_hardening.py sends the same requests to PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from guidance.extensions import db
from guidance.ids import MAX_ID, parse_id
from guidance.models import SearchLog, SynonymGroup
from tests.bad_input import HUGE, HUGE_IDS, HX, NUL_REQUESTS, STEP, WIRE, send
from tests.conftest import Session
from tests.feedback.conftest import add_note, notes, ratings


@pytest.fixture
def as_user(app):
    def login(name: str) -> Session:
        session = Session(app.test_client())
        session.login(name)
        return session

    return login


@pytest.mark.parametrize(
    ("method", "path", "values", "who"), NUL_REQUESTS, ids=[f"{m} {p} {sorted(v)}" for m, p, v, _ in NUL_REQUESTS]
)
def test_a_nul_character_is_refused_with_a_message_and_nothing_is_written(app, as_user, method, path, values, who):
    response = send(as_user(who), method, path, values)
    assert response.status_code == 422
    if path.startswith("/api/"):
        assert "NUL" in response.get_json()["error"]
    else:
        body = response.get_data(as_text=True)
        assert "<h1>Not accepted</h1>" in body and "NUL character" in body
    assert notes(app) == [] and ratings(app) == []
    with app.app_context():
        assert db.session.scalars(select(SearchLog)).all() == []
        assert db.session.scalars(select(SynonymGroup)).all() == []


def test_htmx_gets_the_refusal_in_the_pages_alert_region_and_keeps_the_form(agent):
    response = agent.post(f"{STEP}/notes", {"body": "a\x00b", "back": STEP}, headers=HX)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#request-error"
    body = response.get_data(as_text=True)
    assert "<html" not in body and "NUL character" in body
    assert 'id="request-error"' in agent.get(STEP).get_data(as_text=True)


def test_a_nul_in_the_login_form_is_refused_too(session):
    token = session.token()
    response = session.client.post("/login", data={"username": "agent\x00", "password": "x", "csrf_token": token})
    assert response.status_code == 422


@pytest.mark.parametrize(("method", "path", "values"), HUGE_IDS, ids=[f"{m} {p}" for m, p, _ in HUGE_IDS])
def test_ids_beyond_the_databases_range_are_not_found(agent, method, path, values):
    response = send(agent, method, path, values)
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_a_document_opened_with_a_huge_search_log_id_still_opens(agent):
    response = agent.get(WIRE, query_string={"s": HUGE, "r": HUGE})
    assert response.status_code == 200


@pytest.mark.parametrize("revision", [str(2**64), str(MAX_ID + 1), "-1", "1.5", "x"])
def test_a_revision_no_row_can_have_is_refused_and_nothing_is_saved(app, agent, revision):
    note = agent.post(f"{STEP}/notes", {"body": "a note", "revision": revision, "back": STEP})
    rating = agent.post(f"{STEP}/rating", {"rating": "up", "revision": revision, "back": STEP})
    assert (note.status_code, rating.status_code) == (404, 404)
    assert notes(app) == [] and ratings(app) == []


def test_inbox_items_beyond_range_are_skipped(app, agent, as_user):
    add_note(agent, "a note")
    admin = as_user("admin")
    response = admin.post("/admin/inbox", {"item": f"note:{HUGE}", "action": "accept"})
    assert response.status_code == 303
    assert "Select at least one item first" in admin.get(response.headers["Location"]).get_data(as_text=True)
    both = admin.post("/admin/inbox", {"item": [f"note:{HUGE}", f"note:{notes(app)[0].id}"], "action": "accept"})
    assert both.status_code == 303 and notes(app)[0].status == "accepted"
    edit = admin.post(
        f"{WIRE}/edit", {"source": "changed", "base": HUGE, "item": f"rating:{HUGE}", "action": "publish"}
    )
    assert edit.status_code == 409  # the base is not the current revision: nothing published


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("0", None),
        ("-3", None),
        ("", None),
        (None, None),
        (" 7", None),
        ("٣", None),
        ("1e3", None),
        ("0x10", None),
        (HUGE, None),
    ],
)
def test_parse_id_takes_only_what_an_integer_column_holds(value, expected):
    assert parse_id(value) == expected
