"""closed sets of values: CHECK constraints on roles, kinds, statuses, reasons and sources

Revision ID: c7e2a9d41f03
Revises: b3c1d2e4f5a6
Create Date: 2026-12-02 09:00:00

The columns stay strings holding the values they always held (the app's StrEnums); the database
now refuses any other. documents.generation loses the server default that only filled existing
rows when the column was added (the app always sets it), so the schema matches the models.
"""

import sqlalchemy as sa
from alembic import op

revision = "c7e2a9d41f03"
down_revision = "b3c1d2e4f5a6"
branch_labels = None
depends_on = None

# Frozen here as they are at this revision: a later change to an enum needs its own migration.
CHECKS = {
    "users": {"role": ("agent", "author", "admin")},
    "documents": {"kind": ("process", "policy", "article")},
    "revisions": {"status": ("draft", "published")},
    "guide_runs": {"status": ("active", "finished", "abandoned")},
    "step_notes": {"status": ("new", "accepted", "incorporated", "dismissed")},
    "step_ratings": {
        "status": ("new", "accepted", "incorporated", "dismissed"),
        "reason": ("wrong", "unclear", "outdated", "missing", "other"),
    },
    "notifications": {"kind": ("incorporated", "dismissed")},
    "search_log": {"source": ("web", "api")},
}


def upgrade():
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, values in columns.items():
                allowed = ", ".join(f"'{value}'" for value in values)
                batch_op.create_check_constraint(batch_op.f(f"ck_{table}_{column}"), f"{column} IN ({allowed})")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.alter_column("generation", existing_type=sa.Integer(), existing_nullable=False, server_default=None)


def downgrade():
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.alter_column("generation", existing_type=sa.Integer(), existing_nullable=False, server_default="1")
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_constraint(batch_op.f(f"ck_{table}_{column}"), type_="check")
