"""A document's history: every revision with who, when, why and what it addressed; comparing
two revisions; restoring an old one (as a new revision: history is never rewritten)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from ..extensions import db
from ..models import AuditAction, Document, Revision, RevisionOrigin, RevisionStatus, Role, StepNote, StepRating, User
from ..models._base import utcnow
from . import audit
from .drafts import DraftError, path_of
from .publishing import Publication, new_revision, next_number, publish


def revisions(document: Document) -> list[Revision]:
    """Newest first: published ones by number, the open draft and discarded drafts among them."""
    query = select(Revision).where(Revision.document_id == document.id)
    return list(db.session.scalars(query.order_by(Revision.number.desc(), Revision.id.desc())))


def revision(document: Document, number: int) -> Revision | None:
    return db.session.scalar(select(Revision).where(Revision.document_id == document.id, Revision.number == number))


def addressed(document: Document) -> dict[int, list[StepNote | StepRating]]:
    """Revision id -> the inbox items it was published to address."""
    found: dict[int, list[StepNote | StepRating]] = defaultdict(list)
    for model in (StepNote, StepRating):
        rows = db.session.scalars(
            select(model).where(model.document_id == document.id, model.resolved_revision_id.is_not(None))
        )
        for item in rows:
            found[item.resolved_revision_id].append(item)
    return found


def restore(document: Document, old: Revision, user: User) -> Revision:
    """Bring back an old revision's text. An admin publishes it at once as a new revision; an
    author starts a draft from it, which goes through review like any other change."""
    if old.document_id != document.id or old.status != RevisionStatus.PUBLISHED:
        raise DraftError("Only a revision that was published can be restored.")
    published = document.published_revision
    if published is not None and published.source == old.source:
        raise DraftError(f"Revision {old.number} says exactly what the published revision says.")
    note = f"Restored revision {old.number}"
    if not user.has_role(Role.ADMIN):
        return _draft_from(document, old, user, note)
    if document.draft_revision is not None:
        raise DraftError("Finish or discard the open draft first: restoring would publish over it.")
    restored = new_revision(
        document,
        old.source,
        origin=RevisionOrigin.APP,
        author=user,
        source_path=path_of(document),
        change_note=note,
        restored_from=old,
    )
    publish([Publication(document, restored, AuditAction.RESTORED, note)], user)
    return restored


def _draft_from(document: Document, old: Revision, user: User, note: str) -> Revision:
    if document.draft_revision is not None:
        raise DraftError("There is an open draft already: discard it first, or copy from this revision by hand.")
    draft = new_revision(
        document,
        old.source,
        origin=RevisionOrigin.APP,
        author=user,
        source_path=path_of(document),
        change_note=note,
        restored_from=old,
    )
    draft.number = next_number(document)
    draft.base_revision = document.published_revision
    draft.saves = 1
    draft.updated_at = utcnow()
    document.draft_revision = draft
    audit.record(AuditAction.RESTORED, user=user, document=document, revision=draft, detail=f"{note} as a draft")
    db.session.commit()
    return draft
