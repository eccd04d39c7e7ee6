"""Review: an author submits a draft with a change note; a reviewer approves it (publishing it
now or at a set time) or returns it with a comment the author sees.

Reviewers are admins, and, when GUIDANCE_AUTHORS_APPROVE is on, any author who did not write
the draft. A draft never goes live over a revision published after it started: the reviewer
is told to return it, so the author brings those changes across first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import AuditAction, Document, Notification, NotificationKind, Revision, RevisionStatus, Role, User
from ..models._base import utcnow
from . import audit, inbox
from .drafts import DraftConflict, DraftError, claim, clean_note
from .publishing import Publication, SourceProblems, assign_number, publish
from .validation import problems_of


class StaleDraft(Exception):
    """A newer revision went live after the draft started; `published` is that revision."""

    def __init__(self, draft: Revision, published: Revision):
        super().__init__(
            f"This draft started from revision {draft.base_revision.number if draft.base_revision else 'none'}, "
            f"but revision {published.number} went live since."
        )
        self.draft = draft
        self.published = published


def writer_names(draft: Revision) -> list[str]:
    ids = draft.writer_ids or []
    names = dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all()) if ids else {}
    return [names[i] for i in ids if i in names]


def notify_writers(draft: Revision, kind: NotificationKind, message: str, url: str, besides: User | None) -> None:
    """Tell everyone who wrote the draft (but `besides`, who did it) what became of it. The caller
    commits. URLs are paths built here: a scheduled publication has no request to build them from."""
    for writer_id in draft.writer_ids or []:
        if besides is None or writer_id != besides.id:
            db.session.add(
                Notification(
                    user_id=writer_id,
                    kind=kind,
                    message=message,
                    url=url,
                    document_id=draft.document_id,
                    revision_id=draft.id,
                )
            )


def notify_published(document: Document, draft: Revision, by: User | None) -> None:
    """Before publish() commits: the writers hear that their draft is live, under its number."""
    assign_number(document, draft)
    message = f"Your draft of '{document.title}' is live as revision {draft.number}."
    notify_writers(draft, NotificationKind.PUBLISHED, message, f"/d/{document.slug}", by)


def can_review(user: User, draft: Revision, authors_approve: bool) -> bool:
    if user.has_role(Role.ADMIN):
        return True
    return authors_approve and user.has_role(Role.AUTHOR) and user.id not in (draft.writer_ids or [])


def check_publishable(document: Document, draft: Revision) -> None:
    """Raise SourceProblems or StaleDraft when the draft may not go live as it is."""
    blocking = [problem for problem in problems_of(draft.source, draft.source_path) if problem.blocking]
    if blocking:
        raise SourceProblems(blocking)
    published = document.published_revision
    if published is not None and draft.base_revision_id != published.id:
        raise StaleDraft(draft, published)


def submit(document: Document, user: User, change_note: str) -> Revision:
    """Send the open draft for review. Raises DraftError, SourceProblems or StaleDraft."""
    draft = document.draft_revision
    if draft is None:
        raise DraftError("There is no draft to submit: change the text first.")
    if draft.status not in (RevisionStatus.DRAFT, RevisionStatus.RETURNED):
        raise DraftError("This draft is already waiting for review.")
    note = clean_note(change_note, "a change note saying what changed and why", required=True)
    check_publishable(document, draft)
    draft.status = RevisionStatus.IN_REVIEW
    draft.change_note = note
    draft.submitted_at = draft.updated_at = utcnow()
    audit.record(AuditAction.SUBMITTED, user=user, document=document, revision=draft, detail=note)
    db.session.commit()
    return draft


def _in_review(document: Document, reviewer: User, draft_id: int | None, saves: int | None, authors_approve: bool):
    draft = document.draft_revision
    if draft is None or draft.status != RevisionStatus.IN_REVIEW:
        raise DraftError("There is no draft waiting for review.")
    if draft.id != draft_id or draft.saves != saves:
        raise DraftConflict(draft, "", "The draft changed after you opened it: read it again.")
    if not can_review(reviewer, draft, authors_approve):
        raise PermissionError("You wrote part of this draft, so someone else reviews it.")
    return draft


def approve(
    document: Document,
    reviewer: User,
    *,
    draft_id: int | None,
    saves: int | None,
    authors_approve: bool,
    publish_at: datetime | None = None,
    comment: str = "",
    item_ids: list[str] | None = None,
) -> Revision:
    """Approve the draft in review: publish it now, or schedule it for `publish_at` (UTC).

    `item_ids`: inbox items the revision addresses (published now only: agents are told when
    their note changed the guidance, which a scheduled draft has not done yet).
    """
    draft = _in_review(document, reviewer, draft_id, saves, authors_approve)
    comment = clean_note(comment, "a comment", required=False)
    check_publishable(document, draft)
    now = utcnow()
    scheduled = publish_at is not None and publish_at > now
    if not claim(draft, RevisionStatus.IN_REVIEW, RevisionStatus.SCHEDULED if scheduled else RevisionStatus.PUBLISHED):
        db.session.rollback()
        raise DraftConflict(draft, "", "Someone decided on this draft a moment ago: read it again.")
    draft.reviewer_id, draft.reviewed_at, draft.review_comment = reviewer.id, now, comment
    audit.record(AuditAction.APPROVED, user=reviewer, document=document, revision=draft, detail=comment)
    if scheduled:
        draft.publish_at = publish_at
        audit.record(
            AuditAction.SCHEDULED,
            user=reviewer,
            document=document,
            revision=draft,
            detail=f"{publish_at:%Y-%m-%d %H:%M} UTC",
        )
        db.session.commit()
        from .schedule import expect_due  # this worker publishes it on time without asking the database

        expect_due(publish_at)
        return draft
    items = inbox.items_by_ids(item_ids or [])
    if any(item.document_id != document.id for item in items):
        raise DraftError("Some of the chosen items belong to another document.")
    notify_published(document, draft, reviewer)
    publish([Publication(document, draft, detail=f"approved by {reviewer.username}", addresses=items)], reviewer)
    return draft


def return_draft(
    document: Document, reviewer: User, *, draft_id: int | None, saves: int | None, authors_approve: bool, comment: str
) -> Revision:
    """Send the draft back to its writers with a comment saying what to change."""
    draft = _in_review(document, reviewer, draft_id, saves, authors_approve)
    draft.review_comment = clean_note(comment, "a comment telling the author what to change", required=True)
    if not claim(draft, RevisionStatus.IN_REVIEW, RevisionStatus.RETURNED):
        db.session.rollback()
        raise DraftConflict(draft, "", "Someone decided on this draft a moment ago: read it again.")
    draft.reviewer_id, draft.reviewed_at = reviewer.id, utcnow()
    audit.record(AuditAction.RETURNED, user=reviewer, document=document, revision=draft, detail=draft.review_comment)
    message = f"Your draft of '{document.title}' was returned by {reviewer.username}: {draft.review_comment}"
    notify_writers(draft, NotificationKind.RETURNED, message, f"/d/{document.slug}/edit", reviewer)
    db.session.commit()
    return draft
