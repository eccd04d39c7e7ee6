"""What operations care about, one JSON line per event on the `guidance.events` logger.

Logins and failed logins, admin actions, imports and publishes: each line says what happened,
who did it (user id), where (the route, or the command) and how long the request or command had
taken by then, so a log shipper can filter and count without parsing prose.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

import click
from flask import Flask, g, has_request_context, request
from flask_login import current_user

log = logging.getLogger("guidance.events")
STARTED = "guidance.started"  # where a command keeps its start time, in click's context meta


def record(event: str, *, user_id: int | None = None, **fields: Any) -> None:
    line: dict[str, Any] = {"event": event}
    if has_request_context():
        line["route"] = f"{request.method} {request.url_rule.rule if request.url_rule else request.path}"
        started = g.get("started", time.perf_counter())
        if user_id is None and current_user and current_user.is_authenticated:
            user_id = current_user.id
    else:
        context = click.get_current_context(silent=True)
        line["route"] = context.command_path if context else "-"
        started = context.meta.get(STARTED, time.perf_counter()) if context else time.perf_counter()
    line["user_id"] = user_id
    line["ms"] = round((time.perf_counter() - started) * 1000, 1)
    line.update(fields)
    log.info(json.dumps(line, default=str, ensure_ascii=False))


def init_app(app: Flask) -> None:
    @app.before_request
    def start_clock():
        g.started = time.perf_counter()

    # Where nothing else configures logging (gunicorn, flask run), events go to standard error.
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.propagate = False  # logging configured later (Alembic's, say) must not print them twice
    log.setLevel(logging.INFO)
