"""People who log in, their role, and the session version that lets a logout end every copy of a session."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ._base import one_of, utcnow


class Role(StrEnum):
    """Ordered by privilege: each role can do everything the roles before it can."""

    AGENT = "agent"
    AUTHOR = "author"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


_RANKS = {role: role.rank for role in Role}  # has_role is asked a few times on every page


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), one_of("role", Role), default=Role.AGENT)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of the id kept in session and remember-me cookies: bumping it (logout, a new password)
    # makes every cookie issued before worthless, also one copied by someone else.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # The last login and the one before it: home lists what was published since the agent's last shift.
    last_login_at: Mapped[datetime | None]
    previous_login_at: Mapped[datetime | None]

    def set_password(self, password: str, method: str = "scrypt") -> None:
        self.password_hash = generate_password_hash(password, method=method)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Refuse every session and remember-me cookie issued so far (the caller commits)."""
        self.session_version = (self.session_version or 0) + 1

    def get_id(self) -> str:  # what Flask-Login stores in the session and the remember-me cookie
        return f"{self.id}:{self.session_version}"

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def has_role(self, role: str) -> bool:
        return _RANKS[self.role] >= _RANKS[role]  # a str is its Role's key
