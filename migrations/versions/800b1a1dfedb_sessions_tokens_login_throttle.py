"""auth hardening: session versions, token expiry and revocation, login throttle counters

Revision ID: 800b1a1dfedb
Revises: 9d4f130cd5e7
Create Date: 2026-11-24 09:00:00

Existing users start at session version 1: cookies issued before this upgrade carried a bare
user id, which no longer matches, so everyone logs in once more. Existing API tokens had no
expiry; they get 90 days from the upgrade (the default lifetime) so integrations keep working
while their owners are told.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "800b1a1dfedb"
down_revision = "9d4f130cd5e7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))
    expires = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=90)
    op.execute(sa.text("UPDATE api_tokens SET expires_at = :expires").bindparams(expires=expires))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(), nullable=False)

    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limits")),
    )
    with op.batch_alter_table("rate_limits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_limits_expires_at"), ["expires_at"], unique=False)


def downgrade():
    with op.batch_alter_table("rate_limits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limits_expires_at"))
    op.drop_table("rate_limits")

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("expires_at")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
