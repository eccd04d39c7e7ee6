"""Issue 12, point 1: a step page renders its revision once per worker and reads the rest in a few
queries; what it shows is the same as rendering afresh, and never stale."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from guidance.content import DocumentKind
from guidance.extensions import db
from guidance.models import Document, Notification, NotificationKind, User
from guidance.services import feedback
from guidance.services.documents import parsed, toggle_pin
from tests.conftest import Session, close, make_app, publish_text, without_tokens

WIRE = "processes/send-wire"


class Queries:
    """The SQL statements the app sends while the block runs."""

    def __init__(self, app) -> None:
        with app.app_context():
            self.engine = db.engine
        self.statements: list[str] = []

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(" ".join(statement.split()))

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self.statements

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


def tables(statement: str) -> set[str]:
    return set(re.findall(r"\b(?:FROM|JOIN) (\w+)", statement))


PER_USER = {"pins", "notifications", "step_notes", "step_ratings"}


@pytest.fixture
def busy_agent(app, agent):
    """The agent has a note, a rating, a pin and an unread notification on the wire transfer, and a
    colleague shared a note on the same step. (The look for scheduled publications, one query
    every few seconds per worker, is kept out of the count.)"""
    app.config["SCHEDULE_RECHECK_SECONDS"] = 3600
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == WIRE))
        revision = document.published_revision
        me = db.session.scalar(select(User).where(User.username == "agent"))
        colleague = db.session.scalar(select(User).where(User.username == "senior"))
        feedback.add_note(me, document, revision, "screen", "My **own** note")
        feedback.add_note(colleague, document, revision, "screen", "Shared by a colleague", shared=True)
        feedback.rate(me, document, revision, "screen", False, "unclear", "which list?")
        toggle_pin(document, me)
        db.session.add(Notification(user_id=me.id, kind=NotificationKind.DISMISSED, message="Seen to"))
        db.session.commit()
    return agent


def test_a_step_page_reads_the_user_its_document_and_three_queries_of_per_user_data(app, busy_agent):
    url = f"/d/{WIRE}/steps/screen"
    busy_agent.get(url)  # the first view renders the revision (and looks up the kinds of linked documents)
    with Queries(app) as statements:
        page = busy_agent.get(url).get_data(as_text=True)
    assert "My <strong>own</strong> note" in page and "Shared by a colleague" in page and "senior" in page
    assert "which list?" in page and 'aria-pressed="true">Pinned<' in page and 'badge-count">1<' in page
    assert len(statements) == 5, statements
    assert "FROM users" in statements[0]  # the session's user
    assert tables(statements[1]) >= {"documents", "pins", "notifications", "step_notes", "step_ratings"}
    assert tables(statements[2]) >= {"documents", "revisions"}  # the panel needs the document itself
    per_user = [s for s in statements if tables(s) & PER_USER]
    assert len(per_user) == 3, per_user


def test_a_kept_step_page_reads_the_user_and_one_query_of_its_document_and_per_user_state(app, agent):
    app.config["SCHEDULE_RECHECK_SECONDS"] = 3600
    url = f"/d/{WIRE}/steps/screen"
    agent.get(url)  # kept from here on: its rendering and its page with gaps
    with Queries(app) as statements:
        page = agent.get(url).get_data(as_text=True)
    assert "Is this step right?" in page and 'aria-pressed="false">Pin<' in page and 'class="who">agent ' in page
    assert len(statements) == 2, statements
    assert "FROM users" in statements[0]
    assert tables(statements[1]) >= {"documents", "pins", "notifications", "step_notes", "step_ratings"}
    assert "revisions" not in tables(statements[1])  # the kept rendering stands for the revision


def test_a_step_without_feedback_reads_no_notes_or_ratings(app, agent):
    app.config["SCHEDULE_RECHECK_SECONDS"] = 3600
    app.config["STEP_PAGE_CACHE_SIZE"] = 0  # rendered around its kept revision, not kept whole
    url = f"/d/{WIRE}/steps/screen"
    agent.get(url)
    with Queries(app) as statements:
        page = agent.get(url).get_data(as_text=True)
    assert "Is this step right?" in page and 'aria-pressed="false">Pin<' in page
    # the user; the document's ids and whether there is anything to read; the document to render
    assert len(statements) == 3, statements


def test_a_run_step_reads_the_user_its_run_and_three_queries_of_per_user_data(app, busy_agent):
    started = busy_agent.post(f"/d/{WIRE}/runs", {"step": "verify", "nav": "next"})
    url = started.headers["Location"]
    busy_agent.get(url)
    with Queries(app) as statements:
        page = busy_agent.get(url).get_data(as_text=True)
    assert "My <strong>own</strong> note" in page and 'aria-pressed="true">Pinned<' in page
    assert len(statements) == 5, statements
    assert "FROM users" in statements[0]
    assert tables(statements[1]) >= {"guide_runs", "documents", "revisions"}
    assert len([s for s in statements if tables(s) & PER_USER]) == 3


@pytest.fixture(scope="module")
def starter_app(tmp_path_factory, starter_dir):
    import shutil

    target = tmp_path_factory.mktemp("starter-cache") / "data"
    shutil.copytree(starter_dir, target, symlinks=True)
    app = make_app(target)
    yield app
    close(app)


def test_every_step_of_every_starter_process_is_the_same_kept_as_rendered_afresh(starter_app):
    """In a preview and in a run, with a context value in the link (the kept HTML holds the
    placeholders as written and the run's links point at a stand-in until filled)."""
    agent = Session(starter_app.test_client())
    assert agent.login("agent").status_code == 302
    with starter_app.app_context():
        processes = [
            (document.slug, [step.id for step in parsed(document.published_revision).steps])
            for document in db.session.scalars(select(Document).where(Document.kind == DocumentKind.PROCESS))
        ]
    assert len(processes) >= 10
    context = "?customer.name=Ana+%3Cb%3EB%3C/b%3E"
    shown = 0
    for slug, steps in processes:
        started = agent.post(f"/d/{slug}/runs", {"step": steps[0], "nav": "save", "customer.name": "Ana"})
        assert started.status_code == 303, (slug, started.status_code, started.get_data(as_text=True)[-300:])
        run_url = started.headers["Location"].rsplit("/steps/", 1)[0]
        for step in steps:
            urls = [f"/d/{slug}/steps/{step}{context}", f"{run_url}/steps/{step}"]
            starter_app.config["STEP_CACHE_SIZE"] = 300
            agent.get(urls[0]), agent.get(urls[1])  # rendered and kept
            kept = [without_tokens(agent.get(url).get_data(as_text=True)) for url in urls]
            starter_app.config["STEP_CACHE_SIZE"] = 0
            fresh = [without_tokens(agent.get(url).get_data(as_text=True)) for url in urls]
            assert kept == fresh, (slug, step)
            assert 'id="step-title" tabindex="-1" autofocus>' in kept[0]
            shown += 1
    assert shown >= 50
    assert len(starter_app.extensions["guidance_renderings"].entries) == 2 * len(processes)


def test_a_new_publication_is_shown_at_once_and_a_run_keeps_its_revision(app, agent):
    started = agent.post(f"/d/{WIRE}/runs", {"step": "verify", "nav": "next"})
    run_step = started.headers["Location"]
    before = agent.get(f"/d/{WIRE}/steps/screen").get_data(as_text=True)
    assert "Check the country against" in before
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == WIRE))
        publish_text(document, document.published_revision.source.replace("Check the country", "Look the country up"))
    after = agent.get(f"/d/{WIRE}/steps/screen").get_data(as_text=True)
    assert "Look the country up against" in after and "Check the country" not in after
    assert "Check the country against" in agent.get(run_step).get_data(as_text=True)  # the run's own revision


