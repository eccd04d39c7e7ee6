"""Every `next`/`back` a form or link carries stays on this site, and is checked before any write."""

from __future__ import annotations

import pytest

from guidance.views.redirects import safe_local_path
from tests.feedback.conftest import WIRE, add_note, notes, ratings

STEP = f"{WIRE}/steps/verify"
# Values a browser would follow off the site (it drops tab, CR and LF inside URLs), or that break
# the Location header.
HOSTILE = [
    "/\t/example.com",
    "/\\example.com",
    "//example.com",
    "\\\\example.com",
    "https://example.com/",
    "/\r\nSet-Cookie: x=1",
    "/\n/example.com",
    "/\x7f/example.com",
    "javascript:alert(1)",
    " //example.com",
    "/%09/example.com\t",
    "example.com",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_the_helper_refuses_anything_but_a_path_on_this_site(value):
    assert safe_local_path(value, "/fallback") == "/fallback"


@pytest.mark.parametrize(
    "value",
    [
        "/",
        "/d/processes/send-wire/steps/verify",
        "/search?q=a+b&kind=process",
        "/runs/3/steps/screen",
        "/%2F/not-a-host",
    ],
)
def test_the_helper_keeps_paths_on_this_site(value):
    assert safe_local_path(value, "/fallback") == value


def test_the_helper_takes_none_and_refuses_nul(app):
    assert safe_local_path(None, "/fallback") == "/fallback"
    assert safe_local_path("/a\x00b", "/fallback") == "/fallback"


def stays_here(response) -> None:
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert not any(ord(c) < 32 for c in location), location


@pytest.mark.parametrize("back", HOSTILE)
def test_a_note_rating_pin_edit_and_delete_never_redirect_off_site(app, agent, back):
    response = agent.post(f"{STEP}/notes", {"body": "hostile back", "back": back})
    assert response.status_code == 303
    stays_here(response)
    assert [n.body for n in notes(app)] == ["hostile back"]  # saved once, so no retry duplicates it
    note = notes(app)[0].id
    stays_here(agent.post(f"{STEP}/rating", {"rating": "up", "back": back}))
    assert len(ratings(app)) == 1
    stays_here(agent.post(f"{WIRE}/pin", {"back": back}))
    form = agent.get(f"/notes/{note}/edit", query_string={"back": back}).get_data(as_text=True)
    assert 'href="//' not in form and "example.com" not in form
    stays_here(agent.post(f"/notes/{note}/edit", {"body": "changed", "back": back}))
    assert [n.body for n in notes(app)] == ["changed"]
    stays_here(agent.post(f"/notes/{note}/delete", {"back": back}))
    assert notes(app) == []


def test_a_good_back_is_followed(app, agent):
    run_step = "/runs/1/steps/screen"
    assert agent.post(f"{STEP}/notes", {"body": "x", "back": run_step}).headers["Location"] == f"{run_step}#notes"
    assert agent.post(f"{WIRE}/pin", {"back": "/search?q=wire"}).headers["Location"] == "/search?q=wire"


@pytest.mark.parametrize("target", HOSTILE)
def test_login_never_follows_next_off_site(session, target):
    token = session.token()
    response = session.client.post(
        "/login",
        query_string={"next": target},
        data={"username": "agent", "password": "agent-pass", "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_login_follows_a_next_on_this_site(session):
    token = session.token()
    response = session.client.post(
        "/login",
        query_string={"next": "/search?q=wire"},
        data={"username": "agent", "password": "agent-pass", "csrf_token": token},
    )
    assert response.headers["Location"] == "/search?q=wire"


def test_the_inbox_keeps_its_filters_but_never_breaks_its_redirect(app, agent):
    add_note(agent, "a note")
    admin = type(agent)(app.test_client())
    admin.login("admin")
    item = f"note:{notes(app)[0].id}"
    kept = admin.post("/admin/inbox", {"item": item, "action": "accept", "query": "status=all"})
    assert kept.headers["Location"] == "/admin/inbox?status=all"
    broken = admin.post("/admin/inbox", {"item": item, "action": "reopen", "query": "a\r\nSet-Cookie: x=1"})
    assert broken.status_code == 303 and broken.headers["Location"] == "/admin/inbox"
    assert notes(app)[0].status == "new"
