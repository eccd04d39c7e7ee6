"""Accounts: creation and the demo users `make run` sets up."""
from __future__ import annotations

import hashlib
import json
import secrets
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..models import ROLES, ApiToken, User
from ..models._base import utcnow

DEMO_USERS = ("agent", "author", "admin")


class UserError(ValueError):
    pass


def create_user(username: str, role: str, password: str | None = None) -> tuple[User, str]:
    """Create a user; returns it with its password (generated when none is given)."""
    username = username.strip()
    if role not in ROLES:
        raise UserError(f"unknown role '{role}' (use {', '.join(ROLES)})")
    if not username or len(username) > 64 or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise UserError("a username is 1-64 letters, digits, '.', '-' or '_'")
    if db.session.scalar(select(User).where(User.username == username)):
        raise UserError(f"user '{username}' already exists")
    password = password or secrets.token_urlsafe(12)
    user = User(username=username, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user, password


def ensure_demo_users(data_dir: Path) -> dict[str, str]:
    """Create the demo users once; their passwords are kept beside the data so each run can print them."""
    store = data_dir / "demo-users.json"
    known: dict[str, str] = json.loads(store.read_text()) if store.exists() else {}
    for name in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.username == name))
        if user is None:
            _, known[name] = create_user(name, name)
        elif name not in known:
            known[name] = secrets.token_urlsafe(12)
            user.set_password(known[name])
            db.session.commit()
    store.touch(mode=0o600)
    store.write_text(json.dumps(known, indent=2))
    return known


def create_token(username: str) -> str:
    """A new API token for the user; only its hash is kept, so it is shown once."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UserError(f"no user '{username}'")
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_hash(token)))
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(token)))
    if row is None:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now  # at most one write every few minutes, not one per call
        db.session.commit()
    return user


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
