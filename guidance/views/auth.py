from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..security.throttle import login_throttle
from ..services.users import authenticate, end_sessions
from .redirects import safe_local_path

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@login_throttle
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    error = None
    if request.method == "POST":
        user = authenticate(request.form.get("username", ""), request.form.get("password", ""))
        if user is not None:
            login_user(user, remember=bool(request.form.get("remember")))
            return redirect(safe_local_path(request.args.get("next"), url_for("home.index")))
        error = "That username and password do not match an active account."
    return render_template("login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
    end_sessions(current_user)  # a copy of this session or its remember-me cookie stops working too
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))
