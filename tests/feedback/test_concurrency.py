"""Many agents saving notes and ratings at the same moment: every one of them is kept."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from guidance.extensions import db
from guidance.models import StepNote, StepRating
from tests.feedback.conftest import WIRE, login, make_agents

WRITERS = 50


def fire(app) -> list[str]:
    """50 logged-in agents each post a note and a rating on the same step at once."""
    names = make_agents(app, WRITERS, prefix="crowd")
    sessions = [login(app, name, "agent-pass") for name in names]
    tokens = [s.token() for s in sessions]
    barrier = threading.Barrier(WRITERS)
    failures: list[str] = []

    def write(index: int) -> None:
        session, token = sessions[index], tokens[index]
        barrier.wait()
        for path, form in (
            (f"{WIRE}/steps/verify/notes", {"body": f"note {index}", "shared": "1"}),
            (f"{WIRE}/steps/verify/rating", {"rating": "down" if index % 2 else "up", "reason": "unclear"}),
        ):
            try:
                response = session.client.post(path, data={**form, "csrf_token": token})
                if response.status_code != 303:
                    failures.append(f"{index} {path}: {response.status_code}")
            except Exception as error:
                failures.append(f"{index} {path}: {error!r}")

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return failures


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(StepNote)),
            db.session.scalar(select(func.count()).select_from(StepRating)),
            db.session.scalar(select(func.count(func.distinct(StepNote.user_id)))),
        )


def test_fifty_concurrent_writers_on_sqlite_lose_nothing(app):
    assert fire(app) == []
    assert counts(app) == (WRITERS, WRITERS, WRITERS)


@pytest.mark.postgres
def test_fifty_concurrent_writers_on_postgresql_lose_nothing(pg_app):
    assert fire(pg_app) == []
    assert counts(pg_app) == (WRITERS, WRITERS, WRITERS)
