"""The migrations build the schema the models declare, and the database refuses values no enum knows."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from guidance.extensions import db
from guidance.models import Document, User
from guidance.services.library import import_tree
from guidance.services.users import create_user
from tests.conftest import LIBRARY, close, make_app
from tests.schema_check import migrate_around_checks, schema_differences


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

    def fill() -> None:
        create_user("agent", "agent", "agent-pass")
        import_tree(LIBRARY)

    try:
        migrate_around_checks(app, fill)
    finally:
        close(app)
