"""Agents' notes and ratings on process steps, and what each person sees of them on a step."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    Document,
    FeedbackStatus,
    Notification,
    RatingReason,
    Revision,
    RevisionStatus,
    RevisionStep,
    Role,
    StepNote,
    StepRating,
    User,
)
from ..models._base import utcnow
from . import learning
from .health import scores

MAX_NOTE = 4000
MAX_COMMENT = 2000
REASONS = {  # what the form shows for each reason, in this order
    RatingReason.WRONG: "Wrong",
    RatingReason.UNCLEAR: "Unclear",
    RatingReason.OUTDATED: "Out of date",
    RatingReason.MISSING: "Missing a step",
    RatingReason.OTHER: "Other",
}


class FeedbackError(ValueError):
    """Input the agent can fix: the message says what."""


# ---- where feedback attaches -------------------------------------------------------------


def revision_for_step(document: Document, revision_id: int | None, step_key: str) -> Revision:
    """The published revision of `document` the agent was looking at, which must have the step."""
    revision = db.session.get(Revision, revision_id) if revision_id else document.published_revision
    if revision is None or revision.document_id != document.id or revision.status != RevisionStatus.PUBLISHED:
        raise FeedbackError("That revision is not one of this document's.")
    if not any(step.key == step_key for step in revision.steps):
        raise FeedbackError(f"Revision {revision.number} of this process has no step '{step_key}'.")
    return revision


def step_titles(document_ids: set[int]) -> dict[tuple[int, str], tuple[str, bool]]:
    """(document id, step key) -> (title, still in the published revision), over all revisions.

    A removed step keeps the title it had in the last revision that had it.
    """
    if not document_ids:
        return {}
    rows = db.session.execute(
        select(
            Revision.document_id,
            RevisionStep.key,
            RevisionStep.title,
            Revision.number,
            Document.published_revision_id == Revision.id,
        )
        .join(RevisionStep, RevisionStep.revision_id == Revision.id)
        .join(Document, Document.id == Revision.document_id)
        .where(Revision.document_id.in_(document_ids))
        .order_by(Revision.number)
    )
    titles: dict[tuple[int, str], tuple[str, bool]] = {}
    current: set[tuple[int, str]] = set()
    for document_id, key, title, _, is_current in rows:
        titles[(document_id, key)] = (title, False)
        if is_current:
            current.add((document_id, key))
    return {k: (title, k in current) for k, (title, _) in titles.items()}


# ---- notes -------------------------------------------------------------------------------


def clean_note(body: str) -> str:
    """The note as saved (newlines normalised, no blank ends), or FeedbackError saying what to fix."""
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise FeedbackError("Write something in the note first.")
    if len(body) > MAX_NOTE:
        raise FeedbackError(
            f"A note can be at most {MAX_NOTE:,} characters; this one has {len(body):,}. "
            "Shorten it, or split it into two notes."
        )
    return body


def add_note(
    user: User, document: Document, revision: Revision, step_key: str, body: str, shared: bool = False
) -> StepNote:
    note = StepNote(
        document_id=document.id,
        revision_id=revision.id,
        step_key=step_key,
        user_id=user.id,
        body=clean_note(body),
        shared=shared,
    )
    db.session.add(note)
    db.session.commit()
    return note


def get_note(note_id: int, user: User) -> StepNote | None:
    """The note if `user` may see it: their own, a shared one, or any for an admin."""
    note = db.session.get(StepNote, note_id)
    if note is None or not (note.user_id == user.id or note.shared or user.has_role(Role.ADMIN)):
        return None
    return note


def update_note(user: User, note: StepNote, body: str, shared: bool) -> StepNote:
    if note.user_id != user.id:
        raise PermissionError("only the author of a note can change it")
    note.body, note.shared, note.updated_at = clean_note(body), shared, utcnow()
    db.session.commit()
    return note


def delete_note(user: User, note: StepNote) -> None:
    if note.user_id != user.id:
        raise PermissionError("only the author of a note can delete it")
    db.session.delete(note)
    db.session.commit()


# ---- ratings -----------------------------------------------------------------------------


def clean_complaint(reason: str | None, comment: str) -> tuple[str | None, str]:
    """A thumbs down's reason (a REASONS key, or None) and comment as saved, or FeedbackError."""
    reason = reason or None
    comment = (comment or "").replace("\r\n", "\n").strip()
    if reason is not None and reason not in REASONS:
        raise FeedbackError("Choose one of the listed reasons.")
    if len(comment) > MAX_COMMENT:
        raise FeedbackError(f"A comment can be at most {MAX_COMMENT:,} characters; this one has {len(comment):,}.")
    return reason, comment


