"""The login throttle: failed logins counted per account and per address (Flask-Limiter).

Only failures count (`deduct_when`), so agents who type their password right are never slowed,
and a throttled attempt is refused before the password is checked, even when it is right:
otherwise the throttle would tell a guesser when they had it.
"""

from __future__ import annotations

import math
import time

from flask import current_app, render_template, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from ..forms.auth import LoginForm
from ..services.users import normalise_username

limiter = Limiter(key_func=get_remote_address)


@limiter.request_filter
def _not_throttled() -> bool:
    # Only logging in has limits: other requests skip the limiter's lookups (a twentieth of a step
    # page's time), unless an operator set limits for every view.
    config = current_app.config
    return request.endpoint != "auth.login" and not (
        config.get("RATELIMIT_DEFAULT") or config.get("RATELIMIT_APPLICATION")
    )


ACCOUNT_MESSAGE = "Too many failed log-ins for this account."
ADDRESS_MESSAGE = "Too many failed log-ins from your network address."


def _account() -> str:
    # The same account however its name is typed; longer names cannot exist, so they share a key.
    return "account:" + normalise_username(request.form.get("username", ""))[:65].casefold()


def _address() -> str:
    return f"address:{request.remote_addr or 'unknown'}"


def _failed(response) -> bool:
    return response.status_code == 401


def login_throttle(view):
    """Decorate the login view with both limits (read from the config on each request)."""
    for setting, key, message in (
        ("LOGIN_LIMIT_ADDRESS", _address, ADDRESS_MESSAGE),
        ("LOGIN_LIMIT_ACCOUNT", _account, ACCOUNT_MESSAGE),
    ):
        view = limiter.limit(
            lambda setting=setting: current_app.config[setting],
            key_func=key,
            methods=["POST"],
            deduct_when=_failed,
            error_message=message,
        )(view)
    return view


def too_many_attempts(error: RateLimitExceeded):
    """429 with the login page (or the error page) saying how long to wait, and `Retry-After`."""
    current = limiter.current_limit
    wait = max(1, math.ceil(current.window.reset_time - time.time())) if current else 60
    message = f"{error.description} Try again in {_duration(wait)}."
    if request.endpoint == "auth.login":
        page = render_template("login.html", form=LoginForm(), error=message)  # keeps the typed name
    else:
        page = render_template("error.html", status=429, title="Too many attempts", message=message)
    return page, 429, {"Retry-After": str(wait)}


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"
