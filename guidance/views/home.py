from __future__ import annotations

from flask import Blueprint, render_template
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
