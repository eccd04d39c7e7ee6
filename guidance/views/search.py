from __future__ import annotations

import re

from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user

from .. import search as search_service
from ..content import DocumentKind
from ..ids import parse_id
from ..models import SearchSource
from ..services.documents import all_tags, get_document
from ..services.search_log import log_search, record_open
from . import wants_fragment

bp = Blueprint("search", __name__)
KINDS = [kind.value for kind in DocumentKind]
RETRY_AFTER = 10  # seconds: a rebuild of a few thousand pages
LOG_KEY = re.compile(r"[0-9a-f]{16}")


def _role() -> str | None:
    """Authors and admins see every audience; everyone else only their own role's."""
    return None if current_user.has_role("author") else current_user.role


def _asked_by_a_person() -> bool:
    """A page or htmx fetch, not an image or script some page pointed at this URL: only those
    are logged under the viewer's name (browsers say which in Sec-Fetch-Dest)."""
    return request.headers.get("Sec-Fetch-Dest", "document") in ("document", "empty", "iframe")


@bp.get("/search")
def results():
    query = request.args.get("q", "")[: search_service.MAX_QUERY]
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    tag = request.args.get("tag") or None
    found, log_id, suggestions = None, None, []
    live = bool(request.args.get("live"))
    # The few that fit, not everything that shares a word; more on request.
    more = bool(request.args.get("more"))
    if query.strip():
        engine = search_service.engine()
        found = engine.search(query, role=_role(), kind=kind, tag=tag, as_you_type=live, limit=20 if more else 5)
        if live and not query[-1].isspace():
            shown = {hit.slug for hit in found.hits[:3]}
            suggestions = [s for s in engine.suggest(query, role=_role(), limit=4) if s.slug not in shown]
        if (found.hits or found.closest) and _asked_by_a_person():
            log_id = log_search(current_user, found.query, [h.slug for h in found.hits])
    template = "_results.html" if wants_fragment() else "search.html"
    return render_template(template, query=query, found=found, log_id=log_id, kind=kind, tag=tag,
                           kinds=KINDS, tags=all_tags(current_user), suggestions=suggestions, more=more)


@bp.get("/search/suggest")
def suggest():
    """Titles completing what has been typed: a fast list for type-ahead widgets (and CRMs)."""
    hits = search_service.engine().suggest(request.args.get("q", "")[:100], role=_role())
    return render_template("_suggestions.html", hits=hits)


@bp.get("/api/v1/search")
def api():
    query = request.args.get("q", "")[: search_service.MAX_QUERY]
    limit = min(max(request.args.get("limit", 10, type=int) or 10, 1), 50)
    found = search_service.engine().search(query, role=_role(), limit=limit)
    if found.hits:
        log_search(current_user, found.query, [h.slug for h in found.hits], source=SearchSource.API)
    if found.unavailable:
        return jsonify({"error": found.unavailable, "query": found.query, "results": []}), 503, {
            "Retry-After": str(RETRY_AFTER)}
    results = [hit.as_json() for hit in found.hits]
    if not current_user.has_role("author"):  # where the source file lives is for those who edit it
        for result in results:
            result.pop("source_path", None)
    body = {
        "query": found.query,
        "results": results,
        "corrected": found.corrected,
        "weak": found.weak,
    }
    if found.message:
        body["message"] = found.message
    return jsonify(body)


@bp.post("/search/opened")
def opened():
    """Which result the agent opened, sent by static/app.js when a result link is clicked.

    A POST with the CSRF token, never a query on the document's GET: an image or a link anywhere
    could otherwise write to the viewer's search log.
    """
    key, slug = request.form.get("log", ""), request.form.get("slug", "")
    if not LOG_KEY.fullmatch(key) or get_document(slug, current_user) is None:
        return "", 422
    record_open(key, current_user, slug, parse_id(request.form.get("rank")))
    return "", 204
