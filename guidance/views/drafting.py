"""What static/editor.js asks for while an author types: the live preview (htmx), saving
without leaving the page (autosave and Ctrl/Cmd+S), and discarding a draft (a plain form)."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..forms.editing import EditForm
from ..services import drafts
from ..services.drafts import DraftConflict, DraftError
from ._preview import preview
from .access import role_required
from .editing import editable_or_404

bp = Blueprint("drafting", __name__, url_prefix="/d")


@bp.post("/<path:slug>/edit/save")
@role_required("author")
def save(slug: str):
    """Save the draft and answer in JSON: {ok, draft, saves, status} or {ok: false, error}."""
    document = editable_or_404(slug)
    form = EditForm()
    try:
        draft = drafts.save(
            document,
            form.source.data,
            current_user,
            draft_id=form.draft_id,
            saves=form.saves_number,
            base_number=form.base_number,
            note=form.note.data,
        )
    except DraftConflict as conflict:
        return jsonify(ok=False, conflict=True, error=f"Not saved: {conflict} Save with the button to compare."), 409
    except DraftError as error:
        return jsonify(ok=False, error=str(error)), 422
    return jsonify(
        ok=True,
        draft=draft.id,
        saves=draft.saves,
        status=f"Draft saved at {draft.updated_at:%H:%M:%S} UTC. Agents still see the published revision.",
    )


@bp.post("/<path:slug>/preview")
@role_required("author")
def preview_fragment(slug: str):
    """The preview of the text sent (not saved), and its problems swapped in beside the source.

    A move inside the preview (its Next, Back and answer buttons, sent with the text by
    editor.js) answers with that step alone, as a run would.
    """
    document = editable_or_404(slug)
    source = request.form.get("source")
    if source is None:  # a preview button pressed without JavaScript: back to the editor
        return redirect(url_for("editing.edit", slug=slug), 303)
    path = drafts.path_of(document)
    step_id, nav = request.form.get("step", ""), request.form.get("nav", "")
    if nav:
        shown = preview(document, source, path, step_id=step_id)
        target = _moved(shown.doc, step_id, nav)
        if target != step_id:
            shown = preview(document, source, path, step_id=target)
        return render_template(shown.template, **shown.context)
    line = request.form.get("line", type=int)
    shown = preview(document, source, path, line=line, step_id="" if line else step_id)
    return render_template("_preview_fragment.html", preview=shown, problems=shown.problems)


def _moved(doc, step_id: str, nav: str) -> str:
    position = doc.position(step_id)
    if position is None:
        return doc.steps[0].id if doc.steps else step_id
    step = doc.steps[position]
    if nav == "next":
        following = doc.next_step(step_id)
        return following.id if following else step_id
    if nav == "back" and position > 0:
        return doc.steps[position - 1].id
    if nav.startswith("choice-"):
        index = nav.removeprefix("choice-")
        choices = step.choices
        if index.isdigit() and int(index) < len(choices) and doc.step(choices[int(index)].target):
            return choices[int(index)].target
    return step_id


@bp.route("/<path:slug>/discard", methods=["GET", "POST"])
@role_required("author")
def discard(slug: str):
    """Throw the open draft away, after a confirmation page (it stays in the history)."""
    document = editable_or_404(slug)
    draft = document.draft_revision
    if draft is None:
        flash("There is no open draft to discard.")
        return redirect(url_for("history.index", slug=slug), 303 if request.method == "POST" else 302)
    if request.method == "GET":
        return render_template("discard.html", document=document, draft=draft)
    drafts.discard(document, current_user)
    flash(f"Discarded the draft of '{document.title}'. It stays in the history.")
    if document.published_revision is None:
        return redirect(url_for("authoring.index"), 303)
    return redirect(url_for("documents.show", slug=slug), 303)
