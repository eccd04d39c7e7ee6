"""A previewed step page is kept as a skeleton and filled per request (views/_kept.py): what it
shows is what rendering it afresh shows, and whatever the person does shows on the next request."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from guidance.extensions import db
from guidance.models import Document, Notification, NotificationKind, User
from guidance.services import feedback
from guidance.services.documents import toggle_pin
from guidance.services.library import archive
from tests.conftest import Session, publish_text, without_tokens

WIRE = "processes/send-wire"
STEP = f"/d/{WIRE}/steps/screen"
CONTEXT = "?customer.first_name=%3Ci%3EAna%22&case.id=12&not.known=1&card.last4=" + "9" * 120


def same_page(html: str) -> str:
    """Without its CSRF tokens and the blank lines between tags."""
    return re.sub(r">\s+<", "><", without_tokens(html))


def with_placeholders(app) -> None:
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == WIRE))
        source = document.published_revision.source.replace(
            "Check the country", "Hello {{customer.first_name}}, check the country"
        ).replace('"I need to pass', '"{{customer.first_name}}, I need to pass')
        publish_text(document, source)


def shown(app, person: Session, urls: list[str], kept: bool) -> list[str]:
    app.config["STEP_PAGE_CACHE_SIZE"] = 2000 if kept else 0
    pages = []
    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            person.get(url, headers=headers)  # the first kept one is the skeleton's own rendering
            pages.append(same_page(person.get(url, headers=headers).get_data(as_text=True)))
    return pages


@pytest.mark.parametrize("name", ["agent", "author"])
def test_a_kept_step_page_is_the_page_rendered_afresh(app, session, name):
    with_placeholders(app)
    session.login(name)
    urls = [f"/d/{WIRE}", STEP, STEP + CONTEXT, f"/d/{WIRE}/steps/escalate{CONTEXT}"]
    assert shown(app, session, urls, kept=True) == shown(app, session, urls, kept=False)
    with app.app_context():
        me = db.session.scalar(select(User).where(User.username == name))
        document = db.session.scalar(select(Document).where(Document.slug == WIRE))
        feedback.add_note(me, document, document.published_revision, "screen", "Mine {{customer.first_name}}")
        toggle_pin(document, me)
        db.session.add(Notification(user_id=me.id, kind=NotificationKind.DISMISSED, message="Seen to"))
        db.session.commit()
    assert shown(app, session, urls, kept=True) == shown(app, session, urls, kept=False)
    assert len(app.extensions["guidance_step_pages"].entries) > 0


def test_context_in_a_kept_page_is_escaped_and_only_this_requests(app, agent):
    with_placeholders(app)
    first = agent.get(STEP + "?customer.first_name=%3Ci%3EAna%22").get_data(as_text=True)
    second = agent.get(STEP + "?customer.first_name=Bo").get_data(as_text=True)
    assert 'Hello <span class="slot" data-slot="customer.first_name">&lt;i&gt;Ana&#34;</span>' in first
    assert '<input type="hidden" name="customer.first_name" value="&lt;i&gt;Ana&#34;">' in first
    assert (
        "Ana" not in same_page(second)
        and 'Hello <span class="slot" data-slot="customer.first_name">Bo</span>' in second
    )
    assert 'href="/d/processes/send-wire/steps/verify?customer.first_name=Bo"' in second
    said = agent.get(f"/d/{WIRE}/steps/escalate?customer.first_name=%3Ci%3EAna%22").get_data(as_text=True)
    assert 'data-copy="&lt;i&gt;Ana&#34;, I need to pass this to a specialist colleague."' in said
    blank = agent.get(f"/d/{WIRE}/steps/escalate").get_data(as_text=True)
    assert 'data-copy="[customer’s first name], I need to pass' in blank and "Ana" not in same_page(blank)


def test_what_the_agent_does_shows_on_the_next_kept_page(app, agent):
    page = agent.get(STEP).get_data(as_text=True)
    assert 'aria-pressed="false">Pin<' in page and "badge-count" not in page
    agent.post(f"/d/{WIRE}/steps/screen/notes", {"body": "A **new** note", "back": STEP})
    agent.post(f"/d/{WIRE}/pin", {"back": STEP})
    page = agent.get(STEP).get_data(as_text=True)
    assert "A <strong>new</strong> note" in page and 'aria-pressed="true">Pinned<' in page
    assert "Pinned &#39;" in page or "Pinned '" in page  # the flashed message, once
    assert "Pinned '" not in agent.get(STEP).get_data(as_text=True).replace("&#39;", "'")
    with app.app_context():
        me = db.session.scalar(select(User).where(User.username == "agent"))
        db.session.add(Notification(user_id=me.id, kind=NotificationKind.DISMISSED, message="Seen to"))
        db.session.commit()
    assert 'badge-count">1<' in agent.get(STEP).get_data(as_text=True)


def test_a_role_change_a_deactivation_and_a_new_revision_show_on_the_next_request(app, agent):
    assert "Markdown source" not in agent.get(STEP).get_data(as_text=True)
    with app.app_context():
        me = db.session.scalar(select(User).where(User.username == "agent"))
        me.role = "author"
        db.session.commit()
    page = agent.get(STEP).get_data(as_text=True)
    assert "Markdown source" in page and '<span class="role">(author)</span>' in page
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == WIRE))
        publish_text(document, document.published_revision.source.replace("Check the country", "Look it up"))
    assert "Look it up" in agent.get(STEP).get_data(as_text=True)
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "agent")).active = False
        db.session.commit()
    assert agent.get(STEP).status_code in (302, 401)


def test_a_kept_page_is_not_shown_once_the_person_may_not_read_it_or_it_is_archived(app, agent):
    author = Session(app.test_client())
    author.login("author")
    for person in (agent, author, agent, author):  # the second time from what was kept
        assert "Is the destination country sanctioned?" in person.get(STEP).get_data(as_text=True)
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == WIRE))
        source = document.published_revision.source.replace("kind: process", "kind: process\naudience: [author]")
        publish_text(document, source)
    assert agent.get(STEP).status_code == 404
    for _ in range(2):
        assert author.get(STEP).status_code == 200
    with app.app_context():
        archive(db.session.scalar(select(Document).where(Document.slug == WIRE)))
    assert author.get(STEP).status_code == 404


def test_a_note_on_a_step_the_new_revision_removed_shows_on_the_kept_pages(app, agent):
    beneficiary = f"/d/{WIRE}/steps/beneficiary"
    agent.post(f"/d/{WIRE}/steps/beneficiary/notes", {"body": "Ask for the *bank's* address too", "back": beneficiary})
    assert "bank’s</em> address" in agent.get(beneficiary).get_data(as_text=True).replace("bank's", "bank’s")
    for _ in range(2):  # kept, and shown from what was kept
        assert "bank’s</em> address" not in agent.get(STEP).get_data(as_text=True).replace("bank's", "bank’s")
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == WIRE))
        source = document.published_revision.source
        removed = source[: source.index("## Collect beneficiary")] + source[source.index("## Send the transfer") :]
        publish_text(document, removed.replace("(#beneficiary)", "(#send)"))
    for _ in range(2):
        page = agent.get(STEP).get_data(as_text=True).replace("bank's", "bank’s")
        assert "bank’s</em> address" in page  # a note on a removed step shows on every step
