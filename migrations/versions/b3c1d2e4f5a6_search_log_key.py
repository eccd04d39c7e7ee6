"""search log: a key made when the search is answered, so the row can be written later

Revision ID: b3c1d2e4f5a6
Revises: 800b1a1dfedb
Create Date: 2026-12-02 08:00:00

Rows written before this revision keep a NULL key (unique allows many NULLs on both databases).
"""

from alembic import op
import sqlalchemy as sa


revision = "b3c1d2e4f5a6"
down_revision = "800b1a1dfedb"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("search_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_search_log_key"), ["key"])


def downgrade():
    with op.batch_alter_table("search_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_search_log_key"), type_="unique")
        batch_op.drop_column("key")
