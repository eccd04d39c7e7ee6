from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from ..extensions import db
from ..models import User
from .redirects import safe_local_path

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        user = db.session.scalar(select(User).where(User.username == username))
        if user and user.active and user.check_password(request.form.get("password", "")):
            login_user(user, remember=bool(request.form.get("remember")))
            return redirect(safe_local_path(request.args.get("next"), url_for("home.index")))
        error = "That username and password do not match an active account."
    return render_template("login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))
