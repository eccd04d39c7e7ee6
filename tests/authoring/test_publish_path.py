"""One publish path (issue 10, point 2): every way content goes live or leaves announces it with
`content_changed` after its transaction commits; search follows the signal; services never
import the search package."""

from __future__ import annotations

import ast
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from guidance import services
from guidance.extensions import db
from guidance.models import Document
from guidance.models._base import utcnow
from guidance.services import library, schedule
from guidance.signals import content_changed
from tests.authoring.conftest import CARD, WIRE, WIRE_SOURCE, open_editor, save
from tests.authoring.test_review import decide, submit
from tests.conftest import LIBRARY
from tests.feedback.conftest import login


@pytest.fixture
def announced(app, data_dir):
    """Each announcement as (document slugs, the published revision ids another connection reads then)."""
    heard = []

    def receiver(sender, document_ids, **_):
        with sqlite3.connect(data_dir / "guidance.db") as other:  # sees only what is committed
            rows = other.execute(
                f"SELECT slug, published_revision_id FROM documents WHERE id IN ({','.join('?' * len(document_ids))})",
                document_ids,
            ).fetchall()
        heard.append(dict(rows))

    content_changed.connect(receiver, sender=app)
    yield heard
    content_changed.disconnect(receiver, sender=app)


def live_id(app, slug: str) -> int | None:
    with app.app_context():
        return db.session.scalar(select(Document.published_revision_id).where(Document.slug == slug))


def test_import_announces_what_it_published_after_committing(app, runner, tmp_path, announced):
    tree = tmp_path / "tree"
    shutil.copytree(LIBRARY, tree)
    (tree / "processes" / "send-wire.md").write_text(WIRE_SOURCE + "\nNew line.\n")
    runner.invoke(args=["guidance", "import", str(tree)])
    assert announced == [{WIRE: live_id(app, WIRE)}]
    runner.invoke(args=["guidance", "import", str(tree)])
    assert len(announced) == 1  # nothing changed: nothing announced


def test_approve_restore_direct_publish_and_archive_each_announce_once(app, announced):
    submit(app)
    decide(login(app, "admin"), "approve")
    assert announced == [{WIRE: live_id(app, WIRE)}]
    admin = login(app, "admin")
    admin.post(f"/d/{WIRE}/revisions/1/restore")
    assert announced[-1] == {WIRE: live_id(app, WIRE)} and len(announced) == 2
    form = open_editor(admin, WIRE)
    save(admin, WIRE, form, source=form["source"] + "\nDirect.\n", action="publish")
    assert announced[-1] == {WIRE: live_id(app, WIRE)} and len(announced) == 3
    admin.post(f"/d/{CARD}/archive")
    assert announced[-1] == {CARD: None} and len(announced) == 4


def test_a_scheduled_publication_announces_when_it_goes_live(app, announced, monkeypatch):
    submit(app)
    when = utcnow() + timedelta(hours=1)
    decide(login(app, "admin"), "approve", publish_at=when.strftime("%Y-%m-%dT%H:%M"))
    assert announced == []  # approved, not live
    monkeypatch.setattr(schedule, "utcnow", lambda: when + timedelta(minutes=5))
    with app.app_context():
        assert schedule.publish_due() == 1
    assert announced == [{WIRE: live_id(app, WIRE)}]


def test_saving_drafts_announces_nothing(app, announced):
    author = login(app, "author")
    form = open_editor(author, WIRE)
    save(author, WIRE, form, source=WIRE_SOURCE + "\nDraft.\n", note="x", action="submit")
    author.post("/authoring/new", {"kind": "article", "title": "Hidden", "folder": "articles"})
    assert announced == []


def test_a_text_with_blocking_problems_never_goes_live_by_any_path(app, announced):
    from guidance.models import RevisionOrigin
    from guidance.services.publishing import Publication, SourceProblems, new_revision, publish

    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == WIRE))
        broken = new_revision(
            document, "---\nkind: process\n---\nNo steps.", origin=RevisionOrigin.APP, author=None, source_path="x.md"
        )
        with pytest.raises(SourceProblems):
            publish([Publication(document, broken)], None)
        db.session.rollback()
    assert announced == [] and live_id(app, WIRE) is not None


def test_search_follows_publications_through_the_signal(app):
    agent = login(app, "agent")
    assert "Quokka" not in agent.get("/search?q=quokka").get_data(as_text=True)
    submit(app, WIRE_SOURCE + "\n## Quokka check {#quokka}\n\nLook for the quokka.\n")
    decide(login(app, "admin"), "approve")
    assert "Quokka check" in agent.get("/search?q=quokka").get_data(as_text=True)
    with app.app_context():
        library.archive(db.session.scalar(select(Document).where(Document.slug == WIRE)))
    assert "Quokka check" not in agent.get("/search?q=quokka").get_data(as_text=True)


def imported(node: ast.AST) -> set[str]:
    """The absolute names an import statement in guidance/services/ brings in."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if isinstance(node, ast.ImportFrom):
        module = {0: "", 1: "guidance.services.", 2: "guidance."}[node.level] + (node.module or "")
        return {module.rstrip(".")} | {f"{module.rstrip('.')}.{alias.name}" for alias in node.names}
    return set()


def test_services_do_not_import_the_search_package():
    for path in Path(services.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            found = [
                name for name in imported(node) if name == "guidance.search" or name.startswith("guidance.search.")
            ]
            assert not found, f"{path.name} imports {found}"
