"""The JSON API for CRMs and scripts (`Authorization: Bearer <token>`, see views/auth.py)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from .. import search as search_service
from ..models import SearchSource
from ..services.search_log import log_search
from .search import audience_role

bp = Blueprint("api", __name__, url_prefix="/api/v1")
RETRY_AFTER = 10  # seconds: a rebuild of a few thousand pages


@bp.get("/search")
def search():
    query = request.args.get("q", "")[: search_service.MAX_QUERY]
    limit = min(max(request.args.get("limit", 10, type=int) or 10, 1), 50)
    found = search_service.engine().search(query, role=audience_role(), limit=limit)
    if found.hits:
        log_search(current_user, found.query, [h.slug for h in found.hits], source=SearchSource.API)
    if found.unavailable:
        return (
            jsonify({"error": found.unavailable, "query": found.query, "results": []}),
            503,
            {"Retry-After": str(RETRY_AFTER)},
        )
    results = [hit.as_json() for hit in found.hits]
    if not current_user.has_role("author"):  # where the source file lives is for those who edit it
        for result in results:
            result.pop("source_path", None)
    body = {**found.as_json(), "results": results, "weak": found.weak}
    if found.message:
        body["message"] = found.message
    return jsonify(body)
