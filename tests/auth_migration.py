"""Upgrading a database that already has users and API tokens to the auth-hardening schema."""

from __future__ import annotations

import flask_migrate
from sqlalchemy import text

from guidance.extensions import db

BEFORE = "9d4f130cd5e7"


def upgrade_with_existing_rows(app) -> None:
    """Rows written by the previous schema get a session version and a token expiry."""
    with app.app_context():
        flask_migrate.upgrade(revision=BEFORE)
        db.session.execute(
            text(
                "INSERT INTO users (id, username, password_hash, role, active, created_at) "
                "VALUES (1, 'old', 'x', 'agent', true, '2026-01-01 00:00:00')"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO api_tokens (id, user_id, token_hash, created_at) "
                "VALUES (1, 1, 'abc', '2026-01-01 00:00:00')"
            )
        )
        db.session.commit()
        db.session.remove()
        flask_migrate.upgrade()
        assert db.session.execute(text("SELECT session_version FROM users")).scalar_one() == 1
        expires = db.session.execute(text("SELECT expires_at FROM api_tokens")).scalar_one()
        assert expires is not None and str(expires) > "2026-01-01"
        db.session.remove()
        flask_migrate.downgrade(revision=BEFORE)
        assert db.session.execute(text("SELECT username FROM users")).scalar_one() == "old"
        db.session.remove()
