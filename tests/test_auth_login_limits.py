"""Login resists guessing: failed logins are throttled per account and per address, and an unknown
username costs the same password check as a real one."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from guidance.extensions import db
from guidance.models import User
from guidance.services import users as user_service
from tests.conftest import PASSWORDS, Session, close, make_app


def attempt(client, username: str, password: str = "wrong", address: str = "10.0.0.1"):
    session = Session(client)
    token = session.token()
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture
def strict(data_dir):
    app = make_app(data_dir, LOGIN_LIMIT_ACCOUNT="3/minute;5/hour", LOGIN_LIMIT_ADDRESS="6/minute")
    yield app
    close(app)


def test_the_limits_are_settings_with_documented_defaults(app):
    assert app.config["LOGIN_LIMIT_ACCOUNT"] == "5/minute;20/hour"
    assert app.config["LOGIN_LIMIT_ADDRESS"] == "30/minute"
    assert app.config["RATELIMIT_STORAGE_URI"] == "database://"


def test_failed_logins_for_one_account_are_throttled_with_retry_after(strict):
    client = strict.test_client()
    for _ in range(3):
        assert attempt(client, "agent").status_code == 401
    # Even the right password waits: otherwise the throttle would tell a guesser when they are right.
    blocked = attempt(client, "agent", PASSWORDS["agent"])
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 60
    page = blocked.get_data(as_text=True)
    assert "Too many failed log-ins for this account" in page and 'id="password"' in page
    # Another account, from another address, is not affected.
    assert attempt(client, "senior", PASSWORDS["senior"], address="10.0.0.2").status_code == 302


def test_the_account_is_throttled_whatever_case_or_width_the_name_is_typed_in(strict):
    client = strict.test_client()
    for name in ("agent", "AGENT", "\uff41\uff47\uff45\uff4e\uff54"):
        attempt(client, name, address="10.0.0.9")
    assert attempt(client, "agent", address="10.0.0.8").status_code == 429


def test_successful_logins_do_not_count(strict):
    for _ in range(5):
        assert attempt(strict.test_client(), "agent", PASSWORDS["agent"]).status_code == 302


def test_failed_logins_from_one_address_are_throttled_across_accounts(strict):
    client = strict.test_client()
    for index in range(6):
        assert attempt(client, f"nobody{index}").status_code == 401
    blocked = attempt(client, "senior", PASSWORDS["senior"])
    assert blocked.status_code == 429
    assert "Too many failed log-ins from your network address" in blocked.get_data(as_text=True)
    assert attempt(client, "senior", PASSWORDS["senior"], address="10.0.0.3").status_code == 302


def test_the_login_page_itself_is_never_throttled(strict):
    client = strict.test_client()
    for _ in range(4):
        attempt(client, "agent")
    assert client.get("/login").status_code == 200


def test_counts_live_in_the_database_so_every_worker_sees_them(data_dir, strict):
    for _ in range(3):
        attempt(strict.test_client(), "agent")
    # A second worker (a new app on the same database) starts with the same counts.
    worker = make_app(data_dir, LOGIN_LIMIT_ACCOUNT="3/minute;5/hour", LOGIN_LIMIT_ADDRESS="6/minute")
    try:
        assert attempt(worker.test_client(), "agent", address="10.0.0.4").status_code == 429
        with worker.app_context():
            assert db.session.scalar(text("SELECT count(*) FROM rate_limits")) >= 3
    finally:
        close(worker)


def test_memory_storage_can_be_chosen(data_dir):
    app = make_app(data_dir, RATELIMIT_STORAGE_URI="memory://", LOGIN_LIMIT_ACCOUNT="2/minute")
    try:
        client = app.test_client()
        attempt(client, "agent")
        attempt(client, "agent")
        assert attempt(client, "agent").status_code == 429
        with app.app_context():
            assert db.session.scalar(text("SELECT count(*) FROM rate_limits")) == 0
    finally:
        close(app)


@pytest.mark.parametrize(
    ("config", "answers"),
    [
        ({"RATELIMIT_DEFAULT": "3/minute"}, [200, 200, 200, 429]),  # an operator's limit for every view
        ({"LOGIN_LIMIT_ADDRESS": "2/minute"}, [200, 200, 200, 200]),  # the login's limits stay there
    ],
)
def test_pages_are_throttled_only_by_limits_set_for_every_view(data_dir, config, answers):
    # The limiter's hooks run for the login pages alone unless such limits are set.
    app = make_app(data_dir, RATELIMIT_STORAGE_URI="memory://", **config)
    try:
        agent = Session(app.test_client())
        agent.login("agent")
        responses = [agent.get("/notifications") for _ in range(4)]
        assert [response.status_code for response in responses] == answers
    finally:
        close(app)


@pytest.fixture
def hash_checks(monkeypatch):
    """Every password hash the login checks against."""
    checked = []
    real = user_service.check_password_hash

    def counting(pwhash, password):
        checked.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(user_service, "check_password_hash", counting)
    return checked


def test_an_unknown_user_costs_the_same_password_check_as_a_real_one(app, client, hash_checks):
    assert attempt(client, "agent").status_code == 401
    assert attempt(client, "no-such-person").status_code == 401
    assert len(hash_checks) == 2
    real, dummy = hash_checks
    assert dummy != real
    assert dummy.split("$")[0] == real.split("$")[0]  # same method and cost, e.g. scrypt:32768:8:1


def test_an_inactive_user_costs_the_same_check_and_is_refused(app, client, hash_checks):
    with app.app_context():
        db.session.execute(db.update(User).where(User.username == "agent").values(active=False))
        db.session.commit()
        real = db.session.scalar(select(User.password_hash).where(User.username == "agent"))
        assert db.session.scalar(select(func.count(User.id))) == 4
    assert attempt(client, "agent", PASSWORDS["agent"]).status_code == 401
    assert len(hash_checks) == 1 and hash_checks[0] != real
