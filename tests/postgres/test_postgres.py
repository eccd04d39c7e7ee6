"""The app on PostgreSQL: migrations, import/export, following a process, roles, deep links."""

from __future__ import annotations

import shutil

import flask_migrate
import pytest
from sqlalchemy import func, inspect, select, text

from guidance.extensions import db
from guidance.models import Document, GuideRun, Revision, User
from guidance.services.library import export_tree, import_tree
from tests.conftest import LIBRARY, Session

pytestmark = pytest.mark.postgres

WIRE = "/d/processes/send-wire"
# Every table the models declare, so a model without a migration fails here.
TABLES = {"alembic_version", *db.metadata.tables}


def foreign_keys(inspector, table: str) -> set[tuple[str, str]]:
    return {(fk["constrained_columns"][0], fk["referred_table"]) for fk in inspector.get_foreign_keys(table)}


def test_the_migration_builds_the_schema_and_upgrading_again_is_harmless(pg_empty_app):
    runner = pg_empty_app.test_cli_runner()
    first = runner.invoke(args=["db", "upgrade"])
    assert first.exit_code == 0, first.output
    with pg_empty_app.app_context():
        assert db.engine.dialect.name == "postgresql"
        inspector = inspect(db.engine)
        assert set(inspector.get_table_names()) == TABLES
        # documents and revisions refer to each other
        assert ("published_revision_id", "revisions") in foreign_keys(inspector, "documents")
        assert ("document_id", "documents") in foreign_keys(inspector, "revisions")
        head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.remove()
    second = runner.invoke(args=["db", "upgrade"])
    assert second.exit_code == 0, second.output
    with pg_empty_app.app_context():
        assert db.session.scalars(text("SELECT version_num FROM alembic_version")).all() == [head]
        assert set(inspect(db.engine).get_table_names()) == TABLES
        db.session.remove()


def test_the_migration_downgrades_and_upgrades_again(pg_app):
    with pg_app.app_context():
        db.session.remove()  # the fixture's session holds no locks on the tables we drop
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
        flask_migrate.upgrade()
        assert set(inspect(db.engine).get_table_names()) == TABLES


def test_the_library_imports_once_and_a_changed_file_makes_revision_2(pg_app, tmp_path):
    with pg_app.app_context():
        documents = db.session.scalars(select(Document).order_by(Document.slug)).all()
        assert len(documents) == 6
        for document in documents:  # documents and revisions refer to each other
            assert document.published_revision.document_id == document.id
            assert document.published_revision.number == 1
        wire = db.session.scalar(select(Document).where(Document.slug == "processes/send-wire"))
        assert [s.key for s in wire.published_revision.steps] == ["verify", "screen", "escalate", "beneficiary", "send"]
        assert wire.published_revision.meta["title"] == "Send an international wire transfer"
        before = db.session.scalar(select(func.count(Revision.id)))
        db.session.remove()
    tree = tmp_path / "tree"
    shutil.copytree(LIBRARY, tree)
    again = pg_app.test_cli_runner().invoke(args=["guidance", "import", str(tree)])
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 6 unchanged, 0 not imported" in again.output
    wire = tree / "processes" / "send-wire.md"
    wire.write_text(wire.read_text().replace("two working days", "one working day"))
    with pg_app.app_context():
        assert db.session.scalar(select(func.count(Revision.id))) == before
        changed = import_tree(tree)
        assert (changed.created, changed.updated, changed.unchanged, changed.failed) == (0, 1, 5, [])
        assert db.session.scalar(select(func.count(Revision.id))) == before + 1
        db.session.expire_all()
        document = db.session.scalar(select(Document).where(Document.slug == "processes/send-wire"))
        assert [r.number for r in document.revisions] == [1, 2]
        assert document.published_revision.number == 2
        assert document.published_revision.status == "published"
        assert "one working day" in document.published_revision.source


