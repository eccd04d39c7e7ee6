"""What every template may use besides what its view passes: the page frame's data (gathered
here, once per page, so no template calls the database), note rendering and feedback labels."""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, g, has_request_context, request
from flask_login import current_user
from jinja2 import TemplateError

from ..content.render import render_note
from ..services import feedback
from ._skeleton import csrf_token
from .fragments import wants_fragment


def bare_page() -> None:
    """Mark this request's page as bare: an error page whose frame must not read the database
    (it may be what failed), so base.html leaves out the header and the flashed messages."""
    g.bare_page = True


def page_frame() -> dict:
    """base.html's header: the unread-notification count, one query, only for a full page a
    logged-in person sees (not for fragments, bare pages or the login page); none when the view
    already put it in `g.unread_notifications`."""
    if not has_request_context():
        return {}
    bare = g.get("bare_page", False)
    if bare or wants_fragment() or not current_user.is_authenticated:
        return {"bare": bare, "unread_notifications": 0}
    unread = g.get("unread_notifications")  # a view that read it along with its own data
    if unread is None:  # asked only if the page shows the header (a suggestion list does not)
        unread = _Unread(current_user._get_current_object())
    return {"bare": False, "unread_notifications": unread}


class _Unread:
    """The unread count, read from the database the first time a template shows it."""

    def __init__(self, user) -> None:
        self.user, self.count = user, None

    def __int__(self) -> int:
        if self.count is None:
            self.count = feedback.unread_count(self.user)
        return self.count

    def __bool__(self) -> bool:
        return bool(int(self))

    def __str__(self) -> str:
        return str(int(self))


def remembered_url_for(app: Flask):
    """Templates' url_for, remembering the URLs it built: a step page builds about twenty, and
    building them was a tenth of its time. A URL depends on the arguments and on where the app
    is served (its script root; the host and scheme for an external one; the blueprint for a
    relative endpoint), all in the key. Bounded; unhashable arguments are built every time."""
    build = app.url_for

    @lru_cache(maxsize=8192)
    def remembered(endpoint: str, where: tuple, values: tuple) -> str:
        return build(endpoint, **dict(values))

    def url_for(endpoint: str, **values) -> str:
        if not has_request_context():
            return build(endpoint, **values)
        external = values.get("_external", False)
        where = (
            request.script_root,
            request.blueprint if endpoint.startswith(".") else None,
            (request.host, request.scheme) if external else None,
        )
        try:
            return remembered(endpoint, where, tuple(sorted(values.items())))
        except TypeError:  # a list or dict among the arguments
            return build(endpoint, **values)

    return url_for


def compile_templates(app: Flask) -> list[str]:
    """Compile every template now (0.36 s for all of them), as a gunicorn worker starts. On the
    request path, a new worker's first step pages took 300-400 ms each under load, and the
    requests queued behind them waited too: the first seconds' p99 was 305-377 ms (75-92 after).
    Gives the names of those that do not compile."""
    broken = []
    for name in app.jinja_env.list_templates(extensions=("html",)):
        try:
            app.jinja_env.get_template(name)
        except TemplateError:
            broken.append(name)
    return broken


def register(app: Flask) -> None:
    # After Flask-WTF's: csrf_token() leaves a slot in a kept page (views/_skeleton.py).
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
    app.context_processor(page_frame)
    app.jinja_env.globals["url_for"] = remembered_url_for(app)
    app.add_template_filter(render_note, "note_markdown")
    app.jinja_env.globals.update(REASONS=feedback.REASONS, MAX_NOTE=feedback.MAX_NOTE)
