"""Guide runs: an agent stepping through one process revision."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..content import ParsedDocument
from ..extensions import db
from ..models import Document, GuideRun, RunStatus, User
from ..models._base import utcnow
from . import learning
from .documents import can_read, parsed


class NavigationError(ValueError):
    pass


def start_run(
    user: User, document: Document, step_id: str | None = None, context: dict[str, str] | None = None
) -> GuideRun:
    """Begin a run on the published revision; an unfinished earlier run of it counts as abandoned.

    `context`: the CRM's values for the placeholders (already checked: placeholders.context_from).

    The caller commits: `begin` starts a run and makes its first move in one unit of work.
    """
    for earlier in db.session.scalars(
        select(GuideRun).where(
            GuideRun.user_id == user.id, GuideRun.document_id == document.id, GuideRun.status == RunStatus.ACTIVE
        )
    ):
        earlier.status = RunStatus.ABANDONED
    first = step_id or parsed(document.published_revision).steps[0].id
    run = GuideRun(
        user_id=user.id,
        document=document,
        revision=document.published_revision,
        status=RunStatus.ACTIVE,
        current_step=first,
        visited=[first],
        trail=[first],
        checked={},
        context=dict(context or {}),
        answers={},
    )
    db.session.add(run)
    return run


def advance(run: GuideRun, doc: ParsedDocument, step_id: str, nav: str, checked: list[int]) -> str | None:
    """Record the ticks on `step_id` and move as `nav` says: next, back, finish, save or choice-N.

    Returns the step to show, or None when the run has finished. The caller commits (`move`).
    """
    step = doc.step(step_id)
    if step is None:
        raise NavigationError(f"this process has no step '{step_id}'")
    ticks = sorted({i for i in checked if 0 <= i < len(step.checklist)})
    run.checked = {**run.checked, step_id: ticks}
    trail = list(run.trail) or [step_id]
    if trail[-1] != step_id:
        trail.append(step_id)  # the agent jumped here through the list of steps
    if nav == "save":
        target = step_id
    elif nav == "back":
        if len(trail) > 1:
            trail.pop()
            target = trail[-1]
        else:
            target = doc.steps[max(doc.position(step_id) - 1, 0)].id
            trail = [target]
    elif nav.startswith("choice-"):
        choices = step.choices
        index = int(nav.removeprefix("choice-")) if nav.removeprefix("choice-").isdigit() else -1
        if not 0 <= index < len(choices):
            raise NavigationError("that choice is not one of this step's answers")
        target = choices[index].target
        trail.append(target)
        run.answers = {**(run.answers or {}), step_id: index}
    elif nav == "next":
        following = doc.next_step(step_id)
        if following is None:
            raise NavigationError("this step has no next step: choose an answer or finish")
        target = following.id
        trail.append(target)
    elif nav == "finish":
        if doc.next_step(step_id) is not None or step.is_decision:
            raise NavigationError("this process does not finish at this step")
        run.status, run.finished_at, run.updated_at, run.trail = RunStatus.FINISHED, utcnow(), utcnow(), trail
        return None
    else:
        raise NavigationError(f"unknown move '{nav}'")
    if nav != "save":
        run.visited = [*run.visited, target]
    run.trail, run.current_step, run.updated_at = trail, target, utcnow()
    return target


def move(
    run: GuideRun,
    doc: ParsedDocument,
    step_id: str,
    nav: str,
    checked: list[int],
    context: dict[str, str] | None = None,
) -> str | None:
    """Apply the agent's ticks and move (see `advance`) and commit; returns the step to show next.

    `context`: values a step's URL gave on top of the run's own; they stay with the run from now on.
    A move the run or step does not allow raises NavigationError and writes nothing.
    """
    try:
        if run.status != RunStatus.ACTIVE:
            raise NavigationError("This run has ended. Open the process again to start a new one.")
        if context and any((run.context or {}).get(name) != value for name, value in context.items()):
            run.context = {**(run.context or {}), **context}
        target = advance(run, doc, step_id, nav, checked)
    except NavigationError:
        db.session.rollback()
        raise
    db.session.commit()
    if target is None:  # followed to the end: the search that led here says what it is for
        learning.observe(run.user_id, run.document)
    return target


def begin(
    user: User,
    document: Document,
    doc: ParsedDocument,
    step_id: str,
    nav: str,
    checked: list[int],
    context: dict[str, str] | None = None,
) -> tuple[GuideRun, str | None]:
    """Start a run at `step_id` and make its first move, in one commit (a refused move starts nothing)."""
    if doc.step(step_id) is None:
        raise NavigationError("That step is not part of this process.")
    run = start_run(user, document, step_id, context)
    return run, move(run, doc, step_id, nav, checked)


# Built once (building it cost more than running it): its step page reads all three.
_RUN = (
    select(GuideRun)
    .options(joinedload(GuideRun.document), joinedload(GuideRun.revision))
    .where(GuideRun.id == bindparam("run_id"))
)


def get_run(run_id: int, user: User) -> GuideRun | None:
    """The run with its document and revision, in one query."""
    run = db.session.scalar(_RUN, {"run_id": run_id})
    return run if run is not None and run.user_id == user.id else None


def recent_documents(user: User, limit: int = 6) -> list[tuple[Document, GuideRun]]:
    runs = db.session.scalars(
        select(GuideRun).where(GuideRun.user_id == user.id).order_by(GuideRun.updated_at.desc()).limit(50)
    )
    seen: dict[int, tuple[Document, GuideRun]] = {}
    for run in runs:
        if run.document_id not in seen and run.document.published_revision_id and can_read(run.document, user):
            seen[run.document_id] = (run.document, run)
    return list(seen.values())[:limit]
