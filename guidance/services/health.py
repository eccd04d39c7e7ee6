"""Step health: how agents rate each step of what is live, worst first.

Ratings and notes belong to what a step says, not to a revision number: one made on any
revision where the step's content (RevisionStep.content_hash) was what it is now counts for the
step now, so an edit elsewhere in the document takes nothing away. An agent who rated the same
content on two revisions counts once, by their latest rating. A step whose content changed
starts fresh; the figures of its earlier versions stay one click away (`step_versions`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, func, select

from ..extensions import db
from ..models import Document, Revision, RevisionStatus, RevisionStep, StepNote, StepRating

FLAG_MIN_DOWN = 3
Key = tuple[int, str, str]  # (document id, step key, content hash)


@dataclass
class Score:
    up: int = 0
    down: int = 0
    notes: int = 0

    @property
    def total(self) -> int:
        return self.up + self.down


@dataclass
class StepHealth:
    document: Document
    step_key: str
    step_title: str
    up: int
    down: int
    notes: int = 0

    @property
    def total(self) -> int:
        return self.up + self.down

    @property
    def score(self) -> float:
        return self.up / self.total if self.total else 1.0

    @property
    def flagged(self) -> bool:
        return self.down >= FLAG_MIN_DOWN and self.up * 2 < self.total


def tallies(document_ids: set[int]) -> dict[Key, Score]:
    """Ratings (each agent's latest) and notes per step content, over every revision."""
    if not document_ids:
        return {}
    on_step = and_(RevisionStep.revision_id == StepRating.revision_id, RevisionStep.key == StepRating.step_key)
    latest: dict[tuple[Key, int], tuple[object, bool]] = {}
    for document_id, key, content, user_id, positive, when in db.session.execute(
        select(
            StepRating.document_id,
            StepRating.step_key,
            RevisionStep.content_hash,
            StepRating.user_id,
            StepRating.positive,
            StepRating.updated_at,
        )
        .join(RevisionStep, on_step)
        .where(StepRating.document_id.in_(document_ids))
    ):
        mark = ((document_id, key, content), user_id)
        if mark not in latest or when >= latest[mark][0]:
            latest[mark] = (when, positive)
    scores: dict[Key, Score] = defaultdict(Score)
    for (step, _), (_, positive) in latest.items():
        if positive:
            scores[step].up += 1
        else:
            scores[step].down += 1
    note_on_step = and_(RevisionStep.revision_id == StepNote.revision_id, RevisionStep.key == StepNote.step_key)
    for document_id, key, content, count in db.session.execute(
        select(StepNote.document_id, StepNote.step_key, RevisionStep.content_hash, func.count())
        .join(RevisionStep, note_on_step)
        .where(StepNote.document_id.in_(document_ids))
        .group_by(StepNote.document_id, StepNote.step_key, RevisionStep.content_hash)
    ):
        scores[(document_id, key, content)].notes += count
    return scores


def scores(revision_id: int | None) -> dict[str, tuple[int, int]]:
    """Step key -> (thumbs up, thumbs down) on the content each step of `revision_id` has."""
    revision = db.session.get(Revision, revision_id) if revision_id else None
    if revision is None:
        return {}
    found = tallies({revision.document_id})
    result = {}
    for step in revision.steps:
        score = found.get((revision.document_id, step.key, step.content_hash))
        if score is not None and score.total:
            result[step.key] = (score.up, score.down)
    return result


def _live_steps(documents: list[Document]):
    for document in documents:
        for step in document.published_revision.steps:
            yield document, step


def _documents_with_feedback() -> list[Document]:
    has_feedback = select(StepRating.document_id).union(select(StepNote.document_id))
    query = select(Document).where(Document.published_revision_id.is_not(None), Document.id.in_(has_feedback))
    return list(db.session.scalars(query))


def health(flagged_only: bool = True) -> list[StepHealth]:
    """Rated steps of every live revision, worst first; by default only the flagged ones."""
    documents = _documents_with_feedback()
    found = tallies({d.id for d in documents})
    result = []
    for document, step in _live_steps(documents):
        score = found.get((document.id, step.key, step.content_hash))
        if score is not None and score.total:
            result.append(StepHealth(document, step.key, step.title, score.up, score.down, score.notes))
    if flagged_only:
        result = [entry for entry in result if entry.flagged]
    result.sort(key=lambda e: (e.score, -e.down, e.document.title, e.step_title))
    return result


def changed_steps() -> list[StepHealth]:
    """Live steps whose earlier content was rated: the figures of the version before the change."""
    documents = _documents_with_feedback()
    found = tallies({d.id for d in documents})
    result = []
    for document, step in _live_steps(documents):
        earlier = [v for v in step_versions(document, step.key, found) if not v.live and v.score.total]
        if earlier and step.content_hash:
            last = earlier[0].score
            result.append(StepHealth(document, step.key, step.title, last.up, last.down, last.notes))
    return result


@dataclass
class Version:
    """One content of a step: the revisions that had it and what agents said about it."""

    numbers: list[int]
    title: str
    live: bool
    score: Score


def step_versions(document: Document, key: str, found: dict[Key, Score] | None = None) -> list[Version]:
    """Each content the step has had, newest first, with its figures."""
    found = found if found is not None else tallies({document.id})
    rows = db.session.execute(
        select(Revision.id, Revision.number, RevisionStep.content_hash, RevisionStep.title)
        .join(RevisionStep, RevisionStep.revision_id == Revision.id)
        .where(
            Revision.document_id == document.id,
            Revision.status == RevisionStatus.PUBLISHED,
            RevisionStep.key == key,
        )
        .order_by(Revision.number.desc())
    )
    versions: list[Version] = []
    by_content: dict[str, Version] = {}
    for revision_id, number, content, title in rows:
        version = by_content.get(content)
        if version is None:
            version = by_content[content] = Version([], title, False, found.get((document.id, key, content), Score()))
            versions.append(version)
        version.numbers.append(number)
        version.live = version.live or revision_id == document.published_revision_id
    return versions
