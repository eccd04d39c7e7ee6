"""Nothing published in the app is ever overwritten by an import (issue 10, point 1)."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from guidance.extensions import db
from guidance.models import Document
from tests.conftest import LIBRARY
from tests.feedback.conftest import login

WIRE = "/d/processes/send-wire"


def publish_in_the_browser(app, text: str) -> None:
    admin = login(app, "admin")
    page = admin.get(f"{WIRE}/edit").get_data(as_text=True)
    base = page.split('name="base" value="')[1].split('"')[0]
    with app.app_context():
        source = db.session.scalar(select(Document).where(Document.slug == "processes/send-wire")).published_revision
        source = source.source.replace("two working days", text)
    response = admin.post(f"{WIRE}/edit", {"source": source, "base": base, "action": "publish"})
    assert response.status_code == 303, response.get_data(as_text=True)


def test_an_edit_published_in_the_browser_survives_the_next_import(app, runner, tmp_path):
    """The reported sequence: edit in the browser, restart (`make run` re-imports content/)."""
    tree = tmp_path / "tree"
    shutil.copytree(LIBRARY, tree)
    publish_in_the_browser(app, "one working day, as agreed with the team")
    agent = login(app, "agent")
    assert "one working day, as agreed" in agent.get(f"{WIRE}/steps/send").get_data(as_text=True)

    result = runner.invoke(args=["guidance", "import", str(tree)])
    assert result.exit_code == 0, result.output
    assert f"kept: {tree}/processes/send-wire.md: edited in the app since the last import" in result.output
    assert "0 created, 0 updated, 5 unchanged, 1 kept" in result.output
    assert "one working day, as agreed" in agent.get(f"{WIRE}/steps/send").get_data(as_text=True)
