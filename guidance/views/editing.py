"""The edit form: an admin changes a published document's Markdown and publishes it as a new
revision, ticking the feedback items it addresses.

The edit form is admin-only: admins harvest feedback into revisions (the authoring issue brings
the full editor, and with it authors).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..services import documents, inbox
from ..services.editing import EditConflict, EditProblems, publish_edit
from ..services.feedback import FeedbackError
from .access import role_required

bp = Blueprint("editing", __name__, url_prefix="/d")


@bp.route("/<path:slug>/edit", methods=["GET", "POST"])
@role_required("admin")
def edit(slug: str):
    document = documents.get_document(slug, current_user)
    if document is None:
        abort(404, description=f"There is no document '{slug}'.")
    current = document.published_revision
    step = request.values.get("step", "")
    context = dict(document=document, current=current, step=step, problems=[], error="", conflict=None,
                   chosen=set(request.form.getlist("item")), item_id=inbox.item_id,
                   open_items=inbox.open_items(document, step or None),
                   step_line=_step_line(current.source, step))
    if request.method == "GET":
        return render_template("edit.html", source=current.source, base=current.number, **context)
    source = request.form.get("source", "")
    try:
        result = publish_edit(document, source, request.form.get("base", type=int), current_user,
                              request.form.getlist("item"))
    except EditConflict as conflict:
        return render_template("edit.html", source=source, base=conflict.current.number,
                               **{**context, "conflict": conflict.current}), 409
    except EditProblems as problems:
        return render_template("edit.html", source=source, base=request.form.get("base", type=int),
                               **{**context, "problems": problems.problems}), 422
    except FeedbackError as error:
        return render_template("edit.html", source=source, base=request.form.get("base", type=int),
                               **{**context, "error": str(error)}), 422
    revision = result.revision
    flash(f"Published revision {revision.number}."
          + (f" {result.incorporated} feedback item{'s' if result.incorporated != 1 else ''} incorporated; "
             "their authors are notified." if result.incorporated else ""))
    keys = {s.key for s in revision.steps}
    if step and step in keys:
        return redirect(url_for("documents.step", slug=document.slug, step_id=step), 303)
    return redirect(url_for("documents.show", slug=document.slug), 303)


def _step_line(source: str, step: str) -> int | None:
    """The line where a step's heading is, so the form can say where to look."""
    if not step:
        return None
    for number, line in enumerate(source.splitlines(), 1):
        if line.startswith("## ") and f"{{#{step}" in line:
            return number
    return None
