"""the agent's desk: a run's CRM context and decision answers; when a user last logged in

Revision ID: d41e5c2b9a70
Revises: 4a1f0c8e2b7d
Create Date: 2026-12-02 12:00:00

guide_runs.context holds the values a CRM gave when the run started (`?customer.name=Ana`), so they
survive step moves, refreshes and other tabs (a session would mix up two calls in two tabs);
guide_runs.answers holds the answer chosen at each decision, for the wrap-up. users.last_login_at
and previous_login_at say what changed since the agent's last shift. All nullable: rows from
before have none of it, and the app reads NULL as empty.
"""

from alembic import op
import sqlalchemy as sa


revision = "d41e5c2b9a70"
down_revision = "4a1f0c8e2b7d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("guide_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("context", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("answers", sa.JSON(), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_login_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("previous_login_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("previous_login_at")
        batch_op.drop_column("last_login_at")
    with op.batch_alter_table("guide_runs", schema=None) as batch_op:
        batch_op.drop_column("answers")
        batch_op.drop_column("context")
