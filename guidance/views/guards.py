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
    hosts = image_hosts(app.config.get("IMAGE_HOSTS", ""))
    app.extensions["guidance_image_hosts"] = hosts
    app.extensions["guidance_csp"] = content_security_policy(hosts)
    app.before_request(refuse_unstorable_input)
    # One hook, not three: Flask wraps each hook on every request, and every page pays for it.
    app.after_request(finish_response)


def refuse_unstorable_input():
    limit = int(current_app.config.get("MAX_URL_LENGTH", MAX_URL_LENGTH))
    if url_too_long(limit):
        abort(
            414,
            description=f"This address is longer than {limit:,} characters, longer than any link "
            "this site makes. If you pasted a search, shorten it.",
        )
    if holds_nul():
        abort(422, description=NUL_MESSAGE)


def url_too_long(limit: int) -> bool:
    """Are the path and query, as sent (percent-encoded), longer than `limit`, whatever the server
    put in the environ? A path that could not pass it even with every character percent-encoded
    as UTF-8 (12 characters at most) is not encoded: most requests skip the work."""
    query = request.query_string
    path = request.path
    sent_query = len(query) + 1 if query else 0
    if len(path) * 12 + sent_query <= limit:
        return False
    return len(quote(path, safe="/:@!$&'()*+,;=~")) + sent_query > limit


def holds_nul() -> bool:
    if "\x00" in request.path:
        return True
    # A query string or form holds a NUL only as "%00" (or raw in a body); without a body or a
    # query there is nothing more to read, and reading request.form would parse it for nothing.
    fields = []
    if request.query_string:
        fields.append(request.args)
    if request.content_length or request.environ.get("HTTP_TRANSFER_ENCODING"):
        fields.append(request.form)
    for values in fields:
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


def content_security_policy(hosts: tuple[str, ...]) -> str:
    """The CSP every answer gets: the listed image hosts widen img-src."""
    if not hosts:
        return CSP
    sources = " ".join(f"https://{host}" for host in hosts)
    return re.sub(r"(img-src [^;]*)", rf"\1 {sources}", CSP)


def finish_response(response):
    """The headers every answer gets. What a logged-in person sees (and any API answer) stays out
    of shared and browser caches: the next person at the desk must not get it from the Back button
    or a proxy."""
    headers = response.headers
    present = {name.lower() for name, _ in headers}  # one pass: each lookup by name is another
    wanted = [
        ("Content-Security-Policy", current_app.extensions["guidance_csp"]),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
    ]
    if "vary" in present:
        response.vary.add("HX-Request")
    else:
        wanted.append(("Vary", "HX-Request"))
    if request.endpoint != "static" and (request.path.startswith("/api/") or current_user.is_authenticated):
        if "cache-control" in present:
            headers["Cache-Control"] = "no-store"
        else:
            wanted.append(("Cache-Control", "no-store"))
    headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
    return response
