"""The admin inbox, bulk actions, the edit form, and notifications that close the loop."""

from __future__ import annotations

import re

from sqlalchemy import select

from guidance.extensions import db
from guidance.models import Document, Notification
from tests.feedback.conftest import WIRE, add_note, login, notes, rate, ratings, section, text_of

INBOX = "/admin/inbox"
EDIT = f"{WIRE}/edit"


def item_ids(body: str) -> list[str]:
    return re.findall(r'name="item" value="([^"]+)"', body)


def test_the_inbox_lists_notes_and_negative_ratings_grouped_by_step_newest_first(app, agent, other):
    add_note(agent, "verify note one")
    rate(agent, "down", step="screen", reason="unclear", comment="which list?")
    rate(other, "up", step="screen")  # positive ratings are not inbox items
    add_note(other, "verify note two, private")
    admin = login(app, "admin")
    body = admin.get(INBOX).get_data(as_text=True)
    groups = re.findall(r'<h2 id="group-\d+">(.*?)</h2>', body, re.S)
    assert [text_of(g).strip() for g in groups] == [
        "Send an international wire transfer › Verify the caller",
        "Send an international wire transfer › Is the destination country sanctioned?",
    ]
    verify = section(body, 'id="group-1"')
    assert verify.index("verify note two") < verify.index("verify note one")  # newest first
    assert "2 notes, 0 thumbs down" in verify
    screen = section(body, 'id="group-2"')
    assert "Thumbs down: Unclear" in screen and "which list?" in screen and "0 notes, 1 thumbs down" in screen
    assert "3 items in 2 steps" in body
    assert f'href="{EDIT}?step=verify"' in body  # one click to the editor at that step


def test_inbox_filters(app, agent, other):
    add_note(agent, "note by agent")
    add_note(other, "note by senior", step="screen")
    rate(other, "down", reason="wrong")
    admin = login(app, "admin")

    def shown(query: str) -> str:
        return admin.get(f"{INBOX}?{query}").get_data(as_text=True)

    assert "note by senior" not in shown("author=agent") and "note by agent" in shown("author=agent")
    assert "note by agent" not in shown("step=screen") and "note by senior" in shown("step=screen")
    by_reason = shown("reason=wrong")
    assert "Thumbs down: Wrong" in by_reason and "note by" not in by_reason
    assert "note by" in shown("document=processes/send-wire") and "note by" not in shown("document=articles/welcome")
    assert "note by agent" not in shown("kind=rating")
    assert "note by agent" not in shown("since=2999-01-01") and "note by agent" in shown("until=2999-01-01")
    assert "note by agent" not in shown("status=dismissed")


def test_the_filters_offer_what_the_inbox_holds(app, agent, other):
    rate(other, "up", step="screen")  # a thumbs up is not an inbox item
    admin = login(app, "admin")

    def options(select_id: str) -> list[str]:
        select = section(admin.get(INBOX).get_data(as_text=True), f'<select id="{select_id}"', "</select>")
        return re.findall(r'<option value="([^"]*)"', select)

    assert options("f-document") == [""] and options("f-author") == [""]
    add_note(agent, "a note")
    rate(other, "down", step="screen", reason="wrong")
    assert options("f-document") == ["", "processes/send-wire"]
    assert options("f-author") == ["", "agent", "senior"]
    assert options("f-reason") == ["", "wrong", "unclear", "outdated", "missing", "other"]
    assert options("f-status") == ["open", "new", "accepted", "incorporated", "dismissed", "all"]
    assert options("f-kind") == ["", "note", "rating"]


def test_bulk_accept_and_dismiss_with_a_reason_the_agent_sees(app, agent):
    add_note(agent, "please add the fee")
    rate(agent, "down", reason="missing")
    admin = login(app, "admin")
    ids = item_ids(admin.get(INBOX).get_data(as_text=True))
    assert len(ids) == 2
    refused = admin.post(INBOX, {"item": ids, "action": "dismiss", "reason": ""})
    assert refused.status_code == 303
    assert "Say why" in admin.get(refused.headers["Location"]).get_data(as_text=True)
    assert {n.status for n in notes(app)} == {"new"}
    admin.post(INBOX, {"item": ids[:1], "action": "accept"})
    admin.post(INBOX, {"item": ids[1:], "action": "dismiss", "reason": "Fees are on the pricing page"})
    assert {(r.status, r.status_reason) for r in ratings(app)} | {(n.status, n.status_reason) for n in notes(app)} == {
        ("accepted", ""),
        ("dismissed", "Fees are on the pricing page"),
    }
    page = agent.get(f"{WIRE}/steps/verify").get_data(as_text=True)
    assert "Dismissed by an admin: Fees are on the pricing page" in page
    assert 'Notifications <span class="badge badge-count">1' in page
    listing = agent.get("/notifications").get_data(as_text=True)
    assert "was dismissed: Fees are on the pricing page" in listing
    agent.post("/notifications/read")
    assert "badge-count" not in agent.get("/").get_data(as_text=True)  # read now
    # the open view no longer shows the dismissed item
    assert len(item_ids(admin.get(INBOX).get_data(as_text=True))) == 1


