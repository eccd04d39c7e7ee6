"""Notes and ratings on a step, and the agent's notifications.

Every control works as a plain form that redirects back to the step (303); with htmx the same
URL answers with just the feedback panel, so the agent never leaves the step.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from ..content import ParsedDocument, Step
from ..content.render import render_note
from ..models import Document, GuideRun, Revision, StepNote
from ..services import documents
from ..services import feedback as service
from ..services.feedback import MAX_COMMENT, MAX_NOTE, REASONS, FeedbackError, StepFeedback
from . import wants_fragment
from .guards import requested_id
from .redirects import safe_local_path

bp = Blueprint("feedback", __name__)


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


def panel_for(document: Document, revision: Revision, step: Step | None, step_key: str,
              step_keys: list[str], back: str, **extra) -> Panel:
    data = service.step_feedback(current_user, document, revision, step_key, step_keys)
    return Panel(document, step_key, step.title if step else step_key, revision, back, data, **extra)


def feedback_for(document: Document, doc: ParsedDocument, step: Step, run: GuideRun | None) -> Panel:
    """Called from `_step.html`: the panel for the step being shown (run or preview)."""
    revision = run.revision if run is not None else document.published_revision
    if run is not None:
        back = url_for("runs.step", run_id=run.id, step_id=step.id)
    else:
        back = url_for("documents.step", slug=document.slug, step_id=step.id)
    return panel_for(document, revision, step, step.id, [s.id for s in doc.steps], back)


@bp.app_context_processor
def helpers():
    def unread_notifications() -> int:
        return service.unread_count(current_user) if current_user.is_authenticated else 0

    return {"feedback_for": feedback_for, "unread_notifications": unread_notifications,
            "REASONS": REASONS, "MAX_NOTE": MAX_NOTE, "MAX_COMMENT": MAX_COMMENT}


@bp.app_template_filter("note_markdown")
def note_markdown(text: str):
    return render_note(text)


def _step_context(slug: str, step_id: str):
    """The document, the revision the agent was looking at, its parse and the step."""
    document = documents.get_document(slug, current_user)
    if document is None:
        abort(404, description=f"There is no document '{slug}', or it is not available to you.")
    try:
        revision = service.revision_for_step(document, requested_id(request.form, "revision"), step_id)
    except FeedbackError as error:
        abort(404, description=str(error))
    doc = documents.parsed(revision)
    back = safe_local_path(request.form.get("back"), url_for("documents.step", slug=document.slug, step_id=step_id))
    return document, revision, doc, doc.step(step_id), back


def _panel_response(document, revision, doc, step, back, anchor: str, status: int = 200, **extra):
    if wants_fragment():
        panel = panel_for(document, revision, step, step.id, [s.id for s in doc.steps], back, **extra)
        return render_template("_feedback.html", panel=panel), status
    if status != 200:
        panel = panel_for(document, revision, step, step.id, [s.id for s in doc.steps], back, **extra)
        return render_template("feedback_form.html", panel=panel), status
    return redirect(f"{back}#{anchor}", 303)


@bp.post("/d/<path:slug>/steps/<step_id>/notes")
def add_note(slug: str, step_id: str):
    document, revision, doc, step, back = _step_context(slug, step_id)
    body, shared = request.form.get("body", ""), bool(request.form.get("shared"))
    try:
        service.add_note(current_user, document, revision, step_id, body, shared)
    except FeedbackError as error:
        return _panel_response(document, revision, doc, step, back, "notes", 422,
                               note_text=body, note_shared=shared, note_error=str(error))
    return _panel_response(document, revision, doc, step, back, "notes")


@bp.post("/d/<path:slug>/steps/<step_id>/rating")
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


def _own_note_or_abort(note_id: int) -> StepNote:
    note = service.get_note(note_id, current_user)
    if note is None:
        abort(404, description="There is no such note of yours.")
    if note.user_id != current_user.id:
        abort(403, description="Only the agent who wrote a note can change it.")
    return note


@bp.route("/notes/<int:note_id>/edit", methods=["GET", "POST"])
def edit_note(note_id: int):
    note = _own_note_or_abort(note_id)
    fallback = url_for("documents.step", slug=note.document.slug, step_id=note.step_key)
    back = safe_local_path(request.values.get("back"), fallback)
    error, status = "", 200
    text, shared = note.body, note.shared
    if request.method == "POST":
        text, shared = request.form.get("body", ""), bool(request.form.get("shared"))
        try:
            service.update_note(current_user, note, text, shared)
            return redirect(f"{back}#note-{note.id}", 303)
        except FeedbackError as problem:
            error, status = str(problem), 422
    return render_template("note_edit.html", note=note, back=back, text=text, shared=shared, error=error), status


@bp.post("/notes/<int:note_id>/delete")
def delete_note(note_id: int):
    note = _own_note_or_abort(note_id)
    back = safe_local_path(request.form.get("back"),
                      url_for("documents.step", slug=note.document.slug, step_id=note.step_key))
    service.delete_note(current_user, note)
    return redirect(f"{back}#notes", 303)


@bp.get("/notifications")
def notifications():
    """The agent's notifications, newest first, the unread ones marked. Reading changes nothing:
    a GET can be sent by an image or a link without the agent meaning it."""
    items = service.notifications(current_user)
    unread = {n.id for n in items if n.read_at is None}
    return render_template("notifications.html", items=items, unread=unread)


@bp.post("/notifications/read")
def mark_notifications_read():
    service.mark_all_read(current_user)
    return redirect(url_for(".notifications"), 303)
