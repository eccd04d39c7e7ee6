"""Review: a reviewer reads what a draft changes (the source diff and a summary by step) and
approves it (now or at a set time) or returns it with a comment; the author reads it too.

Scheduled drafts go live by the first request after their time (services/schedule.py).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..forms.editing import ReviewForm
from ..models import RevisionStatus
from ..services import inbox, review, schedule
from ..services.drafts import DraftConflict, DraftError, path_of
from ..services.publishing import SourceProblems
from ..services.review import StaleDraft
from ._editor import compare
from .access import role_required
from .editing import editable_or_404

bp = Blueprint("review", __name__, url_prefix="/d")


@bp.before_app_request
def publish_what_is_due():
    if request.endpoint != "static":
        schedule.check_due()


def _authors_approve() -> bool:
    return bool(current_app.config.get("AUTHORS_APPROVE", False))


def _page(document, form: ReviewForm, status: int = 200, problems=None, message: str = ""):
    draft = document.draft_revision
    base = draft.base_revision if draft is not None else None
    old = document.published_revision if draft is not None else None
    changes = None
    if draft is not None:
        old_text = old.source if old is not None else ""
        changes = compare(old, old_text, draft.source, path_of(document))
    return render_template(
        "review.html",
        document=document,
        draft=draft,
        base=base,
        old=old,
        changes=changes,
        form=form,
        problems=problems or [],
        message=message,
        may_review=draft is not None and review.can_review(current_user, draft, _authors_approve()),
        in_review=draft is not None and draft.status == RevisionStatus.IN_REVIEW,
        writers=review.writer_names(draft) if draft is not None else [],
        open_items=inbox.open_items(document) if current_user.has_role("admin") else [],
        item_id=inbox.item_id,
    ), status


@bp.get("/<path:slug>/review")
@role_required("author")
def show(slug: str):
    document = editable_or_404(slug)
    draft = document.draft_revision
    form = ReviewForm(formdata=None, draft=str(draft.id) if draft else "", saves=str(draft.saves) if draft else "")
    return _page(document, form)


@bp.post("/<path:slug>/review")
@role_required("author")
def decide(slug: str):
    document = editable_or_404(slug)
    form = ReviewForm()
    decision = request.form.get("decision", "")
    if decision not in ("approve", "return"):
        abort(400, description="Choose Approve or Return.")
    draft = document.draft_revision
    if draft is None or draft.status != RevisionStatus.IN_REVIEW:  # withdrawn or decided meanwhile
        flash("Nothing was changed: this draft is no longer waiting for review.")
        return redirect(url_for(".show", slug=slug), 303)
    who = {"draft_id": form.draft_id, "saves": form.saves_number, "authors_approve": _authors_approve()}
    try:
        if decision == "return":
            review.return_draft(document, current_user, comment=form.comment.data, **who)
            flash("Returned to the author with your comment.")
            return redirect(url_for(".show", slug=slug), 303)
        when = form.publish_time()
        draft = review.approve(
            document,
            current_user,
            publish_at=when,
            comment=form.comment.data,
            item_ids=request.form.getlist("item"),
            **who,
        )
    except PermissionError as refused:
        abort(403, description=str(refused))
    except (DraftError, ValueError) as error:
        form.refuse(form.comment, error)
        return _page(document, form, 422)
    except DraftConflict as conflict:
        return _page(document, form, 409, message=str(conflict))
    except SourceProblems as problems:
        return _page(document, form, 422, problems=problems.problems)
    except StaleDraft as stale:
        return _page(document, form, 409, message=f"{stale} Return it, so the author brings those changes across.")
    if draft.status == RevisionStatus.SCHEDULED:
        flash(f"Approved: it goes live at {draft.publish_at:%Y-%m-%d %H:%M} UTC.")
        return redirect(url_for(".show", slug=slug), 303)
    flash(f"Approved and published as revision {draft.number}.")
    return redirect(url_for("documents.show", slug=slug), 303)
