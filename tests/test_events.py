"""Operations read one JSON line per event: who, what, where, how long."""

from __future__ import annotations

import html
import json
import logging
import re

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


def test_an_import_is_one_event_with_its_counts(app, runner, tmp_path, events):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "faq.md").write_text("# Savings pots\n\nA pot keeps money aside.\n")
    runner.invoke(args=["guidance", "import", str(tree)])
    [imported] = events()
    assert imported == {**imported, "event": "import", "created": 1, "failed": 0, "user_id": None}
    assert imported["route"].endswith("guidance import") and imported["ms"] >= 0


def test_a_publish_in_the_app_is_an_event(admin, events):
    page = admin.get("/d/processes/send-wire/edit").get_data(as_text=True)
    source = re.search(r'<textarea[^>]*name="source"[^>]*>\n?(.*?)</textarea>', page, re.S).group(1)
    base = page.split('name="base" value="')[1].split('"')[0]
    admin.post(
        "/d/processes/send-wire/edit",
        {"source": html.unescape(source) + "\nMore.\n", "base": base, "action": "publish"},
    )
    [published] = [e for e in events() if e["event"] == "document.published"]
    assert published == {**published, "slug": "processes/send-wire", "revision": 2, "origin": "app"}
    assert published["route"] == "POST /d/<path:slug>/edit" and published["user_id"] is not None
