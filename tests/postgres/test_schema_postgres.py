"""On PostgreSQL too, the migrations build the schema the models declare, CHECK constraints included."""

from __future__ import annotations

import flask_migrate
import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError

from guidance.extensions import db
from guidance.models import Role, User
from guidance.services.users import create_user
from tests.conftest import LIBRARY
from tests.schema_check import fill_as_before_authoring, migrate_around_checks, schema_differences

pytestmark = pytest.mark.postgres


def test_the_migrated_schema_matches_the_models(pg_empty_app):
    with pg_empty_app.app_context():
        flask_migrate.upgrade()
    assert schema_differences(pg_empty_app) == []


def test_enum_members_are_stored_as_their_words_and_unknown_words_refused(pg_app):
    with pg_app.app_context():
        create_user("writer", Role.AUTHOR, "writer-pass")
        assert db.session.scalar(text("SELECT role FROM users WHERE username = 'writer'")) == "author"
        with pytest.raises(IntegrityError):
            db.session.execute(update(User).values(role="root"))
        db.session.rollback()


def test_adding_the_checks_keeps_every_row(pg_empty_app):
    migrate_around_checks(pg_empty_app, lambda: fill_as_before_authoring(LIBRARY))
