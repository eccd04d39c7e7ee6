"""The edit form: an admin changes a published document's Markdown and publishes it as a new
revision, ticking the feedback items it addresses.

The edit form is admin-only: admins harvest feedback into revisions (the authoring issue brings
the full editor, and with it authors).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..forms.editing import EditForm
from ..services import inbox, library
from ..services.editing import EditConflict, EditProblems, publish_edit
from ..services.feedback import FeedbackError
from .access import role_required
from .documents import document_or_404

bp = Blueprint("editing", __name__, url_prefix="/d")


@bp.route("/<path:slug>/edit", methods=["GET", "POST"])
@role_required("admin")
def edit(slug: str):
    document = document_or_404(slug)
    current = document.published_revision
    if request.method == "GET":
        form = EditForm(
            formdata=None, source=current.source, base=str(current.number), step=request.args.get("step", "")
        )
    else:
        form = EditForm()
    step = form.step.data
    page = {
        "document": document,
        "current": current,
        "form": form,
        "step": step,
        "conflict": None,
        "problems": [],
        "item_id": inbox.item_id,
        "open_items": inbox.open_items(document, step or None),
        "step_line": _step_line(current.source, step),
    }
    if not form.validate_on_submit():
        return render_template("edit.html", **page)
    try:
        result = publish_edit(document, form.source.data, form.base_number, current_user, form.item.data)
    except EditConflict as conflict:
        form.base.data = str(conflict.current.number)  # publishing again is a deliberate choice
        return render_template("edit.html", **{**page, "conflict": conflict.current}), 409
    except EditProblems as problems:
        return render_template("edit.html", **{**page, "problems": problems.problems}), 422
    except FeedbackError as error:
        form.refuse(form.source, error)
        return render_template("edit.html", **page), 422
    revision = result.revision
    flash(
        f"Published revision {revision.number}."
        + (
            f" {result.incorporated} feedback item{'s' if result.incorporated != 1 else ''} incorporated; "
            "their authors are notified."
            if result.incorporated
            else ""
        )
    )
    if step and step in {s.key for s in revision.steps}:
        return redirect(url_for("documents.step", slug=document.slug, step_id=step), 303)
    return redirect(url_for("documents.show", slug=document.slug), 303)


@bp.route("/<path:slug>/archive", methods=["GET", "POST"])
@role_required("admin")
def archive(slug: str):
    """Take a document out of the library, after a confirmation page; its history stays."""
    document = document_or_404(slug)
    if request.method == "GET":  # a button-only form: CSRFProtect has checked the POST
        return render_template("archive.html", document=document)
    library.archive(document)
    flash(f"Archived '{document.title}'. Agents no longer see it; its revisions, notes and ratings are kept.")
    return redirect(url_for("home.index"), 303)


def _step_line(source: str, step: str) -> int | None:
    """The line where a step's heading is, so the form can say where to look."""
    if not step:
        return None
    for number, line in enumerate(source.splitlines(), 1):
        if line.startswith("## ") and f"{{#{step}" in line:
            return number
    return None
