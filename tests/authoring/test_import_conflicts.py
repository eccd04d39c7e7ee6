"""Nothing published in the app is ever overwritten by an import (issue 10, point 1)."""

from __future__ import annotations

import hashlib
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


def copy_library(tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(LIBRARY, tree)
    return tree


def revisions_of(app, slug: str) -> list[tuple[int, str, str]]:
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == slug))
        return [(r.number, r.origin, r.status) for r in document.revisions]


def test_force_publishes_the_file_over_the_app_edit_and_history_keeps_both(app, runner, tmp_path):
    tree = copy_library(tmp_path)
    publish_in_the_browser(app, "one working day")
    result = runner.invoke(args=["guidance", "import", "--force", str(tree)])
    assert "0 created, 1 updated, 5 unchanged, 0 not imported" in result.output
    assert revisions_of(app, "processes/send-wire") == [
        (1, "file", "published"),
        (2, "app", "published"),
        (3, "file", "published"),
    ]
    agent = login(app, "agent")
    assert "two working days" in agent.get(f"{WIRE}/steps/send").get_data(as_text=True)


def test_a_changed_file_still_updates_what_came_from_its_last_import(app, runner, tmp_path):
    tree = copy_library(tmp_path)
    wire = tree / "processes" / "send-wire.md"
    wire.write_text(wire.read_text().replace("two working days", "three working days"))
    assert (
        "0 created, 1 updated, 5 unchanged, 0 not imported"
        in runner.invoke(args=["guidance", "import", str(tree)]).output
    )
    with app.app_context():
        revision = db.session.scalar(select(Document).where(Document.slug == "processes/send-wire")).published_revision
        assert (revision.origin, revision.source_path) == ("file", "processes/send-wire.md")
        assert revision.content_sha256 == hashlib.sha256(wire.read_bytes()).hexdigest()


def test_a_file_over_an_archived_or_restored_document_is_kept(app, runner, tmp_path):
    tree = copy_library(tmp_path)
    (tree / "processes" / "card-arrival.md").write_text(
        (LIBRARY / "processes" / "card-arrival.md").read_text() + "\nNew.\n"
    )
    admin = login(app, "admin")
    assert admin.post("/d/processes/card-arrival/archive").status_code == 303
    result = runner.invoke(args=["guidance", "import", str(tree)])
    assert f"kept: {tree}/processes/card-arrival.md: archived in the app since the last import" in result.output
    assert login(app, "agent").get("/d/processes/card-arrival").status_code == 404
    forced = runner.invoke(args=["guidance", "import", "--force", str(tree)])
    assert "1 updated" in forced.output and login(app, "agent").get("/d/processes/card-arrival").status_code == 200
    assert admin.post("/d/processes/card-arrival/revisions/1/restore").status_code == 303  # back to the old text
    again = runner.invoke(args=["guidance", "import", str(tree)])
    assert f"kept: {tree}/processes/card-arrival.md: edited in the app since the last import" in again.output


def test_a_file_where_a_document_is_being_written_in_the_app_is_kept(app, runner, tmp_path):
    tree = copy_library(tmp_path)
    author = login(app, "author")
    author.post("/authoring/new", {"kind": "article", "title": "Lunch rota", "folder": "articles"})
    (tree / "articles" / "lunch-rota.md").write_text("# Lunch rota\n\nFrom a file.\n")
    result = runner.invoke(args=["guidance", "import", str(tree)])
    assert f"kept: {tree}/articles/lunch-rota.md: written in the app and not published yet" in result.output
    assert revisions_of(app, "articles/lunch-rota") == [(1, "app", "draft")]


def test_import_and_the_app_record_where_each_revision_came_from(app, runner, tmp_path):
    publish_in_the_browser(app, "one working day")
    page = login(app, "author").get(f"{WIRE}/history").get_data(as_text=True)
    assert "<td>file <code>processes/send-wire.md</code>" in page and "<td>app</td>" in page
