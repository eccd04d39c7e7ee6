"""Checks every request passes before a view runs, the answers they give when it does not, and
headers every answer gets.

They refuse what no view should have to think about: ids no database column holds, NUL
characters (PostgreSQL cannot store or compare them), URLs longer than any link we make.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Flask, abort, current_app, request
from flask_login import current_user
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, PathConverter

from ..content.render import ImagePolicy
from ..ids import MAX_ID, parse_id

LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
HOST_NAME = re.compile(rf"{LABEL}(?:\.{LABEL})*")
MAX_URL_LENGTH = 4096  # default of the MAX_URL_LENGTH setting (GUIDANCE_MAX_URL_LENGTH)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
NUL_MESSAGE = (
    "The request holds a NUL character (\\0), which cannot be stored or searched. "
    "Remove it (it often comes with text pasted from another program) and try again."
)


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number beyond what INTEGER holds is not found.

    Not werkzeug's `max`: its ValidationError makes the router answer 405 when a rule for another
    method has the same path (POST /runs/<huge>/steps/x matched the GET rule's path).
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound("There is nothing with that number.")
        return number


class SlugConverter(PathConverter):
    """`<path:...>` in every route: a slug ending in "/steps" never takes the one segment after it.

    `/d/<slug>/steps/<step_id>` and `/d/<slug>/compare` (history, review, source, ...) both match
    `/d/x/steps/compare`, and the router preferred the longer static word: previewing a step named
    "compare" or "review" opened another page of a document "x/steps".
    """

    regex = r"[^/].*?(?!(?<=/steps)/[^/]+\Z)"


def register(app: Flask) -> None:
    """Call before the blueprints are registered: the converters apply to rules as they are added."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["path"] = SlugConverter
    app.extensions["guidance_image_hosts"] = image_hosts(app.config.get("IMAGE_HOSTS", ""))
    app.before_request(refuse_unstorable_input)
    # after_request functions run last-registered first: security_headers sets the CSP that
    # allow_listed_image_hosts then widens.
    app.after_request(allow_listed_image_hosts)
    app.after_request(never_stored)
    app.after_request(security_headers)


def refuse_unstorable_input():
    limit = int(current_app.config.get("MAX_URL_LENGTH", MAX_URL_LENGTH))
    if url_length() > limit:
        abort(
            414,
            description=f"This address is longer than {limit:,} characters, longer than any link "
            "this site makes. If you pasted a search, shorten it.",
        )
    if holds_nul():
        abort(422, description=NUL_MESSAGE)


def url_length() -> int:
    """The path and query as sent (percent-encoded), whatever the server put in the environ."""
    query = request.query_string
    return len(quote(request.path, safe="/:@!$&'()*+,;=~")) + (len(query) + 1 if query else 0)


def holds_nul() -> bool:
    if "\x00" in request.path:
        return True
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                return True
    return False


def requested_id(raw: str | None, name: str) -> int | None:
    """The id a query or form field holds; None when the field is absent or empty.

    A value that no row can have (not a number, out of INTEGER's range) answers 404.
    """
    if not raw:
        return None
    number = parse_id(raw)
    if number is None:
        abort(404, description=f"There is no {name} {raw[:20]!r}.")
    return number


def image_hosts(setting) -> tuple[str, ...]:
    """IMAGE_HOSTS (GUIDANCE_IMAGE_HOSTS): host names documents may show https images from,
    comma-separated. Refused at start unless each is a plain host name: it goes into the CSP."""
    items = setting.split(",") if isinstance(setting, str) else list(setting or [])
    hosts = tuple(dict.fromkeys(item.strip().lower() for item in items if item.strip()))
    for host in hosts:
        if not HOST_NAME.fullmatch(host):
            raise ValueError(
                f"IMAGE_HOSTS: {host!r} is not a host name; list names such as images.example.com, separated by commas"
            )
    return hosts


def image_policy() -> ImagePolicy:
    """Which images documents may load (notes load none: guidance.content.render.render_note)."""
    return ImagePolicy(frozenset(current_app.extensions["guidance_image_hosts"]))


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.vary.add("HX-Request")
    return response


def allow_listed_image_hosts(response):
    hosts = current_app.extensions["guidance_image_hosts"]
    policy = response.headers.get("Content-Security-Policy")
    if hosts and policy:
        sources = " ".join(f"https://{host}" for host in hosts)
        response.headers["Content-Security-Policy"] = re.sub(r"(img-src [^;]*)", rf"\1 {sources}", policy)
    return response


def never_stored(response):
    """What a logged-in person sees (and any API answer) stays out of shared and browser caches:
    the next person at the desk must not get it from the Back button or a proxy."""
    if request.endpoint != "static" and (request.path.startswith("/api/") or current_user.is_authenticated):
        response.headers["Cache-Control"] = "no-store"
    return response
