"""Sessions and remember-me cookies end at logout and at a password change, and say how to be sent."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select

from guidance.extensions import db
from guidance.models import User
from tests.conftest import PASSWORDS, Session, make_app

THIRTY_DAYS = timedelta(days=30)


def log_in(client, username="agent", remember=False):
    session = Session(client)
    token = session.token()
    data = {"username": username, "password": PASSWORDS[username], "csrf_token": token}
    if remember:
        data["remember"] = "1"
    response = client.post("/login", data=data)
    assert response.status_code == 302
    session.user = username
    return session, response


def set_cookie(response, name: str) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}="))


def lifetime(cookie: str) -> timedelta:
    """How long from now the browser keeps the cookie (rounded to the minute)."""
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    return timedelta(minutes=round((expires - datetime.now(UTC)).total_seconds() / 60))


def replay(app, **cookies):
    """A fresh browser that only has the given cookies; True when it is let in."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client.get("/").status_code == 200


def test_a_session_cookie_replayed_after_logout_is_refused(app, client):
    session, _ = log_in(client)
    stolen = client.get_cookie("session").value
    assert replay(app, session=stolen)
    session.post("/logout")
    assert not replay(app, session=stolen)


def test_a_remember_cookie_replayed_after_logout_does_not_log_in(app, client):
    session, _ = log_in(client, remember=True)
    stolen = client.get_cookie("remember_token").value
    assert replay(app, remember_token=stolen)
    session.post("/logout")
    assert not replay(app, remember_token=stolen)
    assert log_in(app.test_client())[0].get("/").status_code == 200  # logging in again works


def test_logging_out_ends_the_users_other_sessions_too(app, client):
    session, _ = log_in(client)
    other, _ = log_in(app.test_client())
    colleague, _ = log_in(app.test_client(), "senior")
    session.post("/logout")
    assert other.get("/").status_code == 302
    assert colleague.get("/").status_code == 200


def test_a_password_change_ends_every_session(app, client):
    session, _ = log_in(client, remember=True)
    remembered = client.get_cookie("remember_token").value
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "agent"))
        user.set_password("a-new-password")
        db.session.commit()
    assert session.get("/").status_code == 302
    assert not replay(app, remember_token=remembered)


def test_an_old_style_session_without_a_version_is_refused(app):
    with app.test_client() as client, client.session_transaction() as cookie:
        cookie["_user_id"] = "1"
        cookie["_fresh"] = True
    assert client.get("/").status_code == 302


def test_the_remember_cookie_is_http_only_same_site_and_lives_30_days(client):
    _, response = log_in(client, remember=True)
    cookie = set_cookie(response, "remember_token")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert lifetime(cookie) == THIRTY_DAYS
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize(("days", "kept"), [(7, timedelta(days=7)), (365, THIRTY_DAYS)])
def test_remember_days_is_a_setting_capped_at_30(data_dir, days, kept):
    app = make_app(data_dir, REMEMBER_DAYS=days)
    _, response = log_in(app.test_client(), remember=True)
    assert lifetime(set_cookie(response, "remember_token")) == kept


def test_with_https_cookies_are_secure_and_hsts_is_sent(data_dir):
    app = make_app(data_dir, HTTPS=True)
    client = app.test_client()
    https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/login"}}
    page = client.get("/login", **https)
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post(
        "/login",
        **https,
        data={"username": "agent", "password": PASSWORDS["agent"], "remember": "1", "csrf_token": token},
    )
    assert response.status_code == 302
    assert "Secure" in set_cookie(response, "remember_token")
    assert "Secure" in set_cookie(response, "session")
