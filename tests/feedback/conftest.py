"""Helpers for the feedback tests; the PostgreSQL fixtures come from tests/postgres."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from guidance.extensions import db
from guidance.models import Document, RevisionOrigin, StepNote, StepRating
from guidance.services.publishing import Publication, new_revision, publish
from tests.conftest import Session
from tests.postgres.conftest import pg_app, pg_database, postgres_server, postgres_url  # noqa: F401

WIRE = "/d/processes/send-wire"
HX = {"HX-Request": "true"}


def note_form(body: str, **extra) -> dict:
    return {"body": body, "back": f"{WIRE}/steps/verify", **extra}


def add_note(session, body: str, step: str = "verify", **extra):
    return session.post(f"{WIRE}/steps/{step}/notes", {"body": body, "back": f"{WIRE}/steps/{step}", **extra})


def rate(session, value: str, step: str = "verify", **extra):
    return session.post(f"{WIRE}/steps/{step}/rating", {"rating": value, "back": f"{WIRE}/steps/{step}", **extra})


def notes(app) -> list[StepNote]:
    with app.app_context():
        rows = db.session.scalars(select(StepNote).order_by(StepNote.id)).all()
        db.session.expunge_all()
        return rows


def ratings(app) -> list[StepRating]:
    with app.app_context():
        rows = db.session.scalars(select(StepRating).order_by(StepRating.id)).all()
        db.session.expunge_all()
        return rows


def republish(app, slug: str, change) -> int:
    """Publish a new revision of `slug` whose source is change(old source); returns its number."""
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == slug))
        current = document.published_revision
        revision = new_revision(
            document, change(current.source), origin=RevisionOrigin.APP, author=None, source_path=current.source_path
        )
        publish([Publication(document, revision)], None)
        return revision.number


def make_agents(app, count: int, prefix: str = "agent") -> list[str]:
    """`count` extra agents sharing the test agent's password (no slow hashing per user)."""
    from guidance.models import User

    with app.app_context():
        password_hash = db.session.scalar(select(User.password_hash).where(User.username == "agent"))
        names = [f"{prefix}{n:03d}" for n in range(count)]
        db.session.add_all(User(username=name, role="agent", password_hash=password_hash) for name in names)
        db.session.commit()
    return names


def login(app, username: str, password: str | None = None) -> Session:
    session = Session(app.test_client())
    assert session.login(username, password).status_code == 302
    return session


def section(body: str, start: str, end: str = "</section>") -> str:
    return body.split(start, 1)[1].split(end, 1)[0]


@pytest.fixture
def other(app):
    """A second agent in the same team."""
    return login(app, "senior")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
