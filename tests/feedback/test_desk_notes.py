"""Issue 13, point 6: the thank-you for an incorporated note is its writer's; the edit form names
and pre-ticks the feedback as the inbox does."""

from __future__ import annotations

import re

from tests.feedback.conftest import WIRE, add_note, login, notes, republish, text_of

EDIT = f"{WIRE}/edit"


def incorporate_all(app) -> None:
    republish(app, "processes/send-wire", lambda s: s.replace("- [ ] One-time", "- [ ] Postcode\n- [ ] One-time"))
    admin = login(app, "admin")
    form = admin.get(f"{EDIT}?step=verify").get_data(as_text=True)
    ids = re.findall(r'name="item" value="([^"]+)"', form)
    admin.post("/admin/inbox", {"item": ids, "action": "incorporate"})
    assert {note.status for note in notes(app)} == {"incorporated"}


def test_only_the_writer_of_an_incorporated_note_is_thanked(app, agent, other):
    add_note(agent, "Ask for the postcode too", shared="1")
    incorporate_all(app)
    mine = text_of(agent.get(f"{WIRE}/steps/verify").get_data(as_text=True))
    assert "Incorporated into the guidance" in mine and "Thank you." in mine
    theirs = text_of(other.get(f"{WIRE}/steps/verify").get_data(as_text=True))
    assert "Ask for the postcode too" in theirs  # the shared note itself still shows
    assert "Thank you" not in theirs
    assert "Now part of the guidance" in theirs  # colleagues learn it was taken up, without the thanks


def test_the_edit_form_names_a_private_note_as_the_inbox_does(app, agent, other):
    add_note(agent, "private thought")
    add_note(other, "shared thought", shared="1")
    admin = login(app, "admin")
    labels = [
        text_of(label).strip()
        for label in re.findall(
            r"<label for=\"address-[^\"]+\">(.*?)</label>", admin.get(EDIT).get_data(as_text=True), re.S
        )
    ]
    assert any(label.startswith("Note (private) by agent") for label in labels), labels
    assert any(label.startswith("Note by senior") for label in labels), labels
    inbox = text_of(admin.get("/admin/inbox").get_data(as_text=True))
    assert "Note (private) by agent" in inbox and "Note by senior" in inbox


def test_feedback_opened_from_a_step_is_ticked_in_this_revision_addresses(app, agent):
    add_note(agent, "verify note", step="verify")
    add_note(agent, "screen note", step="screen")
    admin = login(app, "admin")
    at_step = admin.get(f"{EDIT}?step=verify").get_data(as_text=True)
    ticked = re.findall(r'<input type="checkbox" id="address-[^"]+" name="item" value="([^"]+)" checked>', at_step)
    assert len(ticked) == 1 and "screen note" not in at_step
    whole = admin.get(EDIT).get_data(as_text=True)
    assert "checked>" not in whole.split('class="addresses"', 1)[1]  # the whole document's list starts unticked
