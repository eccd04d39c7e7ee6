"""Guidance: agent-assist guidance and knowledge base."""

from __future__ import annotations

import os

# Before anything imports numpy: OpenBLAS reads this once, when it loads. Its default (a thread per
# core, spinning between calls) made every search cost ~5x the CPU on the 2-core server, where
# worker threads already use the cores (measured: 190 ms of CPU per search at 2,000 documents, 37
# with one thread). minilm.py set it too, but only after hybrid.py had loaded numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from .extensions import csrf, db, htmx, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(
        DATA_DIR=None,
        DATABASE_URL=None,
        SECRET_KEY=None,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        # A form field may hold a whole document (up to 1 MB, refused readably beyond by the
        # editor): Flask's 500 kB default answered a long document's save with a bare 413.
        MAX_FORM_MEMORY_SIZE=2 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
    )
    # GUIDANCE_DATA_DIR, GUIDANCE_DATABASE_URL, GUIDANCE_SECRET_KEY, ...
    app.config.from_prefixed_env("GUIDANCE")
    if test_config:
        app.config.update(test_config)

    data_dir = Path(app.config["DATA_DIR"] or app.instance_path)
    data_dir.mkdir(parents=True, exist_ok=True)
    app.config["DATA_DIR"] = str(data_dir)
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"] or f"sqlite:///{data_dir / 'guidance.db'}"
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or _stored_secret(data_dir)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Concurrent writers (many agents saving notes at once) wait for the lock, not fail.
        options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        options.setdefault("connect_args", {}).setdefault("timeout", 30)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)

    from . import cli, events, security, views

    events.init_app(app)
    security.configure(app)

    views.register(app)
    cli.register(app)
    return app


def _stored_secret(data_dir: Path) -> str:
    """A per-installation key kept beside the data, so it never lives in the repo.

    Workers starting together must agree on one key: each writes a candidate to a file of its
    own, then links it into place, which only the first can do (like O_EXCL), and a reader
    never sees a half-written key. Everyone then reads the one that won.
    """
    path = data_dir / "secret_key"
    if not path.exists():
        candidate = data_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass  # another worker was first: use its key
        finally:
            candidate.unlink()
    return path.read_text().strip()
