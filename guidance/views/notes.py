"""An agent changing or deleting a note of their own, outside the step's panel."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from ..forms import BackForm
from ..forms.feedback import NoteForm
from ..models import StepNote
from ..services import feedback as service
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
    if request.method == "GET":
        form = NoteForm(formdata=None, body=note.body, shared=note.shared, back=request.args.get("back", ""))
    else:
        form = NoteForm()
    back = safe_local_path(form.back.data, _step_of(note))
    if form.validate_on_submit():
        service.update_note(current_user, note, form.body.data, form.shared.data)
        return redirect(f"{back}#note-{note.id}", 303)
    status = 422 if form.is_submitted() else 200
    return render_template("note_edit.html", note=note, back=back, form=form), status


@bp.post("/<int:note_id>/delete")
def delete(note_id: int):
    note = _own_note_or_abort(note_id)
    back = safe_local_path(BackForm().back.data, _step_of(note))
    service.delete_note(current_user, note)
    return redirect(f"{back}#notes", 303)


def _step_of(note: StepNote) -> str:
    return url_for("documents.step", slug=note.document.slug, step_id=note.step_key)