def test_context_values_are_filled_escaped_per_request_not_kept(app, agent):
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == WIRE))
        publish_text(
            document,
            document.published_revision.source.replace(
                "Check the country", "Ask {{customer.first_name}}, check the country"
            ),
        )
    url = f"/d/{WIRE}/steps/screen"
    first = agent.get(f"{url}?customer.first_name=<i>Ana</i>").get_data(as_text=True)
    second = agent.get(f"{url}?customer.first_name=Bo").get_data(as_text=True)
    blank = agent.get(url).get_data(as_text=True)
    assert 'Ask <span class="slot" data-slot="customer.first_name">&lt;i&gt;Ana&lt;/i&gt;</span>' in first
    assert 'Ask <span class="slot" data-slot="customer.first_name">Bo</span>' in second and "Ana" not in without_tokens(
        second
    )
    assert 'Ask <mark class="slot slot-blank" data-slot="customer.first_name">' in blank and "Bo<" not in blank


def test_a_run_links_its_own_steps_into_itself_not_into_another_run(app, agent):
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == WIRE))
        publish_text(
            document,
            document.published_revision.source.replace(
                "Transfer the call", "Go [back to the check](#screen); transfer the call"
            ),
        )
    runs = []
    for _ in range(2):
        started = agent.post(f"/d/{WIRE}/runs", {"step": "verify", "nav": "next"})
        runs.append(started.headers["Location"].split("/")[2])
    for run_id in runs:
        page = agent.get(f"/runs/{run_id}/steps/escalate").get_data(as_text=True)
        assert f'<a href="/runs/{run_id}/steps/screen" rel="noopener noreferrer">back to the check</a>' in page
    preview = agent.get(f"/d/{WIRE}/steps/escalate").get_data(as_text=True)
    assert f'<a href="/d/{WIRE}/steps/screen" rel="noopener noreferrer">back to the check</a>' in preview


