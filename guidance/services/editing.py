"""Publishing a revision typed in the app's Markdown edit form, linked to the feedback it addresses.

The full editor arrives with the authoring issue; this is the minimal path from the inbox to a
new revision: edit the published source, check it, publish it, close the loop with the agents.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import events
from ..content import Problem, parse_document
from ..extensions import db
from ..models import Document, Revision, User
from . import inbox
from .feedback import FeedbackError
from .library import publish

MAX_SOURCE = 1_000_000


class EditConflict(Exception):
    """The document has a newer revision than the one the edit started from."""

    def __init__(self, current: Revision):
        super().__init__(f"revision {current.number} was published since")
        self.current = current


class EditProblems(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


@dataclass
class EditResult:
    revision: Revision
    incorporated: int


def publish_edit(
    document: Document, source: str, base_number: int | None, user: User, item_ids: list[str]
) -> EditResult:
    """Check and publish `source` as the document's next revision; link the chosen feedback items.

    Raises EditConflict when the document moved on since `base_number`, EditProblems when the
    text has blocking problems, FeedbackError for other input mistakes. Commits on success.
    """
    current = document.published_revision
    if current is None:
        raise FeedbackError("This document is archived; it cannot be edited here.")
    if base_number != current.number:
        raise EditConflict(current)
    source = source.replace("\r\n", "\n")
    if len(source) > MAX_SOURCE:
        raise FeedbackError(f"The text is over {MAX_SOURCE:,} characters.")
    if source == current.source:
        raise FeedbackError("The text is unchanged, so there is nothing to publish.")
    path = current.source_path or f"{document.slug}.md"
    parsed, problems = parse_document(source, path)
    blocking = [p for p in problems if p.blocking]
    if blocking:
        raise EditProblems(blocking)
    items = inbox.items_by_ids(item_ids)
    if any(item.document_id != document.id for item in items):
        raise FeedbackError("Some of the chosen items belong to another document.")
    revision = publish(document, source, parsed, author=user, source_path=current.source_path)
    db.session.flush()
    count = inbox.incorporate(items, revision, user)
    db.session.commit()
    events.record("document.published", slug=document.slug, revision=revision.number, origin="app", incorporated=count)
    from .. import search  # the search index follows commits

    search.index_changes()
    return EditResult(revision, count)
