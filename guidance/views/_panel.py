"""The feedback panel of one step (its notes and the agent's rating): what `_feedback.html` shows."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_login import current_user

from ..content import ParsedDocument, Step
from ..models import Document, GuideRun, Revision
from ..services import feedback
from ..services.feedback import StepFeedback


@dataclass
class Panel:
    """What `_feedback.html` needs to show the notes and rating of one step."""

    document: Document
    step_key: str
    step_title: str
    revision: Revision
    back: str
    data: StepFeedback
    note_text: str = ""
    note_shared: bool = False
    note_error: str = ""
    rating_error: str = ""
    form: dict = field(default_factory=dict)

    @property
    def note_action(self) -> str:
        return url_for("feedback.add_note", slug=self.document.slug, step_id=self.step_key)

    @property
    def rate_action(self) -> str:
        return url_for("feedback.rate", slug=self.document.slug, step_id=self.step_key)


def panel_for(document: Document, revision: Revision, doc: ParsedDocument, step: Step, back: str,
              **extra) -> Panel:
    data = feedback.step_feedback(current_user, document, revision, step.id, [s.id for s in doc.steps])
    return Panel(document, step.id, step.title, revision, back, data, **extra)


def step_panel(document: Document, doc: ParsedDocument, step: Step, run: GuideRun | None) -> Panel:
    """The panel for the step being shown, in a run or previewed; its forms come back to it."""
    revision = run.revision if run is not None else document.published_revision
    if run is not None:
        back = url_for("runs.step", run_id=run.id, step_id=step.id)
    else:
        back = url_for("documents.step", slug=document.slug, step_id=step.id)
    return panel_for(document, revision, doc, step, back)
