"""An admin's direct publish from the editor, linked to the feedback it addresses.

Admins harvest feedback into revisions without a second reviewer: the text goes live as the next
revision, but only over the revision the admin started from (a stale edit is an EditConflict,
never an overwrite), and the agents whose notes it addresses are told their note changed the
guidance. When the document has an open draft, that draft is what is published.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..extensions import db
from ..models import Document, Revision, RevisionOrigin, User
from . import inbox
from .drafts import DraftConflict, clean_note, clean_source, path_of
from .feedback import FeedbackError
from .publishing import Publication, SourceProblems, new_revision, publish, sha256
from .validation import problems_of


class EditConflict(Exception):
    """The document has a newer revision than the one the edit started from."""

    def __init__(self, current: Revision):
        super().__init__(f"revision {current.number} was published since")
        self.current = current


# The name the edit form has always used for a text with blocking problems.
EditProblems = SourceProblems


@dataclass
class EditResult:
    revision: Revision
    incorporated: int


def publish_edit(
    document: Document,
    source: str,
    base_number: int | None,
    user: User,
    item_ids: list[str],
    *,
    change_note: str = "",
    draft_id: int | None = None,
    saves: int | None = None,
) -> EditResult:
    """Check and publish `source` as the document's next revision; link the chosen feedback items.

    Raises EditConflict when the document moved on since `base_number`, DraftConflict when
    someone saved the open draft since `draft_id`/`saves`, EditProblems when the text has
    blocking problems, FeedbackError or DraftError for other input mistakes. Commits on success.
    """
    current = document.published_revision
    if current is not None and base_number != current.number:
        raise EditConflict(current)
    source = clean_source(source)
    note = clean_note(change_note, "a change note", required=False)
    if current is not None and source == current.source:
        raise FeedbackError("The text is unchanged, so there is nothing to publish.")
    blocking = [p for p in problems_of(source, path_of(document)) if p.blocking]
    if blocking:
        raise EditProblems(blocking)
    items = inbox.items_by_ids(item_ids)
    if any(item.document_id != document.id for item in items):
        raise FeedbackError("Some of the chosen items belong to another document.")
    draft = document.draft_revision
    if draft is not None:
        if draft.id != draft_id or draft.saves != saves:
            raise DraftConflict(draft, source, "Someone saved the open draft after you opened it.")
        revision = draft
        revision.source, revision.content_sha256 = source, sha256(source)
        revision.change_note = note or revision.change_note
        if user.id not in revision.writer_ids:
            revision.writer_ids = [*revision.writer_ids, user.id]
        revision.base_revision = current
    else:
        revision = new_revision(
            document, source, origin=RevisionOrigin.APP, author=user, source_path=path_of(document), change_note=note
        )
        revision.base_revision = current
        db.session.add(revision)
    detail = f"published directly by {user.username}" + (f"; addresses {len(items)} feedback item(s)" if items else "")
    [done] = publish([Publication(document, revision, detail=detail, addresses=items)], user)
    return EditResult(revision, done.incorporated)
