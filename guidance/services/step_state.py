"""What a step page needs besides its revision, read in one query: the pin, the unread
notifications, the content generation, and whether there is any feedback to read at all;
preview_state reads it with the document's ids, found by slug, for a kept page (views/_kept.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, bindparam, func, or_, select

from ..extensions import db
from ..models import ContentState, Document, Notification, Pin, RevisionStep, Role, StepNote, StepRating, User


@dataclass(frozen=True)
class StepState:
    pinned: bool
    unread: int  # notifications, for the page's header
    generation: int  # the content generation: other documents' kinds, which links depend on
    any_notes: bool  # any note the user may see on this step or on one the revision no longer has
    any_ratings: bool  # any rating of the user's on this step, on any revision


def _state_columns(document_id, on_a_removed_step, see_all: bool, step_key=None) -> tuple:
    """The state's five columns, for the document `document_id` (a parameter, or the column of
    an enclosing query); `on_a_removed_step` tells a note on a step the revision no longer has;
    `step_key`, the step's key when it is not the parameter of that name."""
    user_id, step_key = bindparam("user_id"), step_key if step_key is not None else bindparam("step_key")
    pinned = select(Pin.user_id).where(Pin.user_id == user_id, Pin.document_id == document_id).exists()
    unread = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    generation = select(ContentState.generation).limit(1).scalar_subquery()
    notes = select(StepNote.id).where(
        StepNote.document_id == document_id, or_(StepNote.step_key == step_key, on_a_removed_step)
    )
    if not see_all:
        notes = notes.where(or_(StepNote.user_id == user_id, StepNote.shared))
    ratings = select(StepRating.id).where(
        StepRating.user_id == user_id, StepRating.document_id == document_id, StepRating.step_key == step_key
    )
    return pinned, unread, generation, notes.exists(), ratings.exists()


def _statements():
    # Built once: building a statement cost more than running it.
    removed = StepNote.step_key.not_in(bindparam("step_keys", expanding=True))
    return {see_all: select(*_state_columns(bindparam("document_id"), removed, see_all)) for see_all in (True, False)}


_STATE = _statements()


def step_state(document: Document, step_key: str, step_keys: list[str], user: User) -> StepState:
    """`step_keys`: the revision's steps (a note on another is on a removed step)."""
    values = {"user_id": user.id, "document_id": document.id, "step_key": step_key, "step_keys": step_keys}
    row = db.session.execute(_STATE[user.has_role(Role.ADMIN)], values).one()
    return StepState(bool(row[0]), row[1] or 0, row[2] or 0, bool(row[3]), bool(row[4]))


@dataclass(frozen=True)
class Preview:
    """A published document as a reader may see it, at one of its steps, without loading the
    document: what a kept step page (views/_kept.py) needs to be filled, and the pin and unread
    count any page of it shows. Only a process has steps."""

    document_id: int
    slug: str
    revision_id: int
    step_key: str | None  # the step asked for, or the first step (None: the revision has none)
    state: StepState


def _preview_statements():
    # The state with the document found by its slug in the same query, as get_document finds it;
    # a removed step is one without a revision_steps row in the published revision.
    document = Document.__table__
    still_a_step = (
        select(RevisionStep.id)
        .where(RevisionStep.revision_id == document.c.published_revision_id, RevisionStep.key == StepNote.step_key)
        .correlate(document, StepNote)  # said outright: auto-correlation reaches one level up only
    )
    first_step = (
        select(RevisionStep.key)
        .where(RevisionStep.revision_id == document.c.published_revision_id, RevisionStep.position == 0)
        .correlate(document)
        .scalar_subquery()
    )
    step_key = func.coalesce(bindparam("step_key", type_=String), first_step)  # no key: the page opens the first
    found = (document.c.slug == bindparam("slug"), document.c.published_revision_id.is_not(None))
    limited = (*found, or_(document.c.audience == "", document.c.audience.contains(bindparam("audience"))))
    ids = (document.c.id, document.c.slug, document.c.published_revision_id, step_key)
    return {
        (see_all, reads_all): select(
            *ids, *_state_columns(document.c.id, ~still_a_step.exists(), see_all, step_key)
        ).where(*(found if reads_all else limited))
        for see_all in (True, False)
        for reads_all in (True, False)
    }


_PREVIEW = _preview_statements()


def preview_state(slug: str, step_key: str | None, user: User) -> Preview | None:
    """None when there is no such published document or `user` may not read it (as
    services/documents.get_document decides). With no `step_key`, the state on its first step."""
    statement = _PREVIEW[user.has_role(Role.ADMIN), user.has_role(Role.AUTHOR)]
    values = {"user_id": user.id, "slug": slug, "step_key": step_key, "audience": f",{user.role},"}
    row = db.session.connection().execute(statement, values).first()
    if row is None:
        return None
    state = StepState(bool(row[4]), row[5] or 0, row[6] or 0, bool(row[7]), bool(row[8]))
    return Preview(row[0], row[1], row[2], row[3], state)
