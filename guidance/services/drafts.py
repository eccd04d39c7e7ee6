"""Drafts: the one open revision of a document that authors write together before review.

A draft is saved over and over (by the editor's Save button, Ctrl+S and autosave). Each save
names the draft and the save it started from; when someone else saved in between, the save is
refused as a DraftConflict carrying both texts, so nobody's typing silently replaces another's.
"""

from __future__ import annotations

from sqlalchemy import select, update

from ..content import parse_document
from ..content.model import MAX_NAME
from ..extensions import db
from ..models import AuditAction, Document, Revision, RevisionOrigin, RevisionStatus, User
from ..models._base import utcnow
from . import audit
from .publishing import new_revision, next_number, sha256

MAX_SOURCE_BYTES = 1_000_000
MAX_NOTE = 2000  # a change note or a review comment
READ_ONLY = (RevisionStatus.IN_REVIEW, RevisionStatus.SCHEDULED)


class DraftError(ValueError):
    """Input the author can fix: the message says what. Nothing was saved."""


class DraftConflict(Exception):
    """Someone saved (or published) since this editor loaded: `theirs` is what is saved now."""

    def __init__(self, theirs: Revision | None, mine: str, message: str):
        super().__init__(message)
        self.theirs = theirs
        self.mine = mine


def clean_source(source: str) -> str:
    source = (source or "").replace("\r\n", "\n")
    size = len(source.encode("utf-8"))
    if size > MAX_SOURCE_BYTES:
        raise DraftError(
            f"The text is {size:,} bytes; a document can be at most {MAX_SOURCE_BYTES:,} bytes (1 MB). "
            "Split it into several documents. Nothing was saved; your text is still in the editor."
        )
    return source


