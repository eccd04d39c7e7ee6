"""`/healthz`: for load balancers and monitoring, without a login. 200 when the database answers
and search has an index; 503 with the reason otherwise. The semantic stage being off is reported,
not a failure: search then works lexically."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy.exc import SQLAlchemyError

from .. import search
from ..search.health import status as search_status
from ..services.content_state import current_generation
from ..services.transactions import discard_unfinished

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        generation, _ = current_generation()
    except SQLAlchemyError as error:
        discard_unfinished()
        body = {"status": "unavailable", "database": {"state": "unavailable", "problem": error.__class__.__name__}}
        return jsonify(body), 503, {"Retry-After": "5"}
    index = search_status(search.engine(), generation)
    healthy = index["state"] == "ok"
    body = {"status": "ok" if healthy else "degraded", "database": {"state": "ok"}, "search": index}
    return jsonify(body), 200 if healthy else 503
