"""Examples learned from agents: a search whose result was followed to the end of the process
(or rated up) teaches search, once enough different agents did the same, and one agent's
observations count only up to a cap."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from guidance.extensions import db
from guidance.models import Document, Example, SearchLog, User
from guidance.models._base import utcnow
from guidance.services import learning
from guidance.services.search_log import flush
from guidance.services.users import create_user
from tests.search.conftest import slugs

WIRE = "processes/send-wire"
WORDS = "granny needs funds quickly"  # no word of it is in the library


def agents(app, count: int) -> list[int]:
    with app.app_context():
        return [create_user(f"learner{i}", "agent")[0].id for i in range(count)]


def searched_and_finished(app, user_id: int, query: str, slug: str = WIRE, minutes_ago: int = 1) -> bool:
    """The search log row the app writes when a result is opened, then the end of the process."""
    with app.app_context():
        when = utcnow() - timedelta(minutes=minutes_ago)
        db.session.add(SearchLog(user_id=user_id, query=query, results=[slug], opened_slug=slug, updated_at=when))
        db.session.commit()
        document = db.session.scalar(select(Document).where(Document.slug == slug))
        return learning.observe(user_id, document)


def test_a_pair_is_used_only_once_enough_different_agents_made_it(app, engine):
    first, second, third = agents(app, 3)
    for _ in range(4):  # one agent repeating themself counts once
        searched_and_finished(app, first, WORDS)
    searched_and_finished(app, second, WORDS.upper())  # the same words, typed differently
    with app.app_context():
        assert learning.used() == {}
    before = engine.search(WORDS, role="agent", wait=True)
    assert before.weak or WIRE not in slugs(before)  # "no good match" on the results page

    searched_and_finished(app, third, WORDS)
    with app.app_context():
        wire = db.session.scalar(select(Document.id).where(Document.slug == WIRE))
        assert learning.used() == {wire: [WORDS]}
    after = engine.search(WORDS, role="agent", wait=True)
    assert not after.weak and slugs(after)[0] == WIRE


def test_one_agents_observations_count_only_up_to_the_cap(app):
    steady, other, busy = agents(app, 3)
    searched_and_finished(app, steady, WORDS, minutes_ago=50)
    searched_and_finished(app, other, WORDS, minutes_ago=50)
    searched_and_finished(app, busy, WORDS, minutes_ago=40)
    with app.app_context():
        assert list(learning.used().values()) == [[WORDS]]
    for n in range(learning.PER_USER):  # the busy agent's later searches push the first out
        searched_and_finished(app, busy, f"wire question {n}", minutes_ago=30 - n)
    with app.app_context():
        assert learning.used() == {}
        assert db.session.query(Example).filter_by(user_id=busy).count() == learning.PER_USER + 1  # kept


def test_a_search_too_long_ago_or_for_another_document_teaches_nothing(app):
    (user,) = agents(app, 1)
    assert not searched_and_finished(app, user, WORDS, minutes_ago=int(learning.WINDOW.total_seconds() // 60) + 5)
    with app.app_context():
        db.session.add(SearchLog(user_id=user, query="other", results=[WIRE], opened_slug=WIRE))
        db.session.commit()
        card = db.session.scalar(select(Document).where(Document.slug == "processes/card-arrival"))
        assert not learning.observe(user, card)
        assert db.session.scalars(select(Example)).all() == []


@pytest.mark.parametrize("how", ["finish", "rate up"])
def test_opening_a_result_then_finishing_or_rating_up_records_the_search(app, agent, how):
    body = agent.get("/search", query_string={"q": "wire transfer abroad"}).get_data(as_text=True)
    link = re.search(r'href="/d/processes/send-wire" data-log="([0-9a-f]+)"', body)
    agent.post("/search/opened", {"log": link.group(1), "slug": WIRE, "rank": "1"})
    with app.app_context():
        flush()
    if how == "finish":
        step = agent.post(f"/d/{WIRE}/runs", {"step": "verify", "nav": "next"}).headers["Location"]
        escalate = agent.post(step, {"nav": "choice-0"}).headers["Location"]
        assert agent.post(escalate, {"nav": "finish"}).status_code == 303
    else:
        assert agent.post(f"/d/{WIRE}/steps/verify/rating", {"rating": "up"}).status_code in (200, 303)
    with app.app_context():
        learned = db.session.scalars(select(Example)).one()
        user = db.session.get(User, learned.user_id)
        assert (learned.text, learned.source, user.username) == ("wire transfer abroad", "learned", "agent")
