"""Accounts: usernames, creation, checking a login, sessions, and the demo users `make run` sets up."""

from __future__ import annotations

import json
import logging
import re
import secrets
import unicodedata
from functools import cache
from pathlib import Path

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.security import check_password_hash, generate_password_hash

from .. import events
from ..extensions import db
from ..models import Role, User
from ..models._base import utcnow

DEMO_USERS = tuple(role.value for role in Role)  # one demo user per role, named after it
# ASCII only, so no two names look alike (a Cyrillic "а" in "аdmin"); documented in the README.
USERNAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
USERNAME_RULE = "a username is 1-64 characters: ASCII letters A-Z a-z, digits 0-9, '.', '-' and '_'"


class UserError(ValueError):
    pass


def normalise_username(typed: str) -> str:
    """What a typed name means: full-width and other compatibility forms folded (NFKC), no spaces around."""
    return unicodedata.normalize("NFKC", typed).strip()


def check_new_username(typed: str) -> str:
    """The name to create, or UserError saying why it cannot be used."""
    name = normalise_username(typed)
    if not USERNAME.fullmatch(name):
        raise UserError(USERNAME_RULE)
    existing = db.session.scalar(select(User.username).where(func.lower(User.username) == name.lower()))
    if existing == name:
        raise UserError(f"user '{name}' already exists")
    if existing is not None:
        raise UserError(f"'{name}' differs only by case from the existing user '{existing}'")
    if name != typed.strip():
        raise UserError(f"'{typed.strip()}' uses full-width or look-alike characters: type it as '{name}'")
    return name


def check_role(role: str) -> str:
    if role not in tuple(Role):
        raise UserError(f"unknown role '{role}' (use {', '.join(Role)})")
    return role


def create_user(username: str, role: str, password: str | None = None) -> tuple[User, str]:
    """Create a user; returns it with its password (generated when none is given)."""
    check_role(role)
    name = check_new_username(username)
    password = password or secrets.token_urlsafe(12)
    user = User(username=name, role=role)
    user.set_password(password, password_method())
    db.session.add(user)
    db.session.commit()
    events.record("user.created", username=name, role=role, new_user_id=user.id)
    return user, password


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.username)))


def authenticate(username: str, password: str) -> User | None:
    """The active user with this name and password, else None.

    An unknown or inactive name costs one password check against a dummy hash, so the time an
    answer takes does not tell who has an account.
    """
    user = db.session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None or not user.active:
        check_password_hash(_dummy_hash(password_method()), password)
        events.record("login.failed", username=username[:64], reason="no such active user")
        return None
    if not check_password_hash(user.password_hash, password):
        events.record("login.failed", user_id=user.id, username=user.username, reason="wrong password")
        return None
    _note_login(user)
    events.record("login", user_id=user.id, username=user.username)
    return user


def _note_login(user: User) -> None:
    """Keep this login's time and the one before ("updated since your last shift" on home).
    A database that cannot be written now (read-only, locked) must not keep anyone out."""
    user.previous_login_at, user.last_login_at = user.last_login_at, utcnow()
    try:
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        logging.getLogger(__name__).warning("login time not saved for user %s: %s", user.id, error)


def password_method() -> str:
    """werkzeug's hashing method for new passwords (config PASSWORD_HASH_METHOD, default scrypt)."""
    return current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)  # the cost of real ones


_USER_BY_ID = select(User).where(User.id == bindparam("id"))  # built once: it ran on every request


def user_for_session(session_id: str) -> User | None:
    """The user a session or remember-me cookie names ("<id>:<session version>"), unless it was ended."""
    user_id, _, version = session_id.partition(":")
    try:
        user = db.session.execute(_USER_BY_ID, {"id": int(user_id)}).scalar()
        return user if user is not None and user.session_version == int(version) else None
    except ValueError:  # a cookie from before session versions, or one made up
        return None


def end_sessions(user: User) -> None:
    """Log the user out everywhere: every session and remember-me cookie issued so far stops working."""
    user.end_sessions()
    db.session.commit()
    events.record("logout", user_id=user.id)


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
            user.set_password(known[name], password_method())
            db.session.commit()
    store.touch(mode=0o600)
    store.write_text(json.dumps(known, indent=2))
    return known
