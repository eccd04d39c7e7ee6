"""What an admin does to the items ticked in the inbox: accept, dismiss, reopen or mark them
incorporated, all of them in one commit or none of them."""

from __future__ import annotations

from dataclasses import dataclass

from ..extensions import db
from ..models import FeedbackStatus, Revision, User
from .feedback import FeedbackError
from .inbox import Item, incorporate, items_by_ids, set_status

STATUS_OF_ACTION = {
    "accept": FeedbackStatus.ACCEPTED,
    "dismiss": FeedbackStatus.DISMISSED,
    "reopen": FeedbackStatus.NEW,
}


class NothingSelected(FeedbackError):
    """None of the submitted ids names an item (none ticked, or only ones that no longer exist)."""


@dataclass
class BulkResult:
    count: int
    status: str  # the status the items have now
    revision: Revision | None = None  # the revision they were incorporated in


def apply_bulk(item_ids: list[str], action: str, admin: User, reason: str = "") -> BulkResult:
    """Apply `action` (accept, dismiss, reopen, incorporate) to the items and commit.

    Raises NothingSelected when no id names an item, FeedbackError when the action cannot apply
    to these items; either way nothing is written.
    """
    items = items_by_ids(item_ids)
    if not items:
        raise NothingSelected("Select at least one item first.")
    try:
        if action == "incorporate":
            revision = _revision_to_incorporate(items)
            result = BulkResult(incorporate(items, revision, admin), FeedbackStatus.INCORPORATED, revision)
        else:
            status = STATUS_OF_ACTION.get(action, "")
            result = BulkResult(set_status(items, status, admin, reason), status)
    except FeedbackError:
        db.session.rollback()
        raise
    db.session.commit()
    return result


def _revision_to_incorporate(items: list[Item]) -> Revision:
    """The published revision the items were made before: one document's, newer than all of them."""
    revisions = {item.document.published_revision for item in items}
    if None in revisions or len({r.document_id for r in revisions}) != 1:
        raise FeedbackError("Mark items of one published document at a time as incorporated.")
    revision = revisions.pop()
    if any(item.revision.number >= revision.number for item in items):
        raise FeedbackError(
            f"Revision {revision.number} is the one these items were made on (or older): "
            "publish a new revision first, from the edit form or an import."
        )
    return revision
