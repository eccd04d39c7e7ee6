"""HTTP layer: thin views that parse the request, call a service and render."""
from __future__ import annotations

from functools import wraps

from flask import Flask, abort, jsonify, request
from flask_login import current_user

from ..extensions import htmx, login_manager
from ..models import User
from ..services.tokens import user_for_token
from ..services.users import user_for_session

PUBLIC_ENDPOINTS = {"auth.login", "static"}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def role_required(role: str):
    """Allow the view to users whose role is `role` or above; others get 403."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_role = role
        return wrapped

    return decorate


def wants_fragment() -> bool:
    """An htmx request swapping part of a page, not a boosted or history-restoring one."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


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


def register(app: Flask) -> None:
    from . import admin, auth, documents, errors, feedback, guards, home, inbox, runs, search, tokens

    guards.register(app)  # first: its URL converter applies to the rules added below
    for module in (auth, home, search, documents, runs, admin, tokens, feedback, inbox):
        app.register_blueprint(module.bp)

    @app.before_request
    def require_login():
        # Every page needs a login unless listed as public: a new route is safe by default.
        if request.endpoint not in PUBLIC_ENDPOINTS and not current_user.is_authenticated:
            if request.path.startswith("/api/"):
                return {"error": "log in, or send 'Authorization: Bearer <token>'"}, 401
            return login_manager.unauthorized()
        return None

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.vary.add("HX-Request")
        return response

    errors.register(app)
