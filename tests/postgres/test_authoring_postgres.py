"""Authoring on PostgreSQL: drafts saved by two people, review and publication, import keeping
app edits, step health across revisions, and the migration's filling of existing rows."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from guidance.extensions import db
from guidance.models import Document, Revision
from tests.authoring.conftest import WIRE, editor_form, open_editor, save
from tests.authoring.test_review import decide
from tests.conftest import LIBRARY, Session, close
from tests.postgres.conftest import make_pg_app
from tests.schema_check import BEFORE_AUTHORING, fill_as_before_authoring, migrate_around

pytestmark = pytest.mark.postgres


def login(app, name: str) -> Session:
    session = Session(app.test_client())
    assert session.login(name).status_code == 302
    return session


def test_drafts_conflicts_review_and_import_on_postgres(pg_app, tmp_path):
    author, admin = login(pg_app, "author"), login(pg_app, "admin")
    first, second = open_editor(author, WIRE), open_editor(admin, WIRE)
    text = first["source"].replace("two working days", "one working day")
    assert save(author, WIRE, first, source=text).status_code == 303
    conflict = save(admin, WIRE, second, source=text + "\nMine.\n")
    assert conflict.status_code == 409 and editor_form(conflict.get_data(as_text=True))["source"].endswith("Mine.\n")
    form = open_editor(author, WIRE)
    assert save(author, WIRE, form, note="Faster", action="submit").status_code == 303
    assert decide(admin, "approve").status_code == 303
    tree = tmp_path / "tree"
    shutil.copytree(LIBRARY, tree)
    result = pg_app.test_cli_runner().invoke(args=["guidance", "import", str(tree)])
    assert "kept:" in result.output and "edited in the app since the last import" in result.output
    with pg_app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == WIRE))
        live = document.published_revision
        assert (live.number, live.origin, live.writer_ids, document.draft_revision_id) == (2, "app", [3], None)
        assert "one working day" in live.source and all(step.content_hash for step in live.steps)


def test_the_authoring_migration_fills_existing_rows_on_postgres(tmp_path, pg_database):
    app = make_pg_app(tmp_path, pg_database)

    def check() -> None:
        revisions = db.session.scalars(select(Revision)).all()
        assert {r.origin for r in revisions} == {"file"} and all(len(r.content_sha256) == 64 for r in revisions)

    try:
        migrate_around(app, BEFORE_AUTHORING, lambda: fill_as_before_authoring(LIBRARY), check)
    finally:
        close(app)
