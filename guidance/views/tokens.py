"""Admins list API tokens (never the token itself) and revoke them after confirming."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ..models._base import utcnow
from ..services import tokens as service
from .access import role_required

bp = Blueprint("tokens", __name__, url_prefix="/admin/tokens")


@bp.get("")
@role_required("admin")
def index():
    return render_template("admin/tokens.html", tokens=service.active_tokens(), now=utcnow())


@bp.route("/<int:token_id>/revoke", methods=["GET", "POST"])
@role_required("admin")
def revoke(token_id: int):
    """GET asks to confirm; POST revokes."""
    found = service.token_with_user(token_id)
    if found is None:
        abort(404, "No such token, or it is already revoked.")
    if request.method == "GET":
        return render_template("admin/token_revoke.html", token=found[0], username=found[1], now=utcnow())
    service.revoke_token(token_id)
    flash(f"Revoked token {token_id} of {found[1]}. Calls with it are refused from now on.")
    return redirect(url_for(".index"), 303)
