"""Nobody where they do not belong: others' notes cannot be read, changed or deleted."""

from __future__ import annotations

import pytest

from tests.feedback.conftest import WIRE, add_note, login, notes, rate, ratings

# who -> expected status for a private note of the agent's, and for a shared one
EXPECTED = {
    "agent": (200, 200),  # the author
    "senior": (404, 403),  # another agent: cannot see a private note; sees a shared one, cannot change it
    "author": (404, 403),
    "admin": (403, 403),  # admins see every note but do not rewrite agents' words
}
ACTIONS = [
    ("GET", "/notes/{id}/edit", {}),
    ("POST", "/notes/{id}/edit", {"body": "hijacked", "shared": "1"}),
    ("POST", "/notes/{id}/delete", {}),
]


@pytest.mark.parametrize("shared", [False, True], ids=["private", "shared"])
@pytest.mark.parametrize("who", list(EXPECTED))
@pytest.mark.parametrize(("method", "path", "form"), ACTIONS, ids=[f"{m} {p}" for m, p, _ in ACTIONS])
def test_only_the_author_can_open_change_or_delete_a_note(app, agent, who, shared, method, path, form):
    add_note(agent, "original words", **({"shared": "1"} if shared else {}))
    [note] = notes(app)
    session = agent if who == "agent" else login(app, who)
    url = path.format(id=note.id)
    response = session.get(url) if method == "GET" else session.post(url, {**form, "back": f"{WIRE}/steps/verify"})
    expected = EXPECTED[who][1 if shared else 0]
    if expected == 200:
        assert response.status_code in (200, 303)
    else:
        assert response.status_code == expected
        body = response.get_data(as_text=True)
        assert "original words" not in body
        [after] = notes(app)
        assert (after.body, after.shared) == ("original words", shared)


def test_a_rating_only_ever_changes_the_raters_own(app, agent, other):
    rate(agent, "down", reason="wrong")
    rate(other, "up")
    rows = {r.user_id: r for r in ratings(app)}
    assert len(rows) == 2 and sorted(r.positive for r in rows.values()) == [False, True]


def test_agents_cannot_reach_the_inbox_or_the_editor(app, agent):
    for path in ("/admin/inbox", "/admin/health", f"{WIRE}/edit"):
        assert agent.get(path).status_code == 403
    add_note(agent, "mine")
    response = agent.post("/admin/inbox", {"item": [f"note:{notes(app)[0].id}"], "action": "dismiss", "reason": "x"})
    assert response.status_code == 403
    assert notes(app)[0].status == "new"
