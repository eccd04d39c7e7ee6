"""The page's CSRF token is signed once per session and worker (views/_csrf.py): every page of a
session carries the same token, it is accepted, and it is no good in another session."""

from __future__ import annotations

import time
from functools import partial

import flask_wtf.csrf
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from tests.conftest import CSRF, Session, close, make_app

STEP = "/d/processes/send-wire/steps/screen"


def token_on(session: Session, path: str) -> str:
    return CSRF.search(session.get(path).get_data(as_text=True)).group(1)


def an_earlier_second(monkeypatch) -> None:
    """Flask-WTF's signatures carry the second they were made in: make them as if a little
    earlier from now on (the session cookie's own signing is left alone)."""
    earlier = int(time.time()) - 5

    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return earlier

    monkeypatch.setattr(flask_wtf.csrf, "URLSafeTimedSerializer", partial(URLSafeTimedSerializer, signer=Earlier))


def test_every_page_of_a_session_carries_one_token_and_a_form_accepts_it(agent, monkeypatch):
    tokens = {token_on(agent, STEP)}
    an_earlier_second(monkeypatch)
    tokens |= {token_on(agent, path) for path in ("/", STEP, "/notifications")}
    assert len(tokens) == 1
    token = tokens.pop()
    pinned = agent.client.post("/d/processes/send-wire/pin", data={"csrf_token": token})
    assert pinned.status_code in (200, 302, 303)
    assert 'aria-pressed="true">Pinned<' in agent.get(STEP).get_data(as_text=True)


def test_another_session_gets_its_own_token_and_refuses_the_first(app, agent):
    other = Session(app.test_client())
    other.login("senior")
    mine, theirs = token_on(agent, STEP), token_on(other, STEP)
    assert mine != theirs
    refused = other.client.post("/d/processes/send-wire/pin", data={"csrf_token": mine})
    assert refused.status_code == 400
    assert 'aria-pressed="false">Pin<' in other.get(STEP).get_data(as_text=True)


def test_with_a_time_limit_each_page_is_signed_afresh(data_dir, monkeypatch):
    app = make_app(data_dir, WTF_CSRF_TIME_LIMIT=3600)
    try:
        agent = Session(app.test_client())
        agent.login("agent")
        first = token_on(agent, STEP)
        an_earlier_second(monkeypatch)
        assert token_on(agent, STEP) != first
    finally:
        close(app)
