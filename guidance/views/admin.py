from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import ROLES, User
from ..services import synonyms as synonym_service
from ..services.users import UserError, create_user
from .access import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users():
    created, error, status = None, None, 200
    if request.method == "POST":
        try:
            created = create_user(request.form.get("username", ""), request.form.get("role", ""))
        except UserError as problem:
            error, status = str(problem), 422
    people = db.session.scalars(select(User).order_by(User.username))
    return render_template("admin/users.html", users=people, roles=ROLES, created=created,
                           error=error, form=request.form), status


@bp.route("/synonyms", methods=["GET", "POST"])
@role_required("admin")
def synonyms():
    """One group per line: words and phrases customers use for the same thing."""
    if request.method == "POST":
        try:
            count = synonym_service.replace_all(request.form.get("groups", ""), current_user)
        except synonym_service.SynonymError as error:
            return render_template("admin/synonyms.html", text=request.form.get("groups", ""),
                                   error=str(error)), 422
        flash(f"Saved {count} synonym group{'s' if count != 1 else ''}. Search uses them from now on.")
        return redirect(url_for(".synonyms"))
    return render_template("admin/synonyms.html", text=synonym_service.as_text(), error=None)
