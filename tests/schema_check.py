"""Does a migrated database hold the schema the models declare? Shared by the SQLite and PostgreSQL tests."""

from __future__ import annotations

from datetime import datetime

import flask_migrate
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, Table, func, inspect, select

from guidance.content import load_tree
from guidance.extensions import db

# The revision before the CHECK constraints on closed sets of values (roles, kinds, statuses).
BEFORE_CHECKS = "b3c1d2e4f5a6"
# The revision before authoring (origins, drafts and review, step hashes, the audit log).
BEFORE_AUTHORING = "c7e2a9d41f03"


def declared_checks(table: Table) -> set[str]:
    on_columns = {constraint.name for column in table.columns for constraint in column.constraints}
    on_table = {constraint.name for constraint in table.constraints if isinstance(constraint, CheckConstraint)}
    return on_columns | on_table


def schema_differences(app) -> list:
    """What autogenerate would change to make the database match the models, and the CHECK
    constraints it does not compare (by name: each database words the condition its own way)."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        differences = list(compare_metadata(context, db.metadata))
        inspector = inspect(connection)
        for table in db.metadata.sorted_tables:
            found = {check["name"] for check in inspector.get_check_constraints(table.name)}
            if found != declared_checks(table):
                differences.append(("check constraints", table.name, sorted(declared_checks(table)), sorted(found)))
    return differences


def row_counts(tables=None) -> dict[str, int]:
    """Rows in each table the models declare that the database has (or in `tables`)."""
    present = set(inspect(db.engine).get_table_names())
    names = [name for name in (tables or db.metadata.tables) if name in present]
    return {name: db.session.scalar(select(func.count()).select_from(sa.table(name))) for name in names}


def migrate_around(app, before: str, fill, check=None) -> None:
    """Fill a database at revision `before`, upgrade (then `check`), downgrade: no row is lost."""
    with app.app_context():
        flask_migrate.upgrade(revision=before)
        fill()
        counts = row_counts()
        assert sum(counts.values()) > 0
        db.session.remove()
        flask_migrate.upgrade()
        assert row_counts(counts) == counts
        if check is not None:
            check()
        db.session.remove()
        flask_migrate.downgrade(revision=before)
        assert row_counts(counts) == counts
        db.session.remove()


def migrate_around_checks(app, fill) -> None:
    migrate_around(app, BEFORE_CHECKS, fill)


def fill_as_before_authoring(library, author_of: dict[str, int] | None = None) -> None:
    """Users and an imported library written with the columns the tables had before authoring
    (the models have more now, so the ORM cannot write them at that revision)."""
    now = datetime(2026, 11, 30, 12, 0)
    users = sa.table(
        "users", *(sa.column(name) for name in ("id", "username", "password_hash", "role", "active", "created_at"))
    )
    documents = sa.table("documents", *(sa.column(name) for name in DOCUMENT_COLUMNS))
    revisions = sa.table("revisions", *(sa.column(name) for name in REVISION_COLUMNS), sa.column("meta", sa.JSON))
    steps = sa.table("revision_steps", *(sa.column(name) for name in STEP_COLUMNS))
    db.session.execute(
        users.insert().values(id=1, username="admin", password_hash="x", role="admin", active=True, created_at=now)
    )
    for number, file in enumerate(load_tree(library), 1):
        doc = file.document
        slug = file.path[:-3]
        db.session.execute(
            documents.insert().values(
                id=number,
                slug=slug,
                title=doc.title,
                kind=doc.kind,
                summary=doc.summary,
                audience="",
                generation=1,
                created_at=now,
                updated_at=now,
            )
        )
        db.session.execute(
            revisions.insert().values(
                id=number,
                document_id=number,
                number=1,
                status="published",
                source=file.source,
                source_path=file.path,
                meta={},
                author_id=(author_of or {}).get(slug),
                created_at=now,
                published_at=now,
            )
        )
        db.session.execute(documents.update().where(documents.c.id == number).values(published_revision_id=number))
        for position, step in enumerate(doc.steps):
            db.session.execute(
                steps.insert().values(
                    revision_id=number, key=step.id, position=position, title=step.title, is_decision=step.is_decision
                )
            )
    db.session.commit()


DOCUMENT_COLUMNS = ("id", "slug", "title", "kind", "summary", "audience", "published_revision_id", "generation")
DOCUMENT_COLUMNS += ("created_at", "updated_at")
REVISION_COLUMNS = ("id", "document_id", "number", "status", "source", "source_path", "author_id")
REVISION_COLUMNS += ("created_at", "published_at")
STEP_COLUMNS = ("id", "revision_id", "key", "position", "title", "is_decision")
