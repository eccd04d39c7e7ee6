from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from . import wants_fragment
from ..search import MAX_QUERY, title_search
from ..services import documents, runs

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render_template(
        "home.html",
        query="",
        results=None,
        recent=runs.recent_documents(current_user),
        pinned=documents.pinned(current_user),
        library=documents.library_by_tag(current_user),
        untagged=documents.untagged(current_user),
    )


@bp.get("/search")
def search():
    query = request.args.get("q", "")[:MAX_QUERY].strip()
    results = title_search(query, current_user) if query else None
    template = "_results.html" if wants_fragment() else "search.html"
    return render_template(template, query=query, results=results)
