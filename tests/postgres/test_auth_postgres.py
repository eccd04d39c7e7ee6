"""Auth hardening on PostgreSQL: the throttle's storage, session versions, token expiry, migration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from guidance.extensions import db
from guidance.models import ApiToken
from guidance.models._base import utcnow
from tests.auth_migration import upgrade_with_existing_rows
from tests.conftest import PASSWORDS, Session, close
from tests.postgres.conftest import make_pg_app
from tests.test_auth_storage import check_windows, count_concurrently

pytestmark = pytest.mark.postgres


def attempt(client, password="wrong"):
    session = Session(client)
    return client.post("/login", data={"username": "agent", "password": password, "csrf_token": session.token()})


def test_counts_and_windows(pg_app):
    check_windows(pg_app)


def test_workers_counting_at_once_lose_no_count(pg_app):
    assert count_concurrently(pg_app, "account:agent") == 60


def test_failed_logins_are_throttled_across_workers(pg_app, pg_database, tmp_path):
    pg_app.config["LOGIN_LIMIT_ACCOUNT"] = "2/minute"
    assert [attempt(pg_app.test_client()).status_code for _ in range(2)] == [401, 401]
    worker = make_pg_app(tmp_path / "worker", pg_database)
    worker.config["LOGIN_LIMIT_ACCOUNT"] = "2/minute"
    try:
        blocked = attempt(worker.test_client(), PASSWORDS["agent"])
        assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
        with worker.app_context():
            assert db.session.scalar(text("SELECT max(hits) FROM rate_limits")) == 2
            db.session.remove()
    finally:
        close(worker)


def test_logout_ends_a_copied_session(pg_app):
    agent = Session(pg_app.test_client())
    assert agent.login("agent").status_code == 302
    copied = pg_app.test_client()
    copied.set_cookie("session", agent.client.get_cookie("session").value)
    assert copied.get("/").status_code == 200
    agent.post("/logout")
    assert copied.get("/").status_code == 302


def test_an_expired_token_is_refused(pg_app):
    token = pg_app.test_cli_runner().invoke(args=["guidance", "create-token", "agent"]).stdout.strip()
    client = pg_app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/search?q=wire", headers=headers).status_code == 200
    with pg_app.app_context():
        db.session.scalar(select(ApiToken)).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        db.session.remove()
    response = client.get("/api/v1/search?q=wire", headers=headers)
    assert response.status_code == 401 and "expired" in response.get_json()["error"]


def test_the_migration_keeps_users_and_tokens(pg_empty_app):
    upgrade_with_existing_rows(pg_empty_app)
