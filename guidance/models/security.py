"""Counters of the login throttle, kept in the database so every worker counts the same failures."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class RateLimit(db.Model):
    """One fixed-window counter of the login throttle (guidance/security/storage.py).

    Kept in the database so every worker and machine counts the same failed logins.
    """

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int]
    expires_at: Mapped[float] = mapped_column(index=True)  # seconds since the epoch, as `limits` counts
