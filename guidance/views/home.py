from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

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
        library=documents.library_by_tag(current_user),
        untagged=documents.untagged(current_user),
    )


@bp.get("/tags/<path:tag>")
def tag(tag: str):
    """Every document with a tag, straight from the database: browsing works without search."""
    found = documents.tagged(tag, current_user)
    if not found:
        abort(404, description=f"No document is tagged '{tag}'.")
    return render_template("tag.html", tag=tag, documents=found, tags=documents.all_tags(current_user))
