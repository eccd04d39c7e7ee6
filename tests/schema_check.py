"""Does a migrated database hold the schema the models declare? Shared by the SQLite and PostgreSQL tests."""

from __future__ import annotations

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, Table, func, inspect, select

from guidance.extensions import db

# The revision before the CHECK constraints on closed sets of values (roles, kinds, statuses).
BEFORE_CHECKS = "b3c1d2e4f5a6"


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


def row_counts() -> dict[str, int]:
    return {
        name: db.session.scalar(select(func.count()).select_from(table)) for name, table in db.metadata.tables.items()
    }


def migrate_around_checks(app, fill) -> None:
    """Fill a database at the revision before the checks, upgrade, downgrade: no row is lost."""
    with app.app_context():
        flask_migrate.upgrade(revision=BEFORE_CHECKS)
        fill()
        before = row_counts()
        assert sum(before.values()) > 0
        db.session.remove()
        flask_migrate.upgrade()
        assert row_counts() == before
        db.session.remove()
        flask_migrate.downgrade(revision=BEFORE_CHECKS)
        assert row_counts() == before
        db.session.remove()