def rate(
    user: User,
    document: Document,
    revision: Revision,
    step_key: str,
    positive: bool,
    reason: str | None = None,
    comment: str = "",
) -> StepRating:
    """Set the agent's rating of this step on this revision (one each, changeable)."""
    reason, comment = (None, "") if positive else clean_complaint(reason, comment)
    for attempt in range(2):
        rating = db.session.scalar(
            select(StepRating).where(
                StepRating.user_id == user.id, StepRating.revision_id == revision.id, StepRating.step_key == step_key
            )
        )
        if rating is None:
            rating = StepRating(
                document_id=document.id, revision_id=revision.id, step_key=step_key, user_id=user.id, positive=positive
            )
            db.session.add(rating)
        elif rating.positive != positive or (not positive and reason and reason != rating.reason):
            # A changed complaint is a new item for the inbox.
            rating.status, rating.status_reason, rating.resolved_revision_id = FeedbackStatus.NEW, "", None
            rating.handled_by_id = rating.handled_at = None
        rating.positive = positive
        if positive or reason is not None:
            rating.reason, rating.comment = reason, comment
        rating.updated_at = utcnow()
        try:
            db.session.commit()
        except IntegrityError:  # the same agent rating twice at once: the other write won, update it
            db.session.rollback()
            if attempt:
                raise
            continue
        if positive:  # a step that helped: the search that led to it says what the document is for
            learning.observe(user.id, document)
        return rating
    raise AssertionError("unreachable")


# ---- what a step shows -------------------------------------------------------------------


@dataclass
class StepFeedback:
    notes: list[StepNote]
    removed_notes: list[tuple[StepNote, str]]  # notes on steps this revision no longer has, with titles
    rating: StepRating | None  # mine, on the revision shown
    earlier_ratings: list[StepRating]  # mine, on other revisions of this step
    revision: Revision
    revision_numbers: dict[int, int] = field(default_factory=dict)  # revision id -> number
    health: dict[str, tuple[int, int]] | None = None  # admins: step key -> (up, down), published revision


def _step_items():
    """The statements of `step_feedback`, built once: building one cost more than running it."""
    resolved = {
        model: joinedload(model.resolved_revision).load_only(Revision.id, Revision.number)  # the page shows its number
        for model in (StepNote, StepRating)
    }
    notes = (
        select(StepNote, Revision.number)
        .join(Revision, Revision.id == StepNote.revision_id)
        .options(joinedload(StepNote.user), resolved[StepNote])
        .where(
            StepNote.document_id == bindparam("document_id"),
            or_(
                StepNote.step_key == bindparam("step_key"),
                StepNote.step_key.not_in(bindparam("step_keys", expanding=True)),
            ),
        )
        .order_by(StepNote.created_at.desc(), StepNote.id.desc())
    )
    ratings = (
        select(StepRating, Revision.number)
        .join(Revision, Revision.id == StepRating.revision_id)
        .options(resolved[StepRating])
        .where(
            StepRating.user_id == bindparam("user_id"),
            StepRating.document_id == bindparam("document_id"),
            StepRating.step_key == bindparam("step_key"),
        )
        .order_by(StepRating.updated_at.desc())
    )
    # An admin sees every note; anyone else their own and the shared ones.
    return {
        True: notes,
        False: notes.where(or_(StepNote.user_id == bindparam("user_id"), StepNote.shared)),
    }, ratings


_NOTES, _RATINGS = _step_items()


def step_feedback(
    user: User,
    document: Document,
    revision: Revision,
    step_key: str,
    step_keys: list[str],
    notes_exist: bool = True,
    ratings_exist: bool = True,
) -> StepFeedback:
    """Everything the step page shows of notes and ratings, as `user` may see it; `step_keys`
    are the revision's steps (notes on others are on removed steps).

    Up to two queries (a third only when notes sit on removed steps, and one more for an admin's
    step health): each item comes with the number of the revision it was made on and what the
    page shows of it, so the page reads nothing more as it renders. A caller that knows there are
    no notes or ratings to read (services/step_state.py) says so and saves the query.
    """
    values = {"user_id": user.id, "document_id": document.id, "step_key": step_key}
    noted, rated = [], []
    if notes_exist:
        statement = _NOTES[user.has_role(Role.ADMIN)]
        noted = db.session.execute(statement, {**values, "step_keys": step_keys or [step_key]}).all()
    if ratings_exist:
        rated = db.session.execute(_RATINGS, values).all()
    notes, ratings = [note for note, _ in noted], [rating for rating, _ in rated]
    numbers = {item.revision_id: number for item, number in [*noted, *rated]}
    numbers[revision.id] = revision.number
    on_step = [n for n in notes if n.step_key == step_key]
    removed = [n for n in notes if n.step_key != step_key]
    titles = step_titles({document.id}) if removed else {}
    mine = next((r for r in ratings if r.revision_id == revision.id), None)
    return StepFeedback(
        notes=on_step,
        removed_notes=[(n, titles.get((document.id, n.step_key), (n.step_key, False))[0]) for n in removed],
        rating=mine,
        earlier_ratings=[r for r in ratings if r.revision_id != revision.id],
        revision=revision,
        revision_numbers=numbers,
        health=scores(document.published_revision_id) if user.has_role(Role.ADMIN) else None,
    )


# ---- notifications -----------------------------------------------------------------------


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            select(db.func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def notifications(user: User, limit: int = 100) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(user: User) -> None:
    db.session.execute(
        db.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
