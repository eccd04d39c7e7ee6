"""Error answers: an app-styled page for people, `{"error": ...}` under /api/.

A database that is locked or gone answers 503 with a retry hint; anything unexpected answers a
calm 500 after the session is rolled back, so the page itself can still read the database.
"""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from ..extensions import login_manager
from ..services.transactions import discard_unfinished
from .fragments import wants_fragment
from .templating import bare_page

log = logging.getLogger(__name__)
RETRY_AFTER = 5  # seconds
TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    413: "Too large",
    414: "URL too long",
    422: "Not accepted",
    500: "Something went wrong",
    503: "Try again in a moment",
}


def error_response(
    status: int, message: str, *, title: str | None = None, bare: bool = False, headers: dict[str, str] | None = None
):
    """The app-styled page; JSON under /api/; for htmx, just the words, in the page's alert region.

    `bare` leaves out everything in the page frame that reads the database.
    """
    title, headers = title or TITLES.get(status, "Error"), dict(headers or {})
    if request.path.startswith("/api/"):
        return jsonify({"error": f"{title}: {message}" if message else title}), status, headers
    if wants_fragment():
        words = Markup("<p><strong>{}.</strong> {}</p>").format(title, message) if message else escape(title)
        return words, status, {**headers, "HX-Retarget": "#request-error", "HX-Reswap": "innerHTML"}
    if bare:
        bare_page()
    page = render_template("error.html", status=status, title=title, message=message)
    return page, status, headers


def _http_error(error: HTTPException):
    return error_response(error.code or 500, error.description or "")


def _csrf_error(error: CSRFError):
    return error_response(
        400, "The form expired or came from elsewhere. Go back, reload and try again.", title="Form expired"
    )


def _database_unavailable(error: OperationalError):
    discard_unfinished()
    if "_login_user" not in g:  # loading the user may be what failed: do not try again to render
        g._login_user = login_manager.anonymous_user()
    log.warning("database unavailable: %s", error.orig.__class__.__name__ if error.orig else error)
    return error_response(
        503,
        f"The database is busy or unavailable. Nothing you saved is lost; try again in {RETRY_AFTER} seconds.",
        bare=True,
        headers={"Retry-After": str(RETRY_AFTER)},
    )


def _unexpected(error):
    discard_unfinished()
    return error_response(
        500, "The error has been logged. Go back and try again; if it happens again, tell your admin.", bare=True
    )


def register(app: Flask) -> None:
    for status in (400, 403, 404, 405, 413, 414, 422):
        app.register_error_handler(status, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(500, _unexpected)
