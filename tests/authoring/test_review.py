"""Drafts, review, publish (issue 10, point 5): submit with a change note, read what changed,
approve (now or at a set time) or return with a comment the author sees."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from guidance.extensions import db
from guidance.models import Document
from guidance.models._base import utcnow
from guidance.services import schedule
from tests.authoring.conftest import (
    WIRE,
    WIRE_SOURCE,
    audit_actions,
    document,
    draft_of,
    open_editor,
    published_source,
    save,
)
from tests.conftest import LIBRARY, Session, close, make_app
from tests.feedback.conftest import login, make_agents, text_of

CHANGED = (
    WIRE_SOURCE.replace("two working days", "one working day")
    .replace("## Send the transfer {#send}", "## Check the fee {#fee}\n\nTell the fee.\n\n## Send the transfer {#send}")
    .replace("Stop and escalate", "Stop and hand over")
)


def submit(app, text: str = CHANGED, note: str = "Quicker wires, fee step") -> Session:
    author = login(app, "author")
    form = open_editor(author, WIRE)
    response = save(author, WIRE, form, source=text, note=note, action="submit")
    assert response.status_code == 303 and response.headers["Location"] == f"/d/{WIRE}/review", response.status_code
    return author


def review_form(page: str) -> dict[str, str]:
    form = page.split('class="stack review-form"', 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))


def decide(session, decision: str, **fields):
    page = session.get(f"/d/{WIRE}/review").get_data(as_text=True)
    return session.post(f"/d/{WIRE}/review", {**review_form(page), "decision": decision, **fields})


def test_a_reviewer_reads_the_diff_and_a_summary_by_step_then_approves(app):
    submit(app)
    assert draft_of(app, WIRE).status == "in_review"
    admin = login(app, "admin")
    page = admin.get(f"/d/{WIRE}/review").get_data(as_text=True)
    summary = text_of(page.split('class="step-changes"')[1].split("</ul>")[0])
    assert "step escalate changed" in summary and "step send changed" in summary and "step fee added" in summary
    assert "Quicker wires, fee step" in page and "author" in text_of(page.split('class="facts"')[1])
    assert re.search(r'<tr class="diff-ins">.*?<ins>[^<]*<span[^>]*>added: </span>[^<]*one working day', page, re.S)
    assert re.search(r'<tr class="diff-del">.*?<del>[^<]*<span[^>]*>removed: </span>[^<]*two working days', page, re.S)
    response = decide(admin, "approve")
    assert response.status_code == 303 and response.headers["Location"] == f"/d/{WIRE}"
    agent = login(app, "agent")
    assert "Step 1 of 5" in agent.get(f"/d/{WIRE}").get_data(as_text=True)
    published = document(app, WIRE).published_revision
    assert (published.number, published.status, published.change_note) == (2, "published", "Quicker wires, fee step")
    assert draft_of(app, WIRE) is None
    assert audit_actions(app, WIRE)[-4:] == ["edited", "submitted", "approved", "published"]
    notices = login(app, "author").get("/notifications").get_data(as_text=True)
    assert "is live as revision 2." in notices and 'badge-count">1' in notices
    assert "badge-count" not in admin.get("/").get_data(as_text=True)  # who approved it is not told


def test_a_removed_step_shows_in_the_summary(app):
    submit(app, WIRE_SOURCE.split("## Send the transfer")[0].rstrip() + "\n")
    page = login(app, "admin").get(f"/d/{WIRE}/review").get_data(as_text=True)
    assert "step <code>send</code> removed" in page


def test_the_diff_is_escaped(app):
    submit(app, WIRE_SOURCE + '\n<script>alert("x")</script> <img src=x onerror=alert(1)>\n')
    page = login(app, "admin").get(f"/d/{WIRE}/review").get_data(as_text=True)
    diff = page.split('<table class="diff">')[1].split("</table>")[0]
    assert "<script>" not in diff and "<img" not in diff
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in diff


def test_returning_needs_a_comment_which_the_author_then_sees(app):
    author = submit(app)
    admin = login(app, "admin")
    refused = decide(admin, "return", comment="")
    assert refused.status_code == 422 and "Write a comment telling the author what to change first." in (
        refused.get_data(as_text=True)
    )
    assert decide(admin, "return", comment="Say which fee.").status_code == 303
    assert draft_of(app, WIRE).status == "returned"
    editor = author.get(f"/d/{WIRE}/edit").get_data(as_text=True)
    assert "Returned by admin" in editor and "Say which fee." in editor
    assert "Say which fee." in author.get("/authoring").get_data(as_text=True)
    notices = author.get("/notifications").get_data(as_text=True)
    assert (
        f'<a href="/d/{WIRE}/edit">Your draft of &#39;Send an international wire transfer&#39; was returned by admin: Say which fee.</a>'
        in notices
    )
    assert published_source(app, WIRE) == WIRE_SOURCE


def test_an_author_never_approves_their_own_draft(app):
    app.config["AUTHORS_APPROVE"] = True
    author = submit(app)
    page = author.get(f"/d/{WIRE}/review").get_data(as_text=True)
    assert "You wrote part of this draft, so someone else reviews it." in page and "Approve</button>" not in page
    draft = draft_of(app, WIRE)
    forged = author.post(f"/d/{WIRE}/review", {"draft": draft.id, "saves": draft.saves, "decision": "approve"})
    assert forged.status_code == 403 and published_source(app, WIRE) == WIRE_SOURCE


@pytest.mark.parametrize("authors_approve", [True, False])
def test_another_author_approves_only_when_the_setting_allows(app, authors_approve):
    app.config["AUTHORS_APPROVE"] = authors_approve
    submit(app)
    [other] = make_agents(app, 1, prefix="writer")
    with app.app_context():
        from guidance.models import User

        db.session.scalar(select(User).where(User.username == other)).role = "author"
        db.session.commit()
    reviewer = login(app, other, "agent-pass")
    page = reviewer.get(f"/d/{WIRE}/review").get_data(as_text=True)
    assert ("Approve</button>" in page) == authors_approve
    draft = draft_of(app, WIRE)
    response = reviewer.post(f"/d/{WIRE}/review", {"draft": draft.id, "saves": draft.saves, "decision": "approve"})
    assert response.status_code == (303 if authors_approve else 403)
    assert (published_source(app, WIRE) != WIRE_SOURCE) == authors_approve
    assert "Waiting for your review" in reviewer.get("/authoring").get_data(as_text=True)


def test_a_draft_overtaken_by_a_newer_publication_is_not_approved_over_it(app, runner, tmp_path):
    submit(app)
    tree = tmp_path / "tree"
    shutil.copytree(LIBRARY, tree)
    wire = tree / "processes" / "send-wire.md"
    wire.write_text(WIRE_SOURCE.replace("Before we start", "Hello. Before we start"))
    assert "1 updated" in runner.invoke(args=["guidance", "import", str(tree)]).output
    admin = login(app, "admin")
    response = decide(admin, "approve")
    assert response.status_code == 409
    # the draft took number 2 when it started; the import went live as 3
    assert "This draft started from revision 1, but revision 3 went live since" in response.get_data(as_text=True)
    assert "Hello. Before we start" in published_source(app, WIRE)
    editor = login(app, "author").get(f"/d/{WIRE}/edit").get_data(as_text=True)
    assert "Revision 3 went live after this draft started" in editor


def test_approval_can_schedule_publication_and_publish_due_runs_it(app, runner, monkeypatch):
    submit(app)
    admin = login(app, "admin")
    when = (utcnow() + timedelta(days=1)).replace(second=0, microsecond=0)
    response = decide(admin, "approve", publish_at=when.strftime("%Y-%m-%dT%H:%M"))
    assert response.status_code == 303
    assert f"it goes live at {when:%Y-%m-%d %H:%M} UTC" in admin.get(f"/d/{WIRE}/review").get_data(as_text=True)
    assert draft_of(app, WIRE).status == "scheduled" and published_source(app, WIRE) == WIRE_SOURCE
    assert "0 scheduled draft(s) published" in runner.invoke(args=["guidance", "publish-due"]).output
    monkeypatch.setattr(schedule, "utcnow", lambda: when + timedelta(minutes=1))
    assert "1 scheduled draft(s) published" in runner.invoke(args=["guidance", "publish-due"]).output
    assert published_source(app, WIRE) == CHANGED and draft_of(app, WIRE) is None
    assert audit_actions(app, WIRE)[-3:] == ["approved", "scheduled", "published"]


def test_a_due_draft_goes_live_by_the_first_request_after_its_time(data_dir, monkeypatch):
    app = make_app(data_dir, SCHEDULE_RECHECK_SECONDS=3600)
    try:
        submit(app)
        admin = login(app, "admin")
        when = (utcnow() + timedelta(hours=2)).replace(second=0, microsecond=0)
        decide(admin, "approve", publish_at=when.strftime("%Y-%m-%dT%H:%M"))
        agent = login(app, "agent")
        asked = []

        def count(conn, cursor, statement, parameters, context, executemany):
            if "min(revisions.publish_at)" in statement or "revisions.publish_at <=" in statement:
                asked.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            for _ in range(3):
                assert "Step 1 of 4" in agent.get(f"/d/{WIRE}").get_data(as_text=True)
            assert asked == []  # the worker knows when the next draft is due: no query per request
            monkeypatch.setattr(schedule, "utcnow", lambda: when + timedelta(seconds=1))
            assert "Step 1 of 5" in agent.get(f"/d/{WIRE}").get_data(as_text=True)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    finally:
        close(app)


def test_a_scheduled_draft_overtaken_by_an_import_goes_back_to_its_author(app, runner, tmp_path, monkeypatch):
    submit(app)
    when = (utcnow() + timedelta(hours=1)).replace(second=0, microsecond=0)
    decide(login(app, "admin"), "approve", publish_at=when.strftime("%Y-%m-%dT%H:%M"))
    tree = tmp_path / "tree"
    shutil.copytree(LIBRARY, tree)
    (tree / "processes" / "send-wire.md").write_text(WIRE_SOURCE + "\nUrgent fix.\n")
    runner.invoke(args=["guidance", "import", str(tree)])
    monkeypatch.setattr(schedule, "utcnow", lambda: when + timedelta(minutes=5))
    assert "0 scheduled draft(s) published" in runner.invoke(args=["guidance", "publish-due"]).output
    draft = draft_of(app, WIRE)
    assert draft.status == "returned" and "revision 3 went live after this draft was approved" in draft.review_comment
    assert "Urgent fix." in published_source(app, WIRE)


def test_a_time_that_is_not_a_time_is_refused(app):
    submit(app)
    response = decide(login(app, "admin"), "approve", publish_at="next tuesday")
    assert response.status_code == 422 and "is not a date and time" in response.get_data(as_text=True)
    assert draft_of(app, WIRE).status == "in_review"


def test_a_document_written_in_the_app_goes_live_when_approved(app):
    author = login(app, "author")
    author.post("/authoring/new", {"kind": "policy", "title": "Gift policy", "folder": "policies"})
    form = open_editor(author, "policies/gift-policy")
    save(author, "policies/gift-policy", form, note="New policy", action="submit")
    admin = login(app, "admin")
    page = admin.get("/d/policies/gift-policy/review").get_data(as_text=True)
    assert "nothing: a new document" in page and "new document changed" in page
    response = admin.post("/d/policies/gift-policy/review", {**review_form(page), "decision": "approve"})
    assert response.status_code == 303
    assert login(app, "agent").get("/d/policies/gift-policy").status_code == 200
    with app.app_context():
        created = db.session.scalar(select(Document).where(Document.slug == "policies/gift-policy"))
        assert created.published_revision.origin == "app" and created.published_revision.number == 1


def test_two_workers_deciding_at_once_move_a_draft_only_once(app, data_dir):
    from guidance.models import RevisionStatus
    from guidance.services.drafts import claim

    submit(app)
    other = make_app(data_dir)
    try:
        with app.app_context():
            mine = db.session.scalar(select(Document).where(Document.slug == WIRE)).draft_revision
            with other.app_context():
                theirs = db.session.scalar(select(Document).where(Document.slug == WIRE)).draft_revision
                assert claim(theirs, RevisionStatus.IN_REVIEW, RevisionStatus.PUBLISHED)
                db.session.commit()
            assert mine.status == "in_review"  # what this worker read before the other wrote
            assert not claim(mine, RevisionStatus.IN_REVIEW, RevisionStatus.PUBLISHED)
            db.session.rollback()
    finally:
        close(other)


def test_a_due_draft_never_fails_a_request_when_the_database_is_read_only(app, data_dir, monkeypatch):
    submit(app)
    when = (utcnow() + timedelta(hours=1)).replace(second=0, microsecond=0)
    decide(login(app, "admin"), "approve", publish_at=when.strftime("%Y-%m-%dT%H:%M"))
    monkeypatch.setattr(schedule, "utcnow", lambda: when + timedelta(minutes=1))
    readonly = make_app(data_dir, DATABASE_URL=f"sqlite:///file:{data_dir / 'guidance.db'}?mode=ro&uri=true")
    try:
        agent = Session(readonly.test_client())
        assert agent.login("agent").status_code == 302
        page = agent.get(f"/d/{WIRE}")
        assert page.status_code == 200 and "Step 1 of 4" in page.get_data(as_text=True)
    finally:
        close(readonly)
    assert draft_of(app, WIRE).status == "scheduled"  # it goes live when the database can be written
