"""Who may reach a view: every page needs a login unless listed in PUBLIC_ENDPOINTS, and
`role_required` limits a view to a role and those above it. Both are enforced on the server."""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, request
from flask_login import current_user

from ..extensions import login_manager

PUBLIC_ENDPOINTS = {"auth.login", "static", "health.healthz"}


def role_required(role: str):
    """Allow the view to users whose role is `role` or above; others get 403."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def require_login():
    # Every page needs a login unless listed as public: a new route is safe by default.
    if request.endpoint not in PUBLIC_ENDPOINTS and not current_user.is_authenticated:
        if request.path.startswith("/api/"):
            return {"error": "log in, or send 'Authorization: Bearer <token>'"}, 401
        return login_manager.unauthorized()
    return None


def register(app: Flask) -> None:
    """Call after guards.register: input no database can hold is refused before anything else."""
    app.before_request(require_login)
