"""Notes and ratings on a step.

Every control works as a plain form that redirects back to the step (303); with htmx the same
URL answers with just the feedback panel, so the agent never leaves the step.
"""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from ..services import documents
from ..services import feedback as service
from ..services.feedback import FeedbackError
from ._panel import panel_for
from .documents import document_or_404
from .fragments import wants_fragment
from .guards import requested_id
from .redirects import safe_local_path

bp = Blueprint("feedback", __name__, url_prefix="/d")


def _step_context(slug: str, step_id: str):
    """The document, the revision the agent was looking at, its parse and the step."""
    document = document_or_404(slug)
    try:
        revision = service.revision_for_step(document, requested_id(request.form, "revision"), step_id)
    except FeedbackError as error:
        abort(404, description=str(error))
    doc = documents.parsed(revision)
    back = safe_local_path(request.form.get("back"), url_for("documents.step", slug=document.slug, step_id=step_id))
    return document, revision, doc, doc.step(step_id), back


def _panel_response(document, revision, doc, step, back, anchor: str, status: int = 200, **extra):
    if wants_fragment():
        return render_template("_feedback.html", panel=panel_for(document, revision, doc, step, back, **extra)), status
    if status != 200:
        return render_template("feedback_form.html", panel=panel_for(document, revision, doc, step, back, **extra)), status
    return redirect(f"{back}#{anchor}", 303)


@bp.post("/<path:slug>/steps/<step_id>/notes")
def add_note(slug: str, step_id: str):
    document, revision, doc, step, back = _step_context(slug, step_id)
    body, shared = request.form.get("body", ""), bool(request.form.get("shared"))
    try:
        service.add_note(current_user, document, revision, step_id, body, shared)
    except FeedbackError as error:
        return _panel_response(document, revision, doc, step, back, "notes", 422,
                               note_text=body, note_shared=shared, note_error=str(error))
    return _panel_response(document, revision, doc, step, back, "notes")


@bp.post("/<path:slug>/steps/<step_id>/rating")
def rate(slug: str, step_id: str):
    document, revision, doc, step, back = _step_context(slug, step_id)
    value = request.form.get("rating", "")
    if value not in ("up", "down"):
        return _panel_response(document, revision, doc, step, back, "rating", 422, form=request.form,
                               rating_error="Choose thumbs up or thumbs down.")
    try:
        service.rate(current_user, document, revision, step_id, value == "up",
                     request.form.get("reason"), request.form.get("comment", ""))
    except FeedbackError as error:
        return _panel_response(document, revision, doc, step, back, "rating", 422, form=request.form,
                               rating_error=str(error))
    return _panel_response(document, revision, doc, step, back, "rating")
