"""The feedback panel of one step (its notes and the agent's rating): what `_feedback.html` shows."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from flask import url_for
from flask_login import current_user

from ..content import ParsedDocument, Step
from ..forms.feedback import NoteForm, RatingForm
from ..models import Document, GuideRun, Revision
from ..services import feedback
from ..services.feedback import StepFeedback
from ..services.step_state import StepState

SHOWN_ONLY = {"csrf": False}


@dataclass
class Panel:
    """What `_feedback.html` needs to show the notes and rating of one step."""

    document: Document
    step_key: str
    step_title: str
    revision: Revision
    back: str
    data: StepFeedback
    note_form: NoteForm
    rating_form: RatingForm

    @cached_property
    def note_action(self) -> str:
        return url_for("feedback.add_note", slug=self.document.slug, step_id=self.step_key)

    @cached_property
    def rate_action(self) -> str:
        return url_for("feedback.rate", slug=self.document.slug, step_id=self.step_key)


def panel_for(
    document: Document,
    revision: Revision,
    doc: ParsedDocument,
    step: Step,
    back: str,
    note_form: NoteForm | None = None,
    rating_form: RatingForm | None = None,
    state: StepState | None = None,
) -> Panel:
    """The panel as it is saved; a form the agent just sent (refused) shows what they sent.
    `state` tells whether there are notes or ratings to read at all."""
    data = feedback.step_feedback(
        current_user,
        document,
        revision,
        step.id,
        doc.step_ids(),
        notes_exist=state is None or state.any_notes,
        ratings_exist=state is None or state.any_ratings,
    )
    # Blank forms only show their defaults: no CSRF token of their own (the template puts one in).
    note_form = note_form if note_form is not None else NoteForm(formdata=None, meta=SHOWN_ONLY)
    rating_form = rating_form if rating_form is not None else RatingForm(formdata=None, meta=SHOWN_ONLY)
    if data.rating is not None:  # the reason form shows what is saved where nothing else was sent
        rating_form.reason.data = rating_form.reason.data or data.rating.reason
        if not rating_form.comment.raw_data:
            rating_form.comment.data = data.rating.comment
    return Panel(document, step.id, step.title, revision, back, data, note_form, rating_form)


def step_panel(
    document: Document, doc: ParsedDocument, step: Step, run: GuideRun | None, state: StepState | None = None
) -> Panel:
    """The panel for the step being shown, in a run or previewed; its forms come back to it."""
    revision = run.revision if run is not None else document.published_revision
    if run is not None:
        back = url_for("runs.step", run_id=run.id, step_id=step.id)
    else:
        back = url_for("documents.step", slug=document.slug, step_id=step.id)
    return panel_for(document, revision, doc, step, back, state=state)
