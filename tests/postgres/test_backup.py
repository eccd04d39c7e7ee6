"""Backup and restore move everything, both ways between SQLite and PostgreSQL, and refuse what
would lose data."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import flask_migrate
import pytest
from sqlalchemy import select

from guidance.extensions import db
from guidance.services import backup
from guidance.services.search_log import flush
from tests.conftest import Session, close, make_app
from tests.postgres.conftest import make_pg_app

pytestmark = pytest.mark.postgres
WIRE = "/d/processes/send-wire"


def populate(app, tmp_path) -> None:
    """Every kind of row people make: runs, ticks, notes, ratings, inbox states, searches, tokens,
    imported case examples."""
    agent, admin = Session(app.test_client()), Session(app.test_client())
    agent.login("agent")
    admin.login("admin")
    agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "next", "checked": ["0", "1"]})
    agent.post(f"{WIRE}/steps/verify/notes", {"body": "Ünïcode note — with “quotes”", "shared": "1"})
    agent.post(f"{WIRE}/steps/screen/rating", {"rating": "down", "reason": "unclear", "comment": "Which list?"})
    agent.post(f"{WIRE}/pin")
    agent.get("/search?q=wire+transfer")
    agent.login("agent", "wrong")  # a throttle counter
    admin.post("/admin/synonyms", {"groups": "remittance, wire transfer"})
    with app.app_context():
        flush()
        from guidance.models import StepNote

        note = db.session.scalar(select(StepNote))
    admin.post("/admin/inbox", {"item": f"note:{note.id}", "action": "dismiss", "reason": "Covered by policy"})
    app.test_cli_runner().invoke(args=["guidance", "create-token", "admin"])
    cases = tmp_path / "cases.csv"
    cases.write_text("text,contact_reason\nneed to send cash to my sister in Spain,transfer_abroad\n", encoding="utf-8")
    imported = app.test_cli_runner().invoke(args=["guidance", "examples", "import", str(cases)])
    assert imported.exit_code == 0, imported.output


def everything(app) -> dict[str, list[tuple]]:
    with app.app_context():
        rows = {}
        for table in backup.tables():
            found = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
            rows[table.name] = [tuple(_plain(value) for value in row) for row in found]
        db.session.rollback()
        return rows


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=value.microsecond)  # same type on both databases
    return value


def test_a_populated_database_round_trips_sqlite_postgres_sqlite(app, tmp_path, pg_database):
    populate(app, tmp_path)
    original = everything(app)
    assert all(
        original[name]
        for name in (
            "users",
            "revisions",
            "step_notes",
            "step_ratings",
            "notifications",
            "search_log",
            "guide_runs",
            "pins",
            "synonym_groups",
            "api_tokens",
            "examples",
        )
    )
    first = tmp_path / "from-sqlite.guidance.gz"
    with app.app_context():
        counts = backup.backup(first)
    assert counts["revisions"] == len(original["revisions"])

    pg = make_pg_app(tmp_path / "pg", pg_database)
    try:
        with pg.app_context():
            flask_migrate.upgrade()
            backup.restore(first)
        assert everything(pg) == original
        agent = Session(pg.test_client())
        assert agent.login("agent").status_code == 302  # passwords came along
        page = agent.get(f"{WIRE}/steps/verify").get_data(as_text=True)
        assert "Ünïcode note — with “quotes”" in page
        agent.post(f"{WIRE}/steps/send/notes", {"body": "A new note after the restore"})  # ids continue
        second = tmp_path / "from-postgres.guidance.gz"
        with pg.app_context():
            backup.backup(second)
        after_pg = everything(pg)
    finally:
        close(pg)

    back = make_app(tmp_path / "sqlite-again")
    try:
        with back.app_context():
            flask_migrate.upgrade()
            backup.restore(second)
        assert everything(back) == after_pg
    finally:
        close(back)


def test_restore_refuses_a_database_that_holds_data_and_a_foreign_file(app, tmp_path):
    file = tmp_path / "backup.gz"
    with app.app_context():
        backup.backup(file)
        with pytest.raises(backup.BackupError, match="not empty"):
            backup.restore(file)
    stranger = tmp_path / "stranger.gz"
    with gzip.open(stranger, "wt") as out:
        out.write(json.dumps({"format": "something-else"}) + "\n")
    empty = make_app(tmp_path / "empty")
    try:
        with empty.app_context():
            flask_migrate.upgrade()
            with pytest.raises(backup.BackupError, match="not a Guidance backup"):
                backup.restore(stranger)
            (tmp_path / "plain.txt").write_text("hello")
            with pytest.raises(backup.BackupError, match="not a Guidance backup"):
                backup.restore(tmp_path / "plain.txt")
    finally:
        close(empty)


def test_the_commands_back_up_and_restore(app, runner, tmp_path):
    file = tmp_path / "cli.gz"
    result = runner.invoke(args=["guidance", "backup", str(file)])
    assert result.exit_code == 0 and "rows from" in result.output
    other = make_app(tmp_path / "other")
    try:
        with other.app_context():
            flask_migrate.upgrade()
        restored = other.test_cli_runner().invoke(args=["guidance", "restore", str(file)])
        assert restored.exit_code == 0, restored.output
        assert "rows restored" in restored.output and "indexed" in restored.output
        refused = other.test_cli_runner().invoke(args=["guidance", "restore", str(file)])
        assert refused.exit_code != 0 and "not empty" in refused.output
    finally:
        close(other)
