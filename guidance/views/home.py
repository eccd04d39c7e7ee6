"""The ways into the library that need no search: the home page, a tag's documents, and the
deep links phone systems and CRMs open for a contact reason."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from ..content.placeholders import NAME
from ..services import documents, runs

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render_template(
        "home.html",
        query="",
        found=None,
        recent=runs.recent_documents(current_user),
        pinned=documents.pinned(current_user),
        updated=documents.updated_since(current_user, current_user.previous_login_at),
        library=documents.library(current_user),
        tags=documents.all_tags(current_user),
    )


@bp.get("/tags/<path:tag>")
def tag(tag: str):
    """Every document with a tag, straight from the database: browsing works without search."""
    found = documents.tagged(tag, current_user)
    if not found:
        abort(404, description=f"No document is tagged '{tag}'.")
    return render_template("tag.html", tag=tag, documents=found, tags=documents.all_tags(current_user))


@bp.get("/go/<code>")
def go(code: str):
    """Deep link for phone systems and CRMs: open the process for a contact reason."""
    matches = documents.documents_for_reason(code, current_user)
    # The CRM's context goes on to the process, which says what it cannot use.
    given = {name: value for name, value in request.args.items() if NAME.fullmatch(name)}
    if len(matches) == 1:
        return redirect(url_for("documents.show", slug=matches[0].slug, **given))
    status = 200 if matches else 404
    return render_template("go.html", code=code, matches=matches, link_args=given), status
