"""A page rendered once with marked slots where each request's own values go, then filled per
request by joining strings: for a previewed step, rendering the templates was a third of the time.

A slot is a marker escaping leaves alone and no content can hold by chance (NUL characters
around this process's random token and a name); the values filled in must already be HTML. Templates see `slots` (the
markers) only while a skeleton is being rendered, and show the per-request piece in its place.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from flask import current_app, g
from markupsafe import Markup

from ._csrf import page_csrf_token

_TOKEN = secrets.token_hex(8)
_SLOT = re.compile(f"\x00{_TOKEN}([a-z0-9_]+)\x00")


def slot(name: str) -> Markup:
    return Markup(f"\x00{_TOKEN}{name}\x00")


class Skeleton:
    """Rendered HTML cut at its slots: static text at even indexes, slot names at odd ones."""

    def __init__(self, html: str) -> None:
        self.parts = _SLOT.split(html)
        self.names = set(self.parts[1::2])

    def fill(self, values: dict[str, Callable[[], str]]) -> Markup:
        """Each slot's value made by its function, called only for the slots this skeleton has."""
        made = {name: values[name]() for name in self.names}
        parts = self.parts.copy()
        parts[1::2] = [made[name] for name in parts[1::2]]
        return Markup("".join(parts))


def csrf_token() -> str:
    """Templates' csrf_token(): the session's token, or its slot while a skeleton is rendered."""
    return slot("csrf") if g.get("skeleton") else page_csrf_token()


def render_skeleton(render, **context) -> Skeleton:
    """`render(**context)` with `slots` (name -> marker) given and csrf_token() a slot too."""
    g.skeleton = True
    try:
        return Skeleton(render(**context))
    finally:
        g.skeleton = False


def macros(template: str):
    """A template's macros, for filling a slot with the very markup the page shows elsewhere."""
    return current_app.jinja_env.get_template(template).module
