"""After an unexpected error: throwing away what the failed request left unfinished.

Services commit their own work (see guidance.services); this is for the error handlers, so the
error page itself can still read the database.
"""

from __future__ import annotations

import logging

from ..extensions import db

log = logging.getLogger(__name__)


def discard_unfinished() -> None:
    try:
        db.session.rollback()
    except Exception:  # a connection that is gone cannot roll back; the pool replaces it
        log.exception("rollback after an error failed")
