"""Examples on PostgreSQL: importing twice adds nothing, clearing removes one source, and learned
examples count distinct agents."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from guidance.extensions import db
from guidance.models import Document, Example, SearchLog
from guidance.services import learning
from guidance.services.users import create_user

pytestmark = pytest.mark.postgres


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Example))


def test_import_is_idempotent_and_clear_removes_one_source(pg_app, tmp_path):
    runner = pg_app.test_cli_runner()
    path = tmp_path / "cases.csv"
    path.write_text("message,reason\nwhere is my new card,card_arrival\nsend money to spain,wire_transfer\n")
    command = ["guidance", "examples", "import", str(path), "--text-column", "message", "--reason-column", "reason"]
    assert "2 added" in runner.invoke(args=command).output
    assert "0 added, 2 already imported" in runner.invoke(args=command).output
    assert count(pg_app) == 2
    assert "2 example(s) deleted" in runner.invoke(args=["guidance", "examples", "clear", "--yes"]).output
    assert count(pg_app) == 0


def test_learned_examples_need_three_agents(pg_app):
    with pg_app.app_context():
        wire = db.session.scalar(select(Document).where(Document.slug == "processes/send-wire"))
        for n in range(3):
            user, _ = create_user(f"pg-learner{n}", "agent")
            db.session.add(SearchLog(user_id=user.id, query="granny needs funds", opened_slug=wire.slug))
            db.session.commit()
            assert learning.observe(user.id, wire)
            assert learning.used() == ({wire.id: ["granny needs funds"]} if n == 2 else {})