def test_drafts_and_editor_previews_are_never_kept(app):
    author = Session(app.test_client())
    author.login("author")
    source = app_source(app)
    for words in ("First wording", "Second wording"):
        edited = source.replace("Check the country", words)
        page = author.post(f"/d/{WIRE}/preview", {"source": edited, "step": "screen"}).get_data(as_text=True)
        assert words in page
    kept = app.extensions.get("guidance_renderings")
    with app.app_context():
        published = {d.published_revision_id for d in db.session.scalars(select(Document))}
    assert kept is None or all(key[0] in published for key in kept.entries)


def app_source(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Document).where(Document.slug == WIRE)).published_revision.source


def test_an_unpublished_revision_is_rendered_afresh_every_time(app):
    from guidance.models import Revision, RevisionStatus
    from guidance.views._renderings import Rendering, cached_rendering

    built = []

    def build():
        built.append(1)
        return Rendering(None, lambda href: None)

    with app.test_request_context():
        draft = Revision(id=999, document_id=1, number=9, status=RevisionStatus.DRAFT, source="")
        cached_rendering(draft, 1, False, build), cached_rendering(draft, 1, False, build)
        assert len(built) == 2
        draft.status = RevisionStatus.PUBLISHED
        first = cached_rendering(draft, 1, False, build)
        assert cached_rendering(draft, 1, False, build) is first and len(built) == 3
        assert cached_rendering(draft, 2, False, build) is not first  # another content generation


def test_a_step_whose_id_is_also_a_page_of_documents_opens_as_a_step(app, agent):
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == WIRE))
        publish_text(
            document,
            document.published_revision.source.replace("{#screen}", "{#compare}").replace("#screen)", "#compare)"),
        )
    page = agent.get(f"/d/{WIRE}/steps/compare")
    assert page.status_code == 200
    assert "Is the destination country sanctioned?" in page.get_data(as_text=True)