def test_export_after_import_gives_identical_files(pg_app, tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(LIBRARY, tree)
    (tree / "articles" / "crlf.md").write_bytes(b"# Windows file\r\n\r\nLine one.\r\n")
    (tree / "articles" / "unicode.md").write_text("# Überweisung ins Ausland\n\nÉmile → 日本 ✓\n", encoding="utf-8")
    out = tmp_path / "out"
    with pg_app.app_context():
        report = import_tree(tree)
        assert (report.created, report.failed) == (2, [])
        assert export_tree(out) == (8, [])
    originals = sorted(p.relative_to(tree) for p in tree.rglob("*.md"))
    assert sorted(p.relative_to(out) for p in out.rglob("*.md")) == originals
    for relative in originals:
        assert (out / relative).read_bytes() == (tree / relative).read_bytes(), relative


# Values SQLite stores without complaint but PostgreSQL refuses: VARCHAR limits and NUL bytes.
TOO_BIG_FOR_POSTGRES = {
    "long-title.md": "# " + "T" * 300 + "\n\nBody.\n",  # documents.title VARCHAR(255)
    "long-step.md": "---\nkind: process\n---\n## " + "S" * 300 + " {#s}\n\nDo it.\n",  # revision_steps.title
    "long-step-id.md": "---\nkind: process\n---\n## Step {#" + "s" * 300 + "}\n\nDo it.\n",  # revision_steps.key
    "long-tag.md": "---\ntags: [" + "x" * 150 + "]\n---\n# Tagged\n",  # document_tags.tag VARCHAR(100)
    "long-reason.md": "---\ncontact_reasons: [" + "c" * 150 + "]\n---\n# Reason\n",  # VARCHAR(100)
    "long-audience.md": "---\naudience: [" + ", ".join(f"role-{i:03}" for i in range(40)) + "]\n---\n# Few\n",
    "d" * 200 + "/" + "e" * 60 + ".md": "# Deep\n",  # documents.slug VARCHAR(255)
    "nul.md": "# Has a NUL\n\nbad \x00 byte\n",  # PostgreSQL text cannot hold NUL
}


def test_files_postgres_cannot_store_are_refused_and_the_rest_is_imported(pg_app, tmp_path):
    """On PostgreSQL these used to raise DataError and roll back the whole import."""
    tree = tmp_path / "tree"
    shutil.copytree(LIBRARY, tree)
    (tree / "articles" / "fine.md").write_text("# A fine new article\n")
    for name, source in TOO_BIG_FOR_POSTGRES.items():
        (tree / name).parent.mkdir(exist_ok=True)
        (tree / name).write_text(source)
    result = pg_app.test_cli_runner().invoke(args=["guidance", "import", str(tree)])
    assert result.exit_code == 0, result.output
    assert f"1 created, 0 updated, 6 unchanged, {len(TOO_BIG_FOR_POSTGRES)} not imported" in result.output
    for name in TOO_BIG_FOR_POSTGRES:
        assert f"not imported: {tree / name}:" in result.output, name
    with pg_app.app_context():
        assert db.session.scalar(select(Document).where(Document.slug == "articles/fine")) is not None
        assert db.session.scalar(select(func.count(Document.id))) == 7


def follow(session, response):
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"], session.get(response.headers["Location"])


def run_of(app, run_url: str) -> GuideRun:
    with app.app_context():
        run = db.session.get(GuideRun, int(run_url.split("/")[2]))
        db.session.expunge(run)
        return run


def test_an_agent_follows_the_wire_process_through_a_decision_to_the_end(pg_app):
    agent = Session(pg_app.test_client())
    assert agent.login("agent").status_code == 302
    page = agent.get(WIRE).get_data(as_text=True)
    assert "Step 1 of 4" in page and "Verify the caller" in page
    url, page = follow(agent, agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "next", "checked": ["1"]}))
    assert url.endswith("/steps/screen") and "Step 2 of 4" in page.get_data(as_text=True)
    url, page = follow(agent, agent.post(url, {"nav": "choice-1"}))
    assert url.endswith("/steps/beneficiary")
    url, page = follow(agent, agent.post(url, {"nav": "next", "checked": ["0", "2"]}))
    assert url.endswith("/steps/send")
    run = run_of(pg_app, url)
    assert run.visited == ["verify", "screen", "beneficiary", "send"]
    assert run.status == "active" and run.current_step == "send"
    assert run.checked == {"verify": [1], "screen": [], "beneficiary": [0, 2]}
    _, done = follow(agent, agent.post(url, {"nav": "finish"}))
    assert "Process finished" in done.get_data(as_text=True)
    run = run_of(pg_app, url)
    assert run.status == "finished" and run.finished_at is not None
    assert run.visited == ["verify", "screen", "beneficiary", "send"]
    with pg_app.app_context():
        assert db.session.get(User, run.user_id).username == "agent"


def test_starting_again_abandons_the_unfinished_run_and_pins_are_kept(pg_app):
    agent = Session(pg_app.test_client())
    agent.login("agent")
    first, _ = follow(agent, agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "next"}))
    second, _ = follow(agent, agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "next"}))
    assert first != second
    assert run_of(pg_app, first).status == "abandoned"
    assert run_of(pg_app, second).status == "active"
    assert agent.post(f"{WIRE}/pin", {"back": "/"}).status_code == 302
    home = agent.get("/").get_data(as_text=True)
    pinned, recent = home.split('id="recent-title"', 1)
    assert "Send an international wire transfer" in pinned  # the pin, saved in PostgreSQL
    assert "Send an international wire transfer" in recent and "Resume" in recent


def test_documents_for_another_audience_are_hidden_in_sql(pg_app):
    agent = Session(pg_app.test_client())
    agent.login("agent")
    admin = Session(pg_app.test_client())
    admin.login("admin")
    assert agent.get("/d/processes/senior-override").status_code == 404
    assert admin.get("/d/processes/senior-override").status_code == 200
    assert agent.get(WIRE).status_code == 200
    assert "Override a fraud block" not in agent.get("/").get_data(as_text=True)
    assert "Override a fraud block" in admin.get("/").get_data(as_text=True)
    assert "Send an international wire transfer" in agent.get("/search?q=wire").get_data(as_text=True)
    assert "Override a fraud block" not in agent.get("/search?q=override").get_data(as_text=True)
    assert "Override a fraud block" in admin.get("/search?q=override").get_data(as_text=True)


def test_deep_links_open_the_process_for_a_contact_reason(pg_app):
    agent = Session(pg_app.test_client())
    agent.login("agent")
    admin = Session(pg_app.test_client())
    admin.login("admin")
    response = agent.get("/go/transfer_abroad")
    assert response.status_code == 302 and response.headers["Location"] == WIRE
    # card_arrival: one process for agents, two (with the senior-only one) for admins
    response = agent.get("/go/card_arrival")
    assert response.status_code == 302 and response.headers["Location"] == "/d/processes/card-arrival"
    listing = admin.get("/go/card_arrival")
    assert listing.status_code == 200
    body = listing.get_data(as_text=True)
    assert "Card has not arrived" in body and "Override a fraud block" in body
    assert agent.get("/go/no_such_reason").status_code == 404
