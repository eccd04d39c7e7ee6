"""Synonym groups admins edit in the app; search reloads them without a restart."""

from __future__ import annotations

from sqlalchemy import delete, select

from .. import events
from ..extensions import db
from ..models import SynonymGroup, User
from ..models._base import utcnow
from .content_state import bump_synonyms

MAX_TEXT = 50_000
MAX_GROUPS = 1000


class SynonymError(ValueError):
    pass


def as_text() -> str:
    return "\n".join(row.terms for row in db.session.scalars(select(SynonymGroup).order_by(SynonymGroup.id)))


def parse(text: str) -> list[str]:
    if len(text) > MAX_TEXT:
        raise SynonymError(f"That is more than {MAX_TEXT:,} characters; split it up or trim it.")
    groups = []
    for number, line in enumerate(text.splitlines(), 1):
        terms = [" ".join(t.split()) for t in line.split(",") if t.strip()]
        if not terms:
            continue
        if len(terms) < 2:
            raise SynonymError(f"Line {number} has one term; a group needs two or more, separated by commas.")
        groups.append(", ".join(dict.fromkeys(terms)))
    if len(groups) > MAX_GROUPS:
        raise SynonymError(f"At most {MAX_GROUPS} groups, please.")
    return groups


def replace_all(text: str, user: User) -> int:
    groups = parse(text)
    db.session.execute(delete(SynonymGroup))
    now = utcnow()
    db.session.add_all(SynonymGroup(terms=g, updated_by_id=user.id, updated_at=now) for g in groups)
    bump_synonyms()
    db.session.commit()
    events.record("synonyms.saved", groups=len(groups))
    return len(groups)
