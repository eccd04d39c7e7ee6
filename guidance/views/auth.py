"""Logging in and out, and how each request finds its user: the session cookie for pages, a
bearer token for the JSON API."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..extensions import login_manager
from ..forms.auth import LoginForm
from ..models import User
from ..security.throttle import login_throttle
from ..services.tokens import user_for_token
from ..services.users import authenticate, end_sessions, user_for_session
from .redirects import safe_local_path

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    return user_for_session(session_id)  # None once the user logged out or changed password


@login_manager.request_loader
def load_user_from_token(req) -> User | None:
    """CRMs call the JSON API with `Authorization: Bearer <token>` (flask guidance create-token)."""
    header = req.headers.get("Authorization", "")
    if req.path.startswith("/api/") and header.startswith("Bearer "):
        user, problem = user_for_token(header.removeprefix("Bearer ").strip())
        if problem:  # say why, rather than the generic "log in" answer
            refused = jsonify(error=problem)
            refused.status_code = 401
            refused.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            abort(refused)
        return user
    return None


@bp.route("/login", methods=["GET", "POST"])
@login_throttle
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form, error = LoginForm(), None
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_local_path(request.args.get("next"), url_for("home.index")))
    if form.is_submitted():
        error = "That username and password do not match an active account."
    return render_template("login.html", form=form, error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
    end_sessions(current_user)  # a copy of this session or its remember-me cookie stops working too
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))
