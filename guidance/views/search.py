"""Searching the library: the results page, its live fragment, type-ahead titles, and the
beacon that records which result was opened."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from .. import search as search_service
from ..content import DocumentKind
from ..forms.search import OpenedForm
from ..ids import parse_id
from ..services.documents import all_tags, get_document
from ..services.search_log import log_search, record_open
from .fragments import wants_fragment

bp = Blueprint("search", __name__, url_prefix="/search")
KINDS = [kind.value for kind in DocumentKind]


def audience_role() -> str | None:
    """Authors and admins see every audience; everyone else only their own role's."""
    return None if current_user.has_role("author") else current_user.role


def _asked_by_a_person() -> bool:
    """A page or htmx fetch, not an image or script some page pointed at this URL: only those
    are logged under the viewer's name (browsers say which in Sec-Fetch-Dest)."""
    return request.headers.get("Sec-Fetch-Dest", "document") in ("document", "empty", "iframe")


@bp.get("")
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
        found = engine.search(
            query, role=audience_role(), kind=kind, tag=tag, as_you_type=live, limit=20 if more else 5
        )
        if live and not query[-1].isspace():
            shown = {hit.slug for hit in found.hits[:3]}
            suggestions = [s for s in engine.suggest(query, role=audience_role(), limit=4) if s.slug not in shown]
        if (found.hits or found.closest) and _asked_by_a_person():
            log_id = log_search(current_user, found.query, [h.slug for h in found.hits])
    fragment = wants_fragment()
    # A fragment lists tags only when there is nothing better to offer (one query less per keystroke).
    tags = [] if fragment and found and not (found.unavailable or found.weak) else all_tags(current_user)
    template = "_results.html" if fragment else "search.html"
    return render_template(
        template,
        query=query,
        found=found,
        log_id=log_id,
        kind=kind,
        tag=tag,
        kinds=KINDS,
        tags=tags,
        suggestions=suggestions,
        more=more,
    )


@bp.get("/suggest")
def suggest():
    """Titles completing what has been typed: a fast list for type-ahead widgets (and CRMs)."""
    hits = search_service.engine().suggest(request.args.get("q", "")[:100], role=audience_role())
    return render_template("_suggestions.html", hits=hits)


@bp.post("/opened")
def opened():
    """Which result the agent opened, sent by static/app.js when a result link is clicked.

    A POST with the CSRF token, never a query on the document's GET: an image or a link anywhere
    could otherwise write to the viewer's search log.
    """
    form = OpenedForm()
    if not form.validate_on_submit() or get_document(form.slug.data, current_user) is None:
        return "", 422
    record_open(form.log.data, current_user, form.slug.data, parse_id(form.rank.data))
    return "", 204
