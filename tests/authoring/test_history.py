"""History and rollback (issue 6): each revision with author, time, change note, origin and what it
addressed; any two compared; restore publishes an old text as a new revision; an audit log."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from sqlalchemy import select

from guidance.extensions import db
from guidance.models import AuditAction, AuditEvent, Document, Revision
from guidance.models._base import utcnow
from guidance.services.audit import PAGE_SIZE
from tests.authoring.conftest import WIRE, WIRE_SOURCE, audit_actions, document, open_editor, published_source, save
from tests.feedback.conftest import add_note, login, text_of

EDITED = WIRE_SOURCE.replace("two working days", "one working day")


def publish_with_feedback(app, agent) -> None:
    add_note(agent, "It is one day now", step="send")
    admin = login(app, "admin")
    form = open_editor(admin, WIRE)
    item = re.search(r'name="item" value="([^"]+)"', admin.get(f"/d/{WIRE}/edit").get_data(as_text=True)).group(1)
    response = save(admin, WIRE, form, source=EDITED, note="One day now", action="publish", item=item)
    assert response.status_code == 303


def test_the_history_lists_each_revision_with_who_when_why_origin_and_what_it_addressed(app, agent):
    publish_with_feedback(app, agent)
    page = login(app, "author").get(f"/d/{WIRE}/history").get_data(as_text=True)
    rows = re.findall(r"<tr(?: class=\"current\")?>\s*<th scope=\"row\">(.*?)</tr>", page, re.S)
    latest, first = text_of(rows[0]), text_of(rows[1])
    assert latest.split()[0] == "2" and "live" in latest and "admin" in latest and "One day now" in latest
    assert " app " in f" {latest} " and "note by agent on send" in latest
    sha = document(app, WIRE).published_revision  # revision 2's base is revision 1, from the file
    assert first.split()[0] == "1" and "published" in first and "import" in first
    assert "file processes/send-wire.md" in first and re.search(r"\b[0-9a-f]{12}\b", first)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", latest) and sha.number == 2
    assert "admin published revision 2: published directly by admin; addresses 1 feedback item(s)" in text_of(page)


def test_any_two_revisions_are_compared_with_the_same_diff(app, agent):
    publish_with_feedback(app, agent)
    author = login(app, "author")
    page = author.get(f"/d/{WIRE}/compare?from=1&to=2").get_data(as_text=True)
    assert "revision 1 → 2" in text_of(page) and "step send changed" in text_of(page)
    assert '<tr class="diff-del">' in page and '<tr class="diff-ins">' in page
    assert author.get(f"/d/{WIRE}/compare?from=1&to=9").status_code == 404
    assert author.get(f"/d/{WIRE}/compare?from=1").status_code == 400


def test_restore_publishes_the_old_text_as_a_new_revision_and_rewrites_nothing(app, agent, caplog):
    publish_with_feedback(app, agent)
    admin = login(app, "admin")
    confirm = admin.get(f"/d/{WIRE}/revisions/1/restore").get_data(as_text=True)
    assert (
        "Restore revision 1" in confirm
        and "Restore and publish</button>" in confirm
        and "step send changed" in text_of(confirm)
    )
    with caplog.at_level(logging.INFO, logger="guidance.events"):
        response = admin.post(f"/d/{WIRE}/revisions/1/restore")
    assert response.status_code == 303
    assert '"event": "document.published"' in caplog.text and '"revision": 3' in caplog.text
    with app.app_context():
        revisions = db.session.scalars(
            select(Revision)
            .join(Document, Document.id == Revision.document_id)
            .where(Document.slug == WIRE)
            .order_by(Revision.number)
        ).all()
        assert [(r.number, r.source == WIRE_SOURCE, r.origin) for r in revisions] == [
            (1, True, "file"),
            (2, False, "app"),
            (3, True, "app"),
        ]
        assert revisions[2].restored_from_id == revisions[0].id and revisions[2].change_note == "Restored revision 1"
    assert published_source(app, WIRE) == WIRE_SOURCE
    assert audit_actions(app, WIRE)[-1] == "restored"
    again = admin.post(f"/d/{WIRE}/revisions/1/restore")
    assert "says exactly what the published revision says" in admin.get(again.headers["Location"]).get_data(
        as_text=True
    )


def test_an_author_restores_into_a_draft_for_review(app, agent):
    publish_with_feedback(app, agent)
    author = login(app, "author")
    assert "Start a draft from it</button>" in author.get(f"/d/{WIRE}/revisions/1/restore").get_data(as_text=True)
    response = author.post(f"/d/{WIRE}/revisions/1/restore")
    assert response.headers["Location"] == f"/d/{WIRE}/edit"
    assert published_source(app, WIRE) == EDITED
    draft = document(app, WIRE).draft_revision
    assert draft.source == WIRE_SOURCE and draft.status == "draft"


def record_events(app, count: int) -> None:
    with app.app_context():
        wire = db.session.scalar(select(Document).where(Document.slug == WIRE))
        start = utcnow() - timedelta(days=10)
        db.session.add_all(
            AuditEvent(
                action=AuditAction.EDITED, document=wire, created_at=start + timedelta(minutes=n), detail=f"e{n}"
            )
            for n in range(count)
        )
        db.session.commit()


def test_the_audit_log_filters_and_pages(app, agent):
    publish_with_feedback(app, agent)
    author = login(app, "author")
    author.post("/authoring/new", {"kind": "article", "title": "Tea break rota", "folder": "articles"})
    record_events(app, PAGE_SIZE + 5)
    admin = login(app, "admin")
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert f"{PAGE_SIZE + 5 + 6 + 1 + 1} events." in page  # six imports, the admin's publish, the new document
    assert "Page 1 of 2" in page and 'rel="next"' in page
    created = admin.get("/admin/audit?action=created").get_data(as_text=True)
    assert "1 event." in created and "Tea break rota" in created and ">author<" in created
    by_admin = text_of(admin.get("/admin/audit?user=admin").get_data(as_text=True))
    assert "1 event." in by_admin and "published" in by_admin and "One day" not in by_admin
    tea = text_of(admin.get("/admin/audit?document=tea+break").get_data(as_text=True))
    assert "1 event." in tea and "created" in tea
    old = admin.get(f"/admin/audit?until={(utcnow() - timedelta(days=5)).date()}").get_data(as_text=True)
    assert f"{PAGE_SIZE + 5} events." in old
    second = admin.get("/admin/audit?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and 'rel="prev"' in second
    assert "No event matches these filters." in admin.get("/admin/audit?user=nobody").get_data(as_text=True)
