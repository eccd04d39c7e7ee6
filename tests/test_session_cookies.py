"""A session cookie's signature is checked once per process: what a full check refuses, a
remembered one refuses too (guidance/security/sessions.py)."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import request

from guidance.security.sessions import CheckedOnceSessionInterface
from tests.conftest import Session, close, make_app


def logged_in(app) -> tuple[Session, str]:
    agent = Session(app.test_client())
    agent.login("agent")
    assert agent.get("/").status_code == 200  # the cookie is checked, and remembered
    return agent, agent.client.get_cookie("session").value


def test_a_session_past_its_lifetime_is_refused_though_it_was_accepted_before(data_dir, monkeypatch):
    app = make_app(data_dir, PERMANENT_SESSION_LIFETIME=timedelta(minutes=5))
    try:
        agent, _ = logged_in(app)
        later = time.time() + 6 * 60
        monkeypatch.setattr(time, "time", lambda: later)  # itsdangerous' clock and ours
        response = agent.get("/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    finally:
        close(app)


def test_a_changed_cookie_is_checked_again_and_refused(app):
    agent, cookie = logged_in(app)
    payload, _, signature = cookie.rpartition(".")
    forged = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    agent.client.set_cookie("session", forged)
    assert agent.get("/").status_code == 302


def test_a_new_secret_key_refuses_cookies_signed_with_the_old_one(app):
    agent, _ = logged_in(app)
    app.secret_key = "another key, as after a rotation without fallbacks"
    assert agent.get("/").status_code == 302
    app.config["SECRET_KEY_FALLBACKS"] = [app.config["SECRET_KEY"]]
    app.secret_key = "a third key"
    assert agent.get("/").status_code == 302  # the old key is not among the fallbacks


def test_a_request_changing_its_session_does_not_change_the_next_ones(app):
    _, cookie = logged_in(app)
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
        first = app.session_interface.open_session(app, request)
        user = first["_user_id"]
        first["_user_id"] = "2:1"
        assert app.session_interface.open_session(app, request)["_user_id"] == user


def test_only_so_many_cookies_are_remembered(app):
    interface = CheckedOnceSessionInterface(remembered=2)
    signer = interface.get_signing_serializer(app)
    for number in range(3):
        cookie = signer.dumps({"n": str(number)})
        with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
            assert interface.open_session(app, request)["n"] == str(number)
    assert len(interface._checked) == 2
