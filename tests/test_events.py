"""Operations read one JSON line per event: who, what, where, how long."""

from __future__ import annotations

import json
import logging

import pytest

from tests.conftest import Session


@pytest.fixture
def events(caplog):
    caplog.set_level(logging.INFO, logger="guidance.events")

    def lines() -> list[dict]:
        return [json.loads(r.getMessage()) for r in caplog.records if r.name == "guidance.events"]

    return lines


def test_logins_failed_logins_and_logouts_are_events(client, events):
    session = Session(client)
    session.login("agent", "wrong")
    session.login("nobody", "wrong")
    session.login("agent")
    session.post("/logout")
    failed_wrong, failed_unknown, login, logout = events()
    assert failed_wrong["event"] == "login.failed" and failed_wrong["reason"] == "wrong password"
    assert failed_wrong["route"] == "POST /login" and isinstance(failed_wrong["user_id"], int)
    assert failed_unknown["event"] == "login.failed" and failed_unknown["user_id"] is None
    assert login["event"] == "login" and login["user_id"] == failed_wrong["user_id"] and login["ms"] >= 0
    assert logout == {**logout, "event": "logout", "route": "POST /logout", "user_id": login["user_id"]}


def test_admin_actions_name_the_admin(admin, events):
    admin.post("/admin/users", {"username": "zoe", "role": "author"})
    admin.post("/admin/synonyms", {"groups": "remittance, wire transfer"})
    created, synonyms = [e for e in events() if e["event"] != "login"]
    assert created["event"] == "user.created" and created["username"] == "zoe" and created["role"] == "author"
    assert synonyms == {**synonyms, "event": "synonyms.saved", "groups": 1, "route": "POST /admin/synonyms"}
    assert created["user_id"] == synonyms["user_id"] is not None


def test_imports_and_publishes_are_events(app, runner, tmp_path, events):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "faq.md").write_text("# Savings pots\n\nA pot keeps money aside.\n")
    runner.invoke(args=["guidance", "import", str(tree)])
    published, imported = events()
    assert published == {**published, "event": "document.published", "slug": "faq", "origin": "import"}
    assert imported == {**imported, "event": "import", "created": 1, "failed": 0, "user_id": None}
    assert imported["route"].endswith("guidance import") and 0 <= published["ms"] <= imported["ms"]
