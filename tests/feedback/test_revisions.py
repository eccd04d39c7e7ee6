"""Notes and ratings outlive revisions: marked as earlier, or as on a removed step."""

from __future__ import annotations

from tests.feedback.conftest import WIRE, add_note, login, rate, ratings, republish, section


def test_after_a_new_revision_notes_stay_on_their_step_marked_as_earlier(app, agent):
    add_note(agent, "said on revision one")
    rate(agent, "down", reason="unclear")
    assert republish(app, "processes/send-wire", lambda s: s.replace("Before we start", "Hello. Before we start")) == 2
    page = agent.get(f"{WIRE}/steps/verify").get_data(as_text=True)
    note = section(page, 'class="note-list"', "</ul>")
    assert "said on revision one" in note and "made on an earlier revision (1)" in note
    # the rating belongs to revision 1: revision 2 starts unrated, the earlier one is mentioned
    assert 'id="rate-down" name="rating" value="down" aria-pressed="false"' in page
    assert "On revision 1 you rated this step down (unclear)" in page
    rate(agent, "up")
    assert len(ratings(app)) == 2  # a new rating for revision 2; the first is kept


def test_a_run_pinned_to_an_old_revision_rates_that_revision(app, agent):
    start = agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "save"})
    run_step = start.headers["Location"]
    page = agent.get(run_step).get_data(as_text=True)
    republish(app, "processes/send-wire", lambda s: s + "\nMore.\n")
    revision = section(page, 'name="revision" value="', '"')
    agent.post(f"{WIRE}/steps/verify/rating", {"rating": "up", "revision": revision, "back": run_step})
    [rating] = ratings(app)
    assert str(rating.revision_id) == revision
    assert 'aria-pressed="true"' in agent.get(run_step).get_data(as_text=True)


def test_notes_on_a_removed_step_stay_on_the_document_marked_step_removed(app, agent):
    add_note(agent, "about sending", step="send")
    republish(app, "processes/send-wire", lambda s: s.split("## Send the transfer")[0].rstrip() + "\n")
    page = agent.get(WIRE).get_data(as_text=True)
    removed = section(page, '<details class="removed-notes">', "</details>")
    assert "Notes on steps removed from this process (1)" in removed
    assert "step removed" in removed and "“Send the transfer”" in removed and "about sending" in removed
    admin = login(app, "admin")
    inbox = admin.get("/admin/inbox").get_data(as_text=True)
    assert "Send the transfer" in inbox and "step removed" in inbox