def test_the_edit_form_publishes_a_revision_and_closes_the_loop(app, agent, other):
    add_note(agent, "Also confirm the postcode")
    rate(other, "down", reason="missing")
    add_note(other, "unrelated thought", step="beneficiary")
    admin = login(app, "admin")
    form = admin.get(f"{EDIT}?step=verify").get_data(as_text=True)
    assert "Also confirm the postcode" in form and "unrelated thought" not in form  # this step's items
    assert 'name="base" value="1"' in form and "starts on line 14" in form
    source = re.search(r'<textarea id="editor-source"[^>]*>(.*?)</textarea>', form, re.S).group(1)
    source = (
        source.replace("&#34;", '"')
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
    )
    source = source.replace(
        "- [ ] One-time passcode confirmed", "- [ ] One-time passcode confirmed\n- [ ] Postcode confirmed"
    )
    ids = item_ids(form)
    assert len(ids) == 2
    response = admin.post(EDIT, {"source": source, "base": "1", "step": "verify", "item": ids, "action": "publish"})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"] == f"{WIRE}/steps/verify"
    assert "Published revision 2. 2 feedback items incorporated" in admin.get("/").get_data(as_text=True)
    assert "Postcode confirmed" in agent.get(f"{WIRE}/steps/verify").get_data(as_text=True)
    [note, unrelated] = notes(app)
    [rating] = ratings(app)
    assert note.status == rating.status == "incorporated" and unrelated.status == "new"
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == "processes/send-wire"))
        assert note.resolved_revision_id == document.published_revision_id
        messages = db.session.scalars(select(Notification.message)).all()
    assert sorted(messages) == [
        "Your note on 'Send an international wire transfer › Verify the caller' changed the guidance (revision 2).",
        "Your rating on 'Send an international wire transfer › Verify the caller' changed the guidance (revision 2).",
    ]
    listing = agent.get("/notifications").get_data(as_text=True)
    assert f'<a href="{WIRE}/steps/verify">Your note on' in listing
    assert "Incorporated into the guidance (revision 2)" in agent.get(f"{WIRE}/steps/verify").get_data(as_text=True)


def test_the_edit_form_keeps_the_text_and_shows_problems(app):
    admin = login(app, "admin")
    broken = "---\ntitle: Broken\nkind: process\n---\n\nNo steps at all, typed with care."
    response = admin.post(EDIT, {"source": broken, "base": "1", "action": "publish"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "processes/send-wire.md:" in body and "Not published" in body
    assert "No steps at all, typed with care.</textarea>" in body
    assert 'name="base" value="1"' in admin.get(EDIT).get_data(as_text=True)
    same = re.search(
        r'<textarea id="editor-source"[^>]*>(.*?)</textarea>', admin.get(EDIT).get_data(as_text=True), re.S
    )
    with app.app_context():
        current = db.session.scalar(select(Document).where(Document.slug == "processes/send-wire")).published_revision
        unchanged = admin.post(EDIT, {"source": current.source, "base": "1", "action": "publish"})
    assert same is not None
    assert unchanged.status_code == 422 and "nothing to publish" in unchanged.get_data(as_text=True)
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == "processes/send-wire"))
        assert document.published_revision.number == 1


def test_a_stale_edit_shows_a_conflict_instead_of_overwriting(app):
    from tests.feedback.conftest import republish

    admin = login(app, "admin")
    form = admin.get(EDIT).get_data(as_text=True)
    assert 'name="base" value="1"' in form
    republish(app, "processes/send-wire", lambda s: s + "\nSomeone else's change.\n")
    response = admin.post(
        EDIT,
        {
            "source": "---\ntitle: Mine\nkind: process\n---\n\n## Only {#only}\n\nMy text",
            "base": "1",
            "action": "publish",
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone published revision 2 while you were editing" in body
    assert "My text</textarea>" in body and "Someone else&#39;s change." in body
    assert 'name="base" value="2"' in body  # publishing again is a deliberate choice
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == "processes/send-wire"))
        assert document.published_revision.number == 2 and document.title != "Mine"


def test_bulk_incorporate_after_an_import_links_the_current_revision(app, agent):
    from tests.feedback.conftest import republish

    add_note(agent, "screen note", step="screen")
    admin = login(app, "admin")
    ids = item_ids(admin.get(INBOX).get_data(as_text=True))
    too_early = admin.post(INBOX, {"item": ids, "action": "incorporate"})
    assert "publish a new revision first" in admin.get(too_early.headers["Location"]).get_data(as_text=True)
    assert notes(app)[0].status == "new"
    republish(app, "processes/send-wire", lambda s: s.replace("sanctions list", "current sanctions list"))
    admin.post(INBOX, {"item": ids, "action": "incorporate"})
    assert notes(app)[0].status == "incorporated"
    assert "changed the guidance (revision 2)" in agent.get("/notifications").get_data(as_text=True)


def test_a_bulk_action_without_a_selection_changes_nothing_and_says_so(app, agent):
    add_note(agent, "left alone")
    admin = login(app, "admin")
    response = admin.post(INBOX, {"action": "accept", "query": "status=all"})
    assert response.status_code == 303 and response.headers["Location"] == f"{INBOX}?status=all"
    assert "Select at least one item first." in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert notes(app)[0].status == "new"
