"""API tokens for CRMs and scripts: created with an expiry, checked on each call, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from .. import events
from ..extensions import db
from ..models import ApiToken, User
from ..models._base import utcnow


class TokenError(ValueError):
    pass


def create_token(username: str, days: int) -> tuple[str, ApiToken]:
    """A new API token for the user, valid for `days`; only its hash is kept, so it is shown once."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise TokenError(f"no user '{username}'")
    if days < 1:
        raise TokenError("a token lives at least 1 day")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(user_id=user.id, token_hash=_hash(token), created_at=now, expires_at=now + timedelta(days=days))
    db.session.add(row)
    db.session.commit()
    events.record("token.created", token_id=row.id, for_user_id=user.id, days=days)
    return token, row


def user_for_token(token: str) -> tuple[User | None, str]:
    """The token's user, or None and why the token is refused."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None:
        return None, "that API token is not valid (unknown or revoked)"
    now = utcnow()
    if row.expires_at <= now:
        return None, f"that API token expired on {row.expires_at:%Y-%m-%d %H:%M} UTC; ask an admin for a new one"
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        return None, "that API token's account is disabled"
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now  # at most one write every few minutes, not one per call
        db.session.commit()
    return user, ""


def active_tokens() -> list[tuple[ApiToken, str]]:
    """Every token not revoked (expired ones too, so they can be cleared), with its user's name."""
    query = (
        select(ApiToken, User.username)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.revoked_at.is_(None))
        .order_by(User.username, ApiToken.id)
    )
    return [(token, name) for token, name in db.session.execute(query)]


def token_with_user(token_id: int) -> tuple[ApiToken, str] | None:
    query = (
        select(ApiToken, User.username)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
    )
    row = db.session.execute(query).first()
    return (row[0], row[1]) if row else None


def revoke_token(token_id: int) -> str:
    """Revoke one token; returns its user's name."""
    found = token_with_user(token_id)
    if found is None:
        raise TokenError(f"no token {token_id} (or it is already revoked)")
    found[0].revoked_at = utcnow()
    db.session.commit()
    events.record("token.revoked", token_id=token_id, for_user=found[1])
    return found[1]


def revoke_user_tokens(username: str) -> int:
    """Revoke every token of the user; returns how many."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise TokenError(f"no user '{username}'")
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
    now: datetime = utcnow()
    count = 0
    for row in rows:
        row.revoked_at = now
        count += 1
    db.session.commit()
    events.record("token.revoked", for_user=username, count=count)
    return count


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
