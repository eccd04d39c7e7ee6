"""htmx: whether a request swaps part of a page, so a view answers with a fragment."""

from __future__ import annotations

from ..extensions import htmx


def wants_fragment() -> bool:
    """An htmx request swapping part of a page, not a boosted or history-restoring one."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request
