"""HTTP layer: thin views that parse the request, call a service and render.

Each area is a blueprint in its own module, with its URL prefix set on the blueprint. Shared
pieces live beside them: access.py (login and roles), guards.py (checks and headers every
request gets), errors.py (every error answer), templating.py (what every template may use),
fragments.py (htmx), and the private _pages.py, _panel.py and _runner.py (what step and
document pages show), _renderings.py (each published revision's rendering, kept per worker)
and _kept.py with _skeleton.py (a previewed step's whole page, kept with slots filled per request).
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from . import (
        access,
        admin,
        api,
        audit,
        auth,
        authoring,
        documents,
        drafting,
        editing,
        errors,
        feedback,
        guards,
        health,
        history,
        home,
        inbox,
        notes,
        notifications,
        review,
        runs,
        search,
        templating,
        tokens,
    )

    guards.register(app)  # first: its URL converter applies to the rules added below
    access.register(app)
    for module in (
        health,
        auth,
        home,
        search,
        api,
        documents,
        runs,
        editing,
        drafting,
        review,
        history,
        authoring,
        audit,
        feedback,
        notes,
        notifications,
        admin,
        tokens,
        inbox,
    ):
        app.register_blueprint(module.bp)
    templating.register(app)
    errors.register(app)
