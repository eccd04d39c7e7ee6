"""authoring: where each revision came from, drafts and review, step content hashes, the audit log

Revision ID: 4a1f0c8e2b7d
Revises: c7e2a9d41f03
Create Date: 2026-12-03 09:00:00

Existing revisions came from imports (origin "file", with the SHA-256 of their source, which is
the file's bytes), except those the old admin edit form published: it always recorded the admin
as author and the import command never does, so a revision with an author is marked "app" and
the next import keeps it. Step content hashes are computed with the app's parser, as publishing
computes them. Columns that existing rows need filled get a server default only while adding
them, so the schema matches the models (which set every value).
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "4a1f0c8e2b7d"
down_revision = "c7e2a9d41f03"
branch_labels = None
depends_on = None

OLD_STATUSES = ("draft", "published")
STATUSES = ("draft", "in_review", "returned", "scheduled", "published", "discarded")
ORIGINS = ("file", "app")
OLD_NOTIFICATIONS = ("incorporated", "dismissed")
NOTIFICATIONS = ("incorporated", "dismissed", "returned", "published")  # authors hear about their drafts
ACTIONS = (
    "created",
    "edited",
    "submitted",
    "withdrawn",
    "returned",
    "approved",
    "scheduled",
    "published",
    "restored",
    "archived",
    "imported",
    "discarded",
)


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


FILLED = [  # (name, column with the server default it has only while being added)
    ("origin", sa.Column("origin", sa.String(length=8), nullable=False, server_default="file")),
    ("content_sha256", sa.Column("content_sha256", sa.String(length=64), nullable=False, server_default="")),
    ("change_note", sa.Column("change_note", sa.Text(), nullable=False, server_default="")),
    ("writer_ids", sa.Column("writer_ids", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))),
    ("saves", sa.Column("saves", sa.Integer(), nullable=False, server_default="0")),
    ("review_comment", sa.Column("review_comment", sa.Text(), nullable=False, server_default="")),
]


def upgrade():
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("revision_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("times", sa.Integer(), nullable=False),
        sa.CheckConstraint(_in("action", ACTIONS), name=op.f("ck_audit_events_action")),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name=op.f("fk_audit_events_document_id_documents")),
        sa.ForeignKeyConstraint(["revision_id"], ["revisions.id"], name=op.f("fk_audit_events_revision_id_revisions")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_audit_events_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("revisions", schema=None) as batch_op:
        for _, column in FILLED:
            batch_op.add_column(column)
        batch_op.add_column(sa.Column("base_revision_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("restored_from_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("submitted_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("reviewer_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("publish_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_revisions_base_revision_id_revisions"), "revisions", ["base_revision_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_revisions_restored_from_id_revisions"), "revisions", ["restored_from_id"], ["id"]
        )
        batch_op.create_foreign_key(batch_op.f("fk_revisions_reviewer_id_users"), "users", ["reviewer_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_revisions_publish_at"), ["publish_at"], unique=False)
        batch_op.drop_constraint(batch_op.f("ck_revisions_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_revisions_status"), _in("status", STATUSES))
        batch_op.create_check_constraint(batch_op.f("ck_revisions_origin"), _in("origin", ORIGINS))

    with op.batch_alter_table("revision_steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_revision_steps_content_hash"), ["content_hash"], unique=False)

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notifications_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_notifications_kind"), _in("kind", NOTIFICATIONS))

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft_revision_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_documents_draft_revision_id_revisions"), "revisions", ["draft_revision_id"], ["id"]
        )

    _fill_existing_rows()

    with op.batch_alter_table("revisions", schema=None) as batch_op:
        for name, column in FILLED:
            batch_op.alter_column(name, existing_type=column.type, existing_nullable=False, server_default=None)
        batch_op.alter_column("updated_at", existing_type=sa.DateTime(), nullable=False)
    with op.batch_alter_table("revision_steps", schema=None) as batch_op:
        batch_op.alter_column(
            "content_hash", existing_type=sa.String(length=64), existing_nullable=False, server_default=None
        )


def _fill_existing_rows():
    from guidance.content import parse_document  # the parser publishing uses, so hashes agree

    connection = op.get_bind()
    revisions = sa.table(
        "revisions",
        sa.column("id", sa.Integer),
        sa.column("source", sa.Text),
        sa.column("source_path", sa.String),
        sa.column("author_id", sa.Integer),
        sa.column("origin", sa.String),
        sa.column("content_sha256", sa.String),
        sa.column("created_at", sa.DateTime),
        sa.column("updated_at", sa.DateTime),
    )
    steps = sa.table(
        "revision_steps", sa.column("revision_id", sa.Integer), sa.column("key", sa.String), sa.column("content_hash")
    )
    rows = connection.execute(
        sa.select(revisions.c.id, revisions.c.source, revisions.c.source_path, revisions.c.author_id)
    ).all()
    for revision_id, source, path, author_id in rows:
        connection.execute(
            revisions.update()
            .where(revisions.c.id == revision_id)
            .values(
                origin="app" if author_id is not None else "file",
                content_sha256=hashlib.sha256(source.encode("utf-8")).hexdigest(),
                updated_at=revisions.c.created_at,
            )
        )
        parsed, _ = parse_document(source, path or "document.md")
        for step in parsed.steps:
            connection.execute(
                steps.update()
                .where(steps.c.revision_id == revision_id, steps.c.key == step.id)
                .values(content_hash=step.content_hash)
            )


def downgrade():
    revisions = sa.table("revisions", sa.column("status", sa.String))
    # Only drafts and published revisions existed before: the rest were drafts in some state.
    op.get_bind().execute(revisions.update().where(revisions.c.status.not_in(OLD_STATUSES)).values(status="draft"))
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_documents_draft_revision_id_revisions"), type_="foreignkey")
        batch_op.drop_column("draft_revision_id")
    with op.batch_alter_table("revision_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revision_steps_content_hash"))
        batch_op.drop_column("content_hash")
    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_revisions_origin"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_revisions_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_revisions_status"), _in("status", OLD_STATUSES))
        batch_op.drop_index(batch_op.f("ix_revisions_publish_at"))
        batch_op.drop_constraint(batch_op.f("fk_revisions_reviewer_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_revisions_restored_from_id_revisions"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_revisions_base_revision_id_revisions"), type_="foreignkey")
        for column in (
            "updated_at",
            "publish_at",
            "reviewed_at",
            "reviewer_id",
            "submitted_at",
            "restored_from_id",
            "base_revision_id",
            *[name for name, _ in FILLED],
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        for name in ("user_id", "document_id", "created_at", "action"):
            batch_op.drop_index(batch_op.f(f"ix_audit_events_{name}"))
    op.drop_table("audit_events")
