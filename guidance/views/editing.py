"""The editor: authors and admins change a document's Markdown in a shared draft, submit it for
review; admins may publish directly (ticking the feedback it addresses) or archive a document.

Saving and submitting are plain forms; static/editor.js adds the live preview, autosave,
Ctrl/Cmd+S and the toolbar (views/drafting.py answers those).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..forms.editing import EditForm
from ..services import drafts, library, review
from ..services.drafts import DraftConflict, DraftError
from ..services.editing import EditConflict, EditProblems, publish_edit
from ..services.feedback import FeedbackError
from ..services.review import StaleDraft
from ._editor import compare, editor_page, fresh_form
from .access import role_required

bp = Blueprint("editing", __name__, url_prefix="/d")


def editable_or_404(slug: str):
    document = drafts.editable(slug)
    if document is None:
        abort(404, description=f"There is no document '{slug}'.")
    return document


@bp.route("/<path:slug>/edit", methods=["GET", "POST"])
@role_required("author")
def edit(slug: str):
    document = editable_or_404(slug)
    if request.method == "GET":
        return editor_page(document, fresh_form(document))
    form = EditForm()
    if not form.validate_on_submit():
        return editor_page(document, form, 400)
    action = form.chosen
    if action == "publish":
        return _publish(document, form)
    try:
        if action == "withdraw":
            drafts.withdraw(document, current_user)
            flash("Withdrawn from review: change it, then submit it again.")
            return redirect(url_for(".edit", slug=slug), 303)
        drafts.save(document, form.source.data, current_user, note=form.note.data, **_which(form))
        if action == "submit":
            review.submit(document, current_user, form.note.data)
            flash("Submitted for review. A reviewer sees what changed and approves or returns it.")
            return redirect(url_for("review.show", slug=slug), 303)
    except DraftConflict as conflict:
        return _conflict(document, form, conflict)
    except StaleDraft as stale:
        form.base.data = str(stale.published.number)  # submitting again is a deliberate choice
        return _conflict(document, form, DraftConflict(stale.published, form.source.data, str(stale)))
    except EditProblems as problems:
        _reload(document, form)
        flash("Saved as a draft, but not submitted: fix the problems listed first.")
        return editor_page(document, form, 422, refused=problems.problems)
    except DraftError as error:
        _reload(document, form)
        form.refuse(form.source, error)
        return editor_page(document, form, 422)
    flash("Draft saved. Agents still see the published revision.")
    return redirect(url_for(".edit", slug=slug, step=form.step.data or None), 303)


def _which(form: EditForm) -> dict:
    return {"draft_id": form.draft_id, "saves": form.saves_number, "base_number": form.base_number}


def _reload(document, form: EditForm) -> None:
    """After a save that went through and a step that did not: the form names the saved draft."""
    draft = document.draft_revision
    form.draft.data, form.saves.data = (str(draft.id), str(draft.saves)) if draft is not None else ("", "")


def _conflict(document, form: EditForm, conflict: DraftConflict):
    """Both texts and the diff between them; the form takes the newer save as its base, so saving
    again (after bringing the other changes across) is a deliberate choice."""
    theirs = conflict.theirs
    _reload(document, form)
    if theirs is not None and theirs.is_open:
        form.draft.data, form.saves.data = str(theirs.id), str(theirs.saves)
    published = document.published_revision
    if published is not None and (theirs is None or not theirs.is_open):
        form.base.data = str(published.number)
    their_text = theirs.source if theirs is not None else ""
    changes = compare(theirs, their_text, form.source.data, drafts.path_of(document))
    return editor_page(document, form, 409, conflict={"message": str(conflict), "theirs": theirs, "diff": changes})


def _publish(document, form: EditForm):
    if not current_user.has_role("admin"):
        abort(403)
    try:
        result = publish_edit(
            document,
            form.source.data,
            form.base_number,
            current_user,
            form.item.data,
            change_note=form.note.data,
            draft_id=form.draft_id,
            saves=form.saves_number,
        )
    except EditConflict as conflict:
        form.base.data = str(conflict.current.number)  # publishing again is a deliberate choice
        changes = compare(conflict.current, conflict.current.source, form.source.data, drafts.path_of(document))
        message = f"Someone published revision {conflict.current.number} while you were editing. Nothing was saved."
        return editor_page(
            document,
            form,
            409,
            conflict={"message": message, "theirs": conflict.current, "diff": changes},
        )
    except DraftConflict as conflict:
        return _conflict(document, form, conflict)
    except EditProblems as problems:
        return editor_page(document, form, 422, refused=problems.problems)
    except (FeedbackError, DraftError) as error:
        form.refuse(form.source, error)
        return editor_page(document, form, 422)
    revision, count = result.revision, result.incorporated
    flash(
        f"Published revision {revision.number}."
        + (
            f" {count} feedback item{'s' if count != 1 else ''} incorporated; their authors are notified."
            if count
            else ""
        )
    )
    step = form.step.data
    if step and step in {s.key for s in revision.steps}:
        return redirect(url_for("documents.step", slug=document.slug, step_id=step), 303)
    return redirect(url_for("documents.show", slug=document.slug), 303)


@bp.route("/<path:slug>/archive", methods=["GET", "POST"])
@role_required("admin")
def archive(slug: str):
    """Take a document out of the library, after a confirmation page; its history stays."""
    document = editable_or_404(slug)
    if document.published_revision is None:
        abort(404, description=f"'{document.title}' is not in the library, so there is nothing to archive.")
    if request.method == "GET":  # a button-only form: CSRFProtect has checked the POST
        return render_template("archive.html", document=document)
    library.archive(document, current_user)
    flash(f"Archived '{document.title}'. Agents no longer see it; its revisions, notes and ratings are kept.")
    return redirect(url_for("home.index"), 303)
