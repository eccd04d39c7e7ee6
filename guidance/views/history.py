"""A document's history: every revision, any two compared, one restored (as a new revision)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..models import RevisionStatus
from ..services import audit, history
from ..services.drafts import DraftError, path_of
from ._editor import compare as compare_texts
from .access import role_required
from .editing import editable_or_404

bp = Blueprint("history", __name__, url_prefix="/d")


def revision_or_404(document, number: int):
    found = history.revision(document, number)
    if found is None:
        abort(404, description=f"'{document.title}' has no revision {number}.")
    return found


@bp.get("/<path:slug>/history")
@role_required("author")
def index(slug: str):
    document = editable_or_404(slug)
    revisions = history.revisions(document)
    published = [r for r in revisions if r.status == RevisionStatus.PUBLISHED]
    return render_template(
        "history.html",
        document=document,
        revisions=revisions,
        published=published,
        addressed=history.addressed(document),
        events=audit.document_events(document, limit=50),
    )


@bp.get("/<path:slug>/compare")
@role_required("author")
def compare(slug: str):
    document = editable_or_404(slug)
    old_number = request.args.get("from", type=int)
    new_number = request.args.get("to", type=int)
    if not old_number or not new_number:
        abort(400, description="Choose two revisions to compare.")
    old, new = revision_or_404(document, old_number), revision_or_404(document, new_number)
    changes = compare_texts(old, old.source, new.source, path_of(document))
    return render_template("compare.html", document=document, old=old, new=new, changes=changes)


@bp.get("/<path:slug>/revisions/<int:number>")
@role_required("author")
def revision(slug: str, number: int):
    document = editable_or_404(slug)
    shown = revision_or_404(document, number)
    return render_template("revision.html", document=document, revision=shown)


@bp.route("/<path:slug>/revisions/<int:number>/restore", methods=["GET", "POST"])
@role_required("author")
def restore(slug: str, number: int):
    """Bring an old revision back, after a confirmation page: admins publish it as a new
    revision, authors start a draft from it."""
    document = editable_or_404(slug)
    old = revision_or_404(document, number)
    if request.method == "GET":
        current = document.published_revision
        changes = compare_texts(current, current.source if current else "", old.source, path_of(document))
        return render_template("restore.html", document=document, old=old, current=current, changes=changes)
    try:
        restored = history.restore(document, old, current_user)
    except DraftError as error:
        flash(f"Not restored: {error}")
        return redirect(url_for(".index", slug=slug), 303)
    if restored.status == RevisionStatus.PUBLISHED:
        flash(f"Restored revision {old.number} as revision {restored.number}; agents see it now.")
        return redirect(url_for(".index", slug=slug), 303)
    flash(f"Started a draft from revision {old.number}: submit it for review to publish it.")
    return redirect(url_for("editing.edit", slug=slug), 303)
