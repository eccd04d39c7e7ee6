"""Agents' notes on a step: private by default, shareable, editable, sanitised, size-limited."""

from __future__ import annotations

from guidance.services.feedback import MAX_NOTE
from tests.feedback.conftest import HX, WIRE, add_note, login, notes, section, text_of


def test_a_note_is_saved_without_leaving_the_step_and_shows_there_every_time(app, agent):
    response = add_note(agent, "Customers often **forget** the passcode; offer SMS.")
    assert response.status_code == 303
    assert response.headers["Location"] == f"{WIRE}/steps/verify#notes"  # back on the same step
    page = agent.get(f"{WIRE}/steps/verify").get_data(as_text=True)
    assert "Customers often <strong>forget</strong> the passcode; offer SMS." in page
    assert "Your note" in text_of(page) and "private" in page
    [note] = notes(app)
    assert (note.step_key, note.shared, note.status) == ("verify", False, "new")
    # another step does not show it
    assert "offer SMS" not in agent.get(f"{WIRE}/steps/screen").get_data(as_text=True)


def test_notes_survive_logging_out_and_in_again(app, agent):
    add_note(agent, "Remember the callback number")
    agent.post("/logout")
    again = login(app, "agent")
    assert "Remember the callback number" in again.get(f"{WIRE}/steps/verify").get_data(as_text=True)


def test_htmx_gets_only_the_feedback_section_back(agent):
    response = agent.post(
        f"{WIRE}/steps/verify/notes", {"body": "fragment note", "back": f"{WIRE}/steps/verify"}, headers=HX
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="feedback"') and "<html" not in body
    assert "fragment note" in body
    assert "HX-Push-Url" not in response.headers and "HX-Redirect" not in response.headers


def test_a_note_on_a_run_step_returns_to_the_run(app, agent):
    start = agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "next"})
    run_step = start.headers["Location"]
    assert run_step.endswith("/steps/screen")
    page = agent.get(run_step).get_data(as_text=True)
    assert f'name="back" value="{run_step}"' in page
    response = agent.post(f"{WIRE}/steps/screen/notes", {"body": "Sanctions list moved", "back": run_step})
    assert response.headers["Location"] == f"{run_step}#notes"
    assert "Sanctions list moved" in agent.get(run_step).get_data(as_text=True)


def test_private_notes_are_for_their_author_and_admins_only(app, agent, other):
    add_note(agent, "my private thought")
    assert "my private thought" not in other.get(f"{WIRE}/steps/verify").get_data(as_text=True)
    admin = login(app, "admin")
    page = admin.get(f"{WIRE}/steps/verify").get_data(as_text=True)
    assert "my private thought" in page and "Private note" in page and "from agent" in page
    author = login(app, "author")
    assert "my private thought" not in author.get(f"{WIRE}/steps/verify").get_data(as_text=True)


def test_a_shared_note_is_shown_to_colleagues_as_a_colleagues_note(app, agent, other):
    add_note(agent, "Ask for the branch code too", shared="1")
    page = other.get(f"{WIRE}/steps/verify").get_data(as_text=True)
    note = section(page, 'class="note-list"', "</ul>")
    assert "Ask for the branch code too" in note
    assert "Colleague’s note" in note and "not official guidance" in note and "agent" in note
    assert "Edit" not in note  # not theirs to change
    own = agent.get(f"{WIRE}/steps/verify").get_data(as_text=True)
    assert "shared with your team" in own


def test_the_author_edits_and_deletes_their_note(app, agent):
    add_note(agent, "first version")
    [note] = notes(app)
    form = agent.get(f"/notes/{note.id}/edit?back={WIRE}/steps/verify")
    assert form.status_code == 200 and "first version" in form.get_data(as_text=True)
    response = agent.post(
        f"/notes/{note.id}/edit", {"body": "second version", "shared": "1", "back": f"{WIRE}/steps/verify"}
    )
    assert response.status_code == 303 and response.headers["Location"] == f"{WIRE}/steps/verify#note-{note.id}"
    [note] = notes(app)
    assert note.body == "second version" and note.shared
    response = agent.post(f"/notes/{note.id}/delete", {"back": f"{WIRE}/steps/verify"})
    assert response.status_code == 303
    assert notes(app) == []
    assert "second version" not in agent.get(f"{WIRE}/steps/verify").get_data(as_text=True)


def test_note_markdown_is_sanitised(app, agent):
    add_note(agent, '<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3)) *ok*')
    page = agent.get(f"{WIRE}/steps/verify").get_data(as_text=True)
    body = section(page, 'class="note-body prose">', "</div>")
    assert "<script" not in body and "onerror" not in body and "javascript:" not in body
    assert "<em>ok</em>" in body


def test_a_note_over_the_limit_is_refused_with_a_clear_message_and_the_text_kept(app, agent):
    long = "word " * (MAX_NOTE // 5) + "the end"
    response = add_note(agent, long)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"at most {MAX_NOTE:,} characters" in body
    assert "the end</textarea>" in body  # nothing typed is lost
    assert notes(app) == []
    htmx = agent.post(f"{WIRE}/steps/verify/notes", {"body": long, "back": f"{WIRE}/steps/verify"}, headers=HX)
    assert htmx.status_code == 422 and "the end</textarea>" in htmx.get_data(as_text=True)
    assert 'role="alert" id="note-error"' in htmx.get_data(as_text=True)


def test_an_empty_note_is_refused(app, agent):
    response = add_note(agent, "   ")
    assert response.status_code == 422 and "Write something" in response.get_data(as_text=True)
    assert notes(app) == []


def test_a_note_needs_a_step_the_revision_has(app, agent):
    assert agent.post(f"{WIRE}/steps/nope/notes", {"body": "x"}).status_code == 404
    assert agent.post(f"{WIRE}/steps/verify/notes", {"body": "x", "revision": "999"}).status_code == 404
    assert notes(app) == []


def test_back_never_leaves_the_site(app, agent):
    response = agent.post(f"{WIRE}/steps/verify/notes", {"body": "y", "back": "//evil.example/"})
    assert response.headers["Location"] == f"{WIRE}/steps/verify#notes"