def clean_note(text: str, what: str, required: bool) -> str:
    """A change note or review comment as saved, or DraftError saying what to fix."""
    text = (text or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise DraftError(f"Write {what} first.")
    if len(text) > MAX_NOTE:
        raise DraftError(
            f"{what[0].upper() + what[1:]} can be at most {MAX_NOTE:,} characters; this one has {len(text):,}."
        )
    return text


def path_of(document: Document) -> str:
    draft = document.draft_revision or document.published_revision
    return draft.source_path if draft is not None and draft.source_path else f"{document.slug}.md"


def editable(slug: str) -> Document | None:
    """Any document, published, archived or only drafted: authors edit them all."""
    return db.session.scalar(select(Document).where(Document.slug == slug))


def save(
    document: Document,
    source: str,
    user: User,
    *,
    draft_id: int | None,
    saves: int | None,
    base_number: int | None = None,
    note: str | None = None,
) -> Revision:
    """Save `source` into the open draft (starting one if there is none) and commit.

    `draft_id` and `saves` say which draft, and which save of it, the editor loaded (None when
    it loaded the published text); `base_number` the published revision the author has seen,
    which becomes the draft's base when the author brought a newer publication's changes across.
    `note` is the change note typed so far (None leaves it as it is). Raises DraftError (too
    big, not editable now) or DraftConflict.
    """
    source = clean_source(source)
    note = None if note is None else clean_note(note, "a change note", required=False)
    draft = document.draft_revision
    published = document.published_revision
    if draft is None:
        if draft_id is not None:
            raise DraftConflict(published, source, "The draft you were editing was published or discarded meanwhile.")
        if published is not None and base_number != published.number:
            raise DraftConflict(published, source, f"Revision {published.number} went live while you were editing.")
        if published is not None and source == published.source:
            raise DraftError("The text is the same as the published revision, so there is no draft to save yet.")
        return _start(document, source, user, published, note or "")
    if draft_id != draft.id or saves != draft.saves:
        raise DraftConflict(draft, source, _who_saved(draft))
    if draft.status in READ_ONLY:
        raise DraftError("This draft is waiting for review or publication: withdraw it first to change it.")
    if note is not None and note != draft.change_note:
        draft.change_note = note
    if published is not None and base_number == published.number and draft.base_revision_id != published.id:
        draft.base_revision = published  # the author has brought the newer revision's changes across
    elif source == draft.source:
        db.session.commit()  # the change note, if that is what changed
        return draft
    changed = db.session.execute(
        update(Revision)
        .where(Revision.id == draft.id, Revision.saves == draft.saves)
        .values(source=source, content_sha256=sha256(source), saves=Revision.saves + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # another save landed between reading and writing
        db.session.rollback()
        db.session.refresh(draft)
        raise DraftConflict(draft, source, _who_saved(draft))
    db.session.refresh(draft, ["source", "saves", "updated_at"])
    _name_unpublished(document, source)
    if user.id not in draft.writer_ids:
        draft.writer_ids = [*draft.writer_ids, user.id]
    audit.record(AuditAction.EDITED, user=user, document=document, revision=draft)
    db.session.commit()
    return draft


def _name_unpublished(document: Document, source: str) -> None:
    """A document not yet published is listed under its draft's title and kind (agents see
    neither); a published one keeps its published title until the draft goes live."""
    if document.published_revision_id is None:
        parsed = parse_document(source, path_of(document))[0]
        document.title, document.kind = parsed.title[:MAX_NAME], parsed.kind


def _start(document: Document, source: str, user: User, base: Revision | None, note: str) -> Revision:
    draft = new_revision(
        document, source, origin=RevisionOrigin.APP, author=user, source_path=path_of(document), change_note=note
    )
    draft.number = next_number(document)
    draft.base_revision = base
    draft.saves = 1
    db.session.add(draft)
    db.session.flush()
    claimed = db.session.execute(
        update(Document)
        .where(Document.id == document.id, Document.draft_revision_id.is_(None))
        .values(draft_revision_id=draft.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # two people started a draft at once: the other one was first
        db.session.rollback()
        db.session.refresh(document)
        raise DraftConflict(document.draft_revision, source, _who_saved(document.draft_revision))
    db.session.refresh(document, ["draft_revision_id"])
    _name_unpublished(document, source)
    audit.record(AuditAction.EDITED, user=user, document=document, revision=draft)
    db.session.commit()
    return draft


def _who_saved(draft: Revision | None) -> str:
    if draft is None:
        return "The draft was published or discarded meanwhile."
    who = draft.author.username if draft.author else "someone"
    last = db.session.get(User, draft.writer_ids[-1]) if draft.writer_ids else None
    who = last.username if last else who
    return f"{who} saved this draft at {draft.updated_at:%H:%M} UTC, after you opened it."


def claim(draft: Revision, expected: RevisionStatus, status: RevisionStatus) -> bool:
    """Move the draft from `expected` to `status` in the caller's transaction, unless someone did
    first (two reviewers approving at once, two workers publishing what is due): the database
    orders the two writes, and the second finds nothing to move."""
    moved = db.session.execute(
        update(Revision)
        .where(Revision.id == draft.id, Revision.status == expected)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        return False
    draft.status = status
    return True


def discard(document: Document, user: User) -> Revision:
    """Throw the open draft away (it stays in the history, marked discarded)."""
    draft = document.draft_revision
    if draft is None:
        raise DraftError("There is no open draft to discard.")
    draft.status = RevisionStatus.DISCARDED
    draft.updated_at = utcnow()
    document.draft_revision = None
    audit.record(AuditAction.DISCARDED, user=user, document=document, revision=draft)
    db.session.commit()
    return draft


def withdraw(document: Document, user: User) -> Revision:
    """Take a draft back from review (or from its schedule) to change it."""
    draft = document.draft_revision
    if draft is None or draft.status not in READ_ONLY:
        raise DraftError("There is no draft waiting for review or publication.")
    draft.status = RevisionStatus.DRAFT
    draft.publish_at = None
    draft.updated_at = utcnow()
    audit.record(AuditAction.WITHDRAWN, user=user, document=document, revision=draft)
    db.session.commit()
    return draft
