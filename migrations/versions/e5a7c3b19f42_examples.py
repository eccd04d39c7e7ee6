"""examples: customers' own words for contact reasons, imported or learned

Revision ID: e5a7c3b19f42
Revises: d41e5c2b9a70
Create Date: 2026-12-02 10:49:10

A new table only: customers' own words (imported from a CRM's closed cases, or learned from
agents' searches) that search uses to recognise what a document is for. Nothing existing changes.
"""

from alembic import op
import sqlalchemy as sa


revision = "e5a7c3b19f42"
down_revision = "d41e5c2b9a70"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("contact_reason", sa.String(length=100), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name=op.f("fk_examples_document_id_documents")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_examples_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_examples")),
        sa.UniqueConstraint("digest", name=op.f("uq_examples_digest")),
    )
    with op.batch_alter_table("examples", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_examples_contact_reason"), ["contact_reason"], unique=False)
        batch_op.create_index(batch_op.f("ix_examples_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_examples_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_examples_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("examples", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_examples_user_id"))
        batch_op.drop_index(batch_op.f("ix_examples_source"))
        batch_op.drop_index(batch_op.f("ix_examples_document_id"))
        batch_op.drop_index(batch_op.f("ix_examples_contact_reason"))

    op.drop_table("examples")
