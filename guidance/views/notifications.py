"""The agent's notifications: what became of their notes and ratings."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from ..services import feedback as service

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("")
def index():
    """Newest first, the unread ones marked. Reading changes nothing: a GET can be sent by an
    image or a link without the agent meaning it."""
    items = service.notifications(current_user)
    unread = {n.id for n in items if n.read_at is None}
    return render_template("notifications.html", items=items, unread=unread)


@bp.post("/read")
def mark_read():
    service.mark_all_read(current_user)
    return redirect(url_for(".index"), 303)
