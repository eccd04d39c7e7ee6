"""Finding documents. Whoosh (issue 4) will live here; until then a title filter."""
from __future__ import annotations

from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import Document, User
from ..services.documents import visible

MAX_QUERY = 200


def title_search(query: str, user: User, limit: int = 20) -> list[Document]:
    """Documents whose title or summary holds every word of the query, titles first."""
    words = query.lower().split()[:10]
    if not words:
        return []
    statement = visible(select(Document), user)
    for word in words:
        pattern = f"%{word.replace('%', '').replace('_', ' ').strip()}%"
        statement = statement.where(
            or_(func.lower(Document.title).like(pattern), func.lower(Document.summary).like(pattern))
        )
    title_hit = func.lower(Document.title).like(f"%{words[0]}%")
    statement = statement.order_by(title_hit.desc(), Document.title).limit(limit)
    return list(db.session.scalars(statement))
