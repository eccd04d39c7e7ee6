"""Issue 12, point 1 on PostgreSQL: a step page in a few queries (the user, the document with its
revision, at most three of per-user data), and a new publication shown at once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from guidance.extensions import db
from guidance.models import Document, User
from guidance.services import feedback
from tests.conftest import Session, publish_text
from tests.test_step_cache import PER_USER, Queries, tables

pytestmark = pytest.mark.postgres

WIRE = "processes/send-wire"


def test_a_step_page_reads_four_queries_and_shows_a_new_publication_at_once(pg_app):
    pg_app.config["SCHEDULE_RECHECK_SECONDS"] = 3600
    agent = Session(pg_app.test_client())
    assert agent.login("agent").status_code == 302
    with pg_app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == WIRE))
        me = db.session.scalar(select(User).where(User.username == "agent"))
        feedback.add_note(me, document, document.published_revision, "screen", "Mine on *PostgreSQL*")
    url = f"/d/{WIRE}/steps/screen"
    agent.get(url)
    with Queries(pg_app) as statements:
        page = agent.get(url).get_data(as_text=True)
    assert "Mine on <em>PostgreSQL</em>" in page and "Check the country against" in page
    assert len(statements) == 4, statements  # the user, the step's state, the document, the notes (no ratings)
    assert len([s for s in statements if tables(s) & PER_USER]) == 2
    with pg_app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == WIRE))
        publish_text(document, document.published_revision.source.replace("Check the country", "Look the country up"))
    assert "Look the country up against" in agent.get(url).get_data(as_text=True)


def test_a_kept_step_page_is_the_user_and_one_query_on_postgresql(pg_app):
    pg_app.config["SCHEDULE_RECHECK_SECONDS"] = 3600
    senior = Session(pg_app.test_client())
    assert senior.login("senior").status_code == 302
    url = f"/d/{WIRE}/steps/screen"
    senior.get(url)
    with Queries(pg_app) as statements:
        page = senior.get(url).get_data(as_text=True)
    assert "Is the destination country sanctioned?" in page and 'class="who">senior ' in page
    assert len(statements) == 2, statements  # the user; the document's ids with the person's state
    assert tables(statements[1]) >= {"documents", "pins", "notifications"} and "revisions" not in tables(statements[1])


def test_a_process_at_its_address_opens_its_kept_first_step_on_postgresql(pg_app):
    senior = Session(pg_app.test_client())
    assert senior.login("senior").status_code == 302
    senior.get(f"/d/{WIRE}")
    with Queries(pg_app) as statements:
        page = senior.get(f"/d/{WIRE}").get_data(as_text=True)
    assert "Verify the caller" in page and "Is this step right?" in page
    assert len(statements) == 2, statements
