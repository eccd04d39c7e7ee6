"""The page's CSRF token, signed once per session in each worker.

Flask-WTF signs the session's token afresh on every page (a tenth of a step page's time). With
no time limit on tokens (WTF_CSRF_TIME_LIMIT None: a token is good for its session), any
signature of it is as good as a new one, so the first is kept and handed out again. With a time
limit each page is signed afresh, as Flask-WTF does.
"""

from __future__ import annotations

import threading

from flask import current_app, g, session
from flask_wtf.csrf import generate_csrf

KEPT = 10_000  # sessions' signed tokens per worker; all forgotten at once when full

_signed: dict[tuple[str, str], str] = {}
_lock = threading.Lock()


def page_csrf_token() -> str:
    """generate_csrf(), reusing this session's token signed earlier when tokens never expire."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")  # its key in the session and in g
    if config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None or field in g:  # (Flask-WTF's default)
        return generate_csrf()
    secret = str(config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key)
    raw = session.get(field)
    signed = _signed.get((raw, secret)) if raw is not None else None
    if signed is not None:
        setattr(g, field, signed)  # where generate_csrf() looks first
        return signed
    token = generate_csrf()
    key = (session[field], secret)
    with _lock:
        if len(_signed) >= KEPT:
            _signed.clear()
        _signed[key] = token
    return token
