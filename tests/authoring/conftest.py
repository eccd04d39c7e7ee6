"""Helpers for the authoring tests: documents and drafts as the database holds them, and forms as the editor sends them."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from guidance.extensions import db
from guidance.models import AuditEvent, Document, Revision
from tests.conftest import LIBRARY

WIRE = "processes/send-wire"
CARD = "processes/card-arrival"
WIRE_SOURCE = (LIBRARY / "processes" / "send-wire.md").read_text()


def document(app, slug: str) -> Document:
    with app.app_context():
        found = db.session.scalar(select(Document).where(Document.slug == slug))
        if found is not None:
            found.published_revision, found.draft_revision  # noqa: B018 - load before leaving the session
        db.session.expunge_all()
        return found


def published_source(app, slug: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Document).where(Document.slug == slug)).published_revision.source


def draft_of(app, slug: str) -> Revision | None:
    with app.app_context():
        found = db.session.scalar(select(Document).where(Document.slug == slug)).draft_revision
        db.session.expunge_all()
        return found


def audit_actions(app, slug: str | None = None) -> list[str]:
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if slug:
            query = query.join(Document, Document.id == AuditEvent.document_id).where(Document.slug == slug)
        return [event.action for event in db.session.scalars(query)]


def editor_form(page: str) -> dict[str, str]:
    """The editor's hidden fields and text as the page holds them."""
    form = page.split('<form id="editor-form"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    fields.pop("csrf_token", None)
    source = re.search(r'<textarea id="editor-source"[^>]*>(.*?)</textarea>', page, re.S)
    fields["source"] = html.unescape(source.group(1)) if source else ""
    return fields


def open_editor(session, slug: str) -> dict[str, str]:
    response = session.get(f"/d/{slug}/edit")
    assert response.status_code == 200, response.status_code
    return editor_form(response.get_data(as_text=True))


def save(session, slug: str, form: dict[str, str], **changes):
    return session.post(f"/d/{slug}/edit", {**form, **changes})


def edited(source: str) -> str:
    return source.replace("two working days", "one working day")
