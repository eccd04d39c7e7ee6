"""Session, cookie and login settings, the login throttle and HSTS, set up on the app in one place."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_limiter import RateLimitExceeded

from . import (
    storage,  # noqa: F401  (registers the "database://" rate-limit storage)
    throttle,
)
from .sessions import CheckedOnceSessionInterface
from .throttle import too_many_attempts

MAX_REMEMBER_DAYS = 30
DEFAULTS = {
    "HTTPS": False,  # served over HTTPS: secure cookies and HSTS
    "REMEMBER_DAYS": MAX_REMEMBER_DAYS,  # "Keep me logged in", at most 30 days
    "API_TOKEN_DAYS": 90,  # default lifetime of `flask guidance create-token`
    "LOGIN_LIMIT_ACCOUNT": "5/minute;20/hour",  # failed logins per account
    "LOGIN_LIMIT_ADDRESS": "30/minute",  # failed logins per client address
    "RATELIMIT_STORAGE_URI": "database://",  # shared by all workers; "memory://" is per process
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STRATEGY": "fixed-window",
}
HSTS = "max-age=31536000"


def configure(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    https = bool(app.config["HTTPS"])
    if https:
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https")
    days = max(1, min(int(app.config["REMEMBER_DAYS"]), MAX_REMEMBER_DAYS))
    app.config.update(
        REMEMBER_COOKIE_DURATION=timedelta(days=days),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )
    app.session_interface = CheckedOnceSessionInterface()
    throttle.init_app(app)
    app.register_error_handler(RateLimitExceeded, too_many_attempts)

    if https:

        @app.after_request
        def strict_transport_security(response):
            response.headers.setdefault("Strict-Transport-Security", HSTS)
            return response
