"""What a step page needs besides its revision, read in one query: the pin, the unread
notifications, the content generation, and whether there is any feedback to read at all."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, or_, select

from ..extensions import db
from ..models import ContentState, Document, Notification, Pin, Role, StepNote, StepRating, User


@dataclass(frozen=True)
class StepState:
    pinned: bool
    unread: int  # notifications, for the page's header
    generation: int  # the content generation: other documents' kinds, which links depend on
    any_notes: bool  # any note the user may see on this step or on one the revision no longer has
    any_ratings: bool  # any rating of the user's on this step, on any revision


def _statements():
    # Built once: building a statement cost more than running it.
    user_id, document_id = bindparam("user_id"), bindparam("document_id")
    pinned = select(Pin.user_id).where(Pin.user_id == user_id, Pin.document_id == document_id).exists()
    unread = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    generation = select(ContentState.generation).limit(1).scalar_subquery()
    notes = select(StepNote.id).where(
        StepNote.document_id == document_id,
        or_(
            StepNote.step_key == bindparam("step_key"), StepNote.step_key.not_in(bindparam("step_keys", expanding=True))
        ),
    )
    ratings = select(StepRating.id).where(
        StepRating.user_id == user_id,
        StepRating.document_id == document_id,
        StepRating.step_key == bindparam("step_key"),
    )
    shown_to_anyone = notes.where(or_(StepNote.user_id == user_id, StepNote.shared))
    return {
        see_all: select(pinned, unread, generation, (notes if see_all else shown_to_anyone).exists(), ratings.exists())
        for see_all in (True, False)
    }


_STATE = _statements()


def step_state(document: Document, step_key: str, step_keys: list[str], user: User) -> StepState:
    """`step_keys`: the revision's steps (a note on another is on a removed step)."""
    values = {"user_id": user.id, "document_id": document.id, "step_key": step_key, "step_keys": step_keys}
    row = db.session.execute(_STATE[user.has_role(Role.ADMIN)], values).one()
    return StepState(bool(row[0]), row[1] or 0, row[2] or 0, bool(row[3]), bool(row[4]))
