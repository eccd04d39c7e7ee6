"""The login throttle: failed logins counted per account and per address (Flask-Limiter).

Only failures count (`deduct_when`), so agents who type their password right are never slowed,
and a throttled attempt is refused before the password is checked, even when it is right:
otherwise the throttle would tell a guesser when they had it.
"""

from __future__ import annotations

import math
import time

from flask import Flask, current_app, render_template, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from ..forms.auth import LoginForm
from ..services.users import normalise_username

limiter = Limiter(key_func=get_remote_address)
LOGIN_ENDPOINT = "auth.login"


def init_app(app: Flask) -> None:
    """The limiter on `app`. Only logging in has limits, so its hooks run for the login
    blueprint's pages alone, unless an operator set limits for every view: run for every request,
    they cost a step page 0.04-0.05 ms of its 1.2 (in-process, 2026-12-07)."""
    registries = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    before = [list(registry[None]) for registry in registries]
    limiter.init_app(app)
    if _limits_everywhere(app.config):
        return
    for registry, kept in zip(registries, before, strict=True):
        added = [hook for hook in registry[None] if hook not in kept]
        registry[None] = kept
        registry[LOGIN_ENDPOINT.partition(".")[0]].extend(added)


def _limits_everywhere(config) -> bool:
    return bool(config.get("RATELIMIT_DEFAULT") or config.get("RATELIMIT_APPLICATION"))


@limiter.request_filter
def _not_throttled() -> bool:
    # Only logging in has limits: the login blueprint's other requests skip the limiter's lookups.
    return request.endpoint != LOGIN_ENDPOINT and not _limits_everywhere(current_app.config)


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
    if request.endpoint == LOGIN_ENDPOINT:
        page = render_template("login.html", form=LoginForm(), error=message)  # keeps the typed name
    else:
        page = render_template("error.html", status=429, title="Too many attempts", message=message)
    return page, 429, {"Retry-After": str(wait)}


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"
