"""The small ones: caching, what the API tells agents, and too-large requests."""

from __future__ import annotations

import pytest

from tests.conftest import Session, close, make_app
from tests.feedback.conftest import WIRE, notes

THREE_MB = "x" * (3 * 1024 * 1024)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        WIRE,
        f"{WIRE}/steps/screen",
        "/search?q=wire",
        "/notifications",
        "/api/v1/search?q=wire",
        "/d/no-such-document",
        "/go/transfer_abroad",
    ],
)
def test_pages_and_api_answers_for_a_logged_in_user_are_never_stored(agent, path):
    assert agent.get(path).headers["Cache-Control"] == "no-store"


def test_api_refusals_are_not_stored_and_static_files_may_be(client):
    assert client.get("/api/v1/search?q=wire").headers["Cache-Control"] == "no-store"
    static = client.get("/static/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


@pytest.mark.parametrize(("user", "sees_source"), [("agent", False), ("author", True), ("admin", True)])
def test_the_api_tells_only_authors_and_admins_where_the_source_file_is(session, user, sees_source):
    session.login(user)
    results = session.get("/api/v1/search?q=wire+transfer").get_json()["results"]
    assert results and all(("source_path" in hit) == sees_source for hit in results)
    if sees_source:
        assert results[0]["source_path"] == "processes/send-wire.md"


def test_a_3_mb_form_gets_the_app_styled_too_large_page_and_saves_nothing(app, agent):
    response = agent.post(f"{WIRE}/steps/verify/notes", {"body": THREE_MB, "back": f"{WIRE}/steps/verify"})
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "<h1>Too large</h1>" in body and 'class="topbar"' in body
    assert notes(app) == []


def test_a_3_mb_request_under_api_gets_json(agent):
    response = agent.post("/api/v1/search", {"q": THREE_MB})
    assert response.status_code == 413
    assert "Too large" in response.get_json()["error"]


def test_a_url_longer_than_any_link_we_make_gets_the_app_styled_414(agent):
    response = agent.get("/search", query_string={"q": "x" * 4100})
    assert response.status_code == 414
    assert "<h1>URL too long</h1>" in response.get_data(as_text=True)
    api = agent.get("/api/v1/search", query_string={"q": "x" * 4100})
    assert api.status_code == 414 and "URL too long" in api.get_json()["error"]
    assert agent.get("/search", query_string={"q": "x" * 4000}).status_code == 200


def test_the_url_limit_is_a_setting(data_dir):
    app = make_app(data_dir, MAX_URL_LENGTH=200)
    try:
        agent = Session(app.test_client())
        agent.login("agent")
        assert agent.get("/search", query_string={"q": "x" * 150}).status_code == 200
        assert agent.get("/search", query_string={"q": "x" * 250}).status_code == 414
        assert agent.get("/d/" + "a" * 250).status_code == 414
        # Counted as sent: "é" is "%C3%A9", six characters (the test client encodes the path).
        assert agent.get("/d/" + "é" * 32).status_code == 404
        assert agent.get("/d/" + "é" * 34).status_code == 414
    finally:
        close(app)
