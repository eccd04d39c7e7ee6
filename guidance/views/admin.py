from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from ..extensions import db
from ..models import ROLES, User
from ..services.users import UserError, create_user
from . import role_required

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