CALLBACKS = """---
title: Promise a callback
kind: process
---

## Ask for a number {#ask .end}

Take the number to call back on.
"""


def test_a_link_to_a_document_never_published_stays_a_page_link_until_it_is_published(app, agent):
    """Its kind follows its draft, which changes without moving the content generation the
    linking page's rendering is kept by: a link that depended on it could be kept stale."""
    from guidance.services import authoring, drafts
    from guidance.services.publishing import Publication, publish

    with app.app_context():
        author = db.session.scalar(select(User).where(User.username == "author"))
        target = authoring.create_document("article", "Promise a callback", "processes/callbacks.md", author)
        draft = target.draft_revision
        drafts.save(target, CALLBACKS, author, draft_id=draft.id, saves=draft.saves)
        assert target.kind == DocumentKind.PROCESS and target.published_revision_id is None
        wire = db.session.scalar(select(Document).where(Document.slug == WIRE))
        source = wire.published_revision.source
        publish_text(
            wire, source.replace("Check the country", "See [callbacks](callbacks.md#ask) and check the country")
        )
    page = agent.get(f"/d/{WIRE}/steps/screen").get_data(as_text=True)
    assert 'href="/d/processes/callbacks#ask"' in page  # no step of a process agents cannot open yet
    with app.app_context():
        target = db.session.scalar(select(Document).where(Document.slug == "processes/callbacks"))
        publish([Publication(target, target.draft_revision)], None)
    page = agent.get(f"/d/{WIRE}/steps/screen").get_data(as_text=True)
    assert 'href="/d/processes/callbacks/steps/ask"' in page


def test_a_process_opened_at_its_address_is_its_first_step_kept_in_one_query(app, agent):
    app.config["SCHEDULE_RECHECK_SECONDS"] = 3600
    url = f"/d/{WIRE}"
    first = agent.get(url).get_data(as_text=True)
    assert "Verify the caller" in first
    with Queries(app) as statements:
        page = agent.get(url).get_data(as_text=True)
    assert len(statements) == 2, statements  # the user; the document's ids, its first step and the state
    assert without_tokens(page) == without_tokens(first)
    assert without_tokens(page) == without_tokens(agent.get(f"/d/{WIRE}/steps/verify").get_data(as_text=True))
    agent.post(f"/d/{WIRE}/steps/verify/notes", {"body": "First-step note", "back": url})
    assert "First-step note" in agent.get(url).get_data(as_text=True)  # their own: the full view again
    assert "First-step note" not in agent.get(f"/d/{WIRE}/steps/screen").get_data(as_text=True)


def test_an_article_at_its_address_is_never_a_kept_step_page(app, agent):
    article = "policies/identity-verification"
    for _ in range(2):
        page = agent.get(f"/d/{article}")
        assert page.status_code == 200 and "Is this step right?" not in page.get_data(as_text=True)
    assert agent.get("/d/no/such/document").status_code == 404


def test_an_article_reads_the_user_its_pin_and_unread_count_in_one_query_and_itself(app, agent):
    article = "/d/policies/identity-verification"
    agent.get(article)
    with Queries(app) as statements:
        page = agent.get(article).get_data(as_text=True)
    assert 'aria-pressed="false">Pin<' in page and "badge-count" not in page
    # the user; the pin and the unread count; the document; the kinds of the documents it links to
    assert len(statements) == 4, statements
    assert not any("FROM pins" in s and "documents" not in s for s in statements)  # no query of its own
    agent.post("/d/policies/identity-verification/pin", {"back": article})
    with app.app_context():
        me = db.session.scalar(select(User).where(User.username == "agent"))
        db.session.add(Notification(user_id=me.id, kind=NotificationKind.DISMISSED, message="Seen to"))
        db.session.commit()
    page = agent.get(article).get_data(as_text=True)
    assert 'aria-pressed="true">Pinned<' in page and 'badge-count">1<' in page
