"""Notes and ratings on a step.

Every control works as a plain form that redirects back to the step (303); with htmx the same
URL answers with just the feedback panel, so the agent never leaves the step. A refused form
answers 422 with the panel showing what was sent and why it was refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from ..content import ParsedDocument, Step
from ..forms.feedback import NoteForm, OnStepForm, RatingForm
from ..models import Document, Revision
from ..services import documents
from ..services import feedback as service
from ..services.feedback import FeedbackError
from ._panel import panel_for
from .documents import document_or_404
from .fragments import wants_fragment
from .guards import requested_id
from .redirects import safe_local_path

bp = Blueprint("feedback", __name__, url_prefix="/d")


@dataclass
class OnStep:
    """The step a feedback form was sent from: in the revision the agent was looking at."""

    document: Document
    revision: Revision
    doc: ParsedDocument
    step: Step
    back: str  # the page the agent came from


def _on_step(slug: str, step_id: str, form: OnStepForm) -> OnStep:
    """Where the form was sent from; a document, revision or step that is not there answers 404."""
    document = document_or_404(slug)
    try:
        revision = service.revision_for_step(document, requested_id(form.revision.data, "revision"), step_id)
    except FeedbackError as error:
        abort(404, description=str(error))
    doc = documents.parsed(revision)
    back = safe_local_path(form.back.data, url_for("documents.step", slug=document.slug, step_id=step_id))
    return OnStep(document, revision, doc, doc.step(step_id), back)


def _answer(on: OnStep, anchor: str, refused: bool = False, **form):
    """Back to the step (303), or for htmx the panel alone; a refused form gets the panel, 422."""
    if not refused and not wants_fragment():
        return redirect(f"{on.back}#{anchor}", 303)
    panel = panel_for(on.document, on.revision, on.doc, on.step, on.back, **form)
    template = "_feedback.html" if wants_fragment() else "feedback_form.html"
    return render_template(template, panel=panel), 422 if refused else 200


@bp.post("/<path:slug>/steps/<step_id>/notes")
def add_note(slug: str, step_id: str):
    form = NoteForm()
    on = _on_step(slug, step_id, form)
    if form.validate_on_submit():
        service.add_note(current_user, on.document, on.revision, step_id, form.body.data, form.shared.data)
        return _answer(on, "notes")
    return _answer(on, "notes", refused=True, note_form=form)


@bp.post("/<path:slug>/steps/<step_id>/rating")
def rate(slug: str, step_id: str):
    form = RatingForm()
    on = _on_step(slug, step_id, form)
    if form.validate_on_submit():
        service.rate(
            current_user,
            on.document,
            on.revision,
            step_id,
            form.rating.data == "up",
            form.reason.data,
            form.comment.data,
        )
        return _answer(on, "rating")
    return _answer(on, "rating", refused=True, rating_form=form)
