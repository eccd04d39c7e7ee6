"""Issue 13, point 2: home fits a screen; it says what changed since the agent's last shift."""

from __future__ import annotations

from sqlalchemy import select

from guidance.extensions import db
from guidance.models import Document
from tests.conftest import Session, publish_text


def republish(app, slug: str) -> None:
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == slug))
        current = document.published_revision
        source = current.source + "\nOne more line.\n"
        publish_text(document, source)


def updated_section(page: str) -> str | None:
    if 'id="updated-title"' not in page:
        return None
    return page.split('id="updated-title"', 1)[1].split("</section>", 1)[0]


def test_what_was_published_since_the_last_login_is_listed_and_nothing_else(app):
    first = Session(app.test_client())
    first.login("agent")
    assert updated_section(first.get("/").get_data(as_text=True)) is None  # a first shift: nothing to compare
    republish(app, "processes/send-wire")
    assert updated_section(first.get("/").get_data(as_text=True)) is None  # same shift: it is not "since"
    first.post("/logout")
    second = Session(app.test_client())
    second.login("agent")
    section = updated_section(second.get("/").get_data(as_text=True))
    assert section is not None and "Send an international wire transfer" in section and "revision 2" in section
    assert "Card has not arrived" not in section  # unchanged since the last shift
    second.post("/logout")
    third = Session(app.test_client())
    third.login("agent")
    assert updated_section(third.get("/").get_data(as_text=True)) is None  # seen in the shift before


def test_updates_to_documents_the_agent_may_not_read_are_not_listed(app):
    Session(app.test_client()).login("agent")
    republish(app, "processes/senior-override")
    again = Session(app.test_client())
    again.login("agent")
    assert updated_section(again.get("/").get_data(as_text=True)) is None
