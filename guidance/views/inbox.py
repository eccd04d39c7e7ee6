"""The admin side of the feedback loop: the inbox, its bulk actions and step health.

The edit form that turns feedback into a revision is views/editing.py.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..forms.admin import InboxBulkForm
from ..models import FeedbackStatus
from ..services import health, inbox, inbox_actions
from ..services.feedback import REASONS, FeedbackError
from .access import role_required
from .editing import editable_or_404
from .redirects import safe_local_path

bp = Blueprint("inbox", __name__, url_prefix="/admin")


@bp.get("/inbox")
@role_required("admin")
def index():
    filters = inbox.Filters.from_args(request.args)
    return render_template(
        "admin/inbox.html",
        inbox=inbox.inbox(filters),
        filters=filters,
        statuses=[status.value for status in FeedbackStatus],
        reasons=REASONS,
        slugs=inbox.document_slugs(),
        authors=inbox.authors(),
        flagged=len(health.health()),
        item_id=inbox.item_id,
        form=InboxBulkForm(formdata=None, query=request.query_string.decode()),
    )


@bp.post("/inbox")
@role_required("admin")
def bulk():
    form = InboxBulkForm()
    back = safe_local_path(f"{url_for('.index')}?{form.query.data}".rstrip("?"), url_for(".index"))
    try:
        result = inbox_actions.apply_bulk(form.item.data, form.action.data, current_user, form.reason.data)
    except inbox_actions.NothingSelected as error:
        flash(str(error))
        return redirect(back, 303)
    except FeedbackError as error:
        flash(f"Nothing changed: {error}")
        return redirect(back, 303)
    plural = "s" if result.count != 1 else ""
    if result.revision is not None:
        flash(
            f"Marked {result.count} item{plural} incorporated in revision {result.revision.number}; "
            "their authors are notified."
        )
    else:
        flash(f"{result.count} item{plural} now {result.status}.")
    return redirect(back, 303)


@bp.get("/health", endpoint="health")
@role_required("admin")
def health_page():
    return render_template(
        "admin/health.html",
        flagged=health.health(),
        rated=health.health(flagged_only=False),
        changed=health.changed_steps(),
        minimum=health.FLAG_MIN_DOWN,
    )


@bp.get("/health/<path:slug>/steps/<step_id>")
@role_required("admin")
def step_health(slug: str, step_id: str):
    """A step's figures for each content it has had: a changed step starts fresh, not forgotten."""
    document = editable_or_404(slug)
    versions = health.step_versions(document, step_id)
    if not versions:
        abort(404, description=f"'{document.title}' has never had a step '{step_id}'.")
    return render_template("admin/step_health.html", document=document, step_id=step_id, versions=versions)
