"""The migrations build the schema the models declare, and the database refuses values no enum knows."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from guidance.content import parse_document
from guidance.extensions import db
from guidance.models import Document, Revision, RevisionStep, User
from tests.conftest import LIBRARY, close, make_app
from tests.schema_check import (
    BEFORE_AUTHORING,
    fill_as_before_authoring,
    migrate_around,
    migrate_around_checks,
    schema_differences,
)


def test_the_migrated_schema_matches_the_models(empty_app):
    assert schema_differences(empty_app) == []


@pytest.mark.parametrize(
    ("model", "values"),
    [(User, {"role": "root"}), (Document, {"kind": "memo"})],
)
def test_the_database_refuses_a_value_its_enum_does_not_know(app, model, values):
    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(update(model).values(**values))
        db.session.rollback()


def test_adding_the_checks_keeps_every_row(tmp_path):
    app = make_app(tmp_path)

    try:
        migrate_around_checks(app, lambda: fill_as_before_authoring(LIBRARY))
    finally:
        close(app)


def test_existing_revisions_get_their_origin_hash_and_step_hashes(tmp_path):
    """Imported revisions are marked as from their file, with its SHA-256; the one the old admin
    edit form published (it recorded an author) as written in the app, so no import replaces it."""
    app = make_app(tmp_path)

    def check() -> None:
        revisions = {r.source_path: r for r in db.session.scalars(select(Revision))}
        wire = revisions.pop("processes/send-wire.md")
        assert wire.origin == "app"
        assert {r.origin for r in revisions.values()} == {"file"}
        card = revisions["processes/card-arrival.md"]
        data = (LIBRARY / "processes" / "card-arrival.md").read_bytes()
        assert card.content_sha256 == hashlib.sha256(data).hexdigest()
        parsed, _ = parse_document(data.decode(), "processes/card-arrival.md")
        stored = {
            s.key: s.content_hash
            for s in db.session.scalars(select(RevisionStep).where(RevisionStep.revision_id == card.id))
        }
        assert stored == {step.id: step.content_hash for step in parsed.steps}
        assert card.updated_at == card.created_at and card.writer_ids == [] and card.change_note == ""

    try:
        migrate_around(
            app, BEFORE_AUTHORING, lambda: fill_as_before_authoring(LIBRARY, {"processes/send-wire": 1}), check
        )
    finally:
        close(app)
