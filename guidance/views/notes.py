"""An agent changing or deleting a note of their own, outside the step's panel."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from ..models import StepNote
from ..services import feedback as service
from ..services.feedback import FeedbackError
from .redirects import safe_local_path

bp = Blueprint("notes", __name__, url_prefix="/notes")


def _own_note_or_abort(note_id: int) -> StepNote:
    note = service.get_note(note_id, current_user)
    if note is None:
        abort(404, description="There is no such note of yours.")
    if note.user_id != current_user.id:
        abort(403, description="Only the agent who wrote a note can change it.")
    return note


@bp.route("/<int:note_id>/edit", methods=["GET", "POST"])
def edit(note_id: int):
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


@bp.post("/<int:note_id>/delete")
def delete(note_id: int):
    note = _own_note_or_abort(note_id)
    back = safe_local_path(request.form.get("back"),
                      url_for("documents.step", slug=note.document.slug, step_id=note.step_key))
    service.delete_note(current_user, note)
    return redirect(f"{back}#notes", 303)
