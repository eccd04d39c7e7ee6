"""No GET changes anything, so a link or an image in a note cannot act on the reader's behalf."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from guidance.extensions import db
from guidance.models import Notification, SearchLog, User
from guidance.services.search_log import flush
from tests.bad_input import HUGE
from tests.feedback.conftest import WIRE, add_note, login, section
from tests.test_access import ROUTES, fill

HEADER_BADGE = re.compile(r'Notifications <span class="badge badge-count">(\d+)')


def notify(app, username: str, *messages: str) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.add_all(Notification(user_id=user.id, kind="dismissed", message=m, url="/") for m in messages)
        db.session.commit()


def unread(app, username: str) -> int:
    with app.app_context():
        return len(
            db.session.scalars(
                select(Notification).join(User).where(User.username == username, Notification.read_at.is_(None))
            ).all()
        )


def test_viewing_notifications_marks_nothing_read_the_button_does(app, agent):
    notify(app, "agent", "First news", "Second news")
    page = agent.get("/notifications").get_data(as_text=True)
    assert page.count("badge-new") == 2 and "First news" in page
    assert 'action="/notifications/read"' in page and "Mark all as read" in page
    assert unread(app, "agent") == 2
    assert HEADER_BADGE.search(agent.get("/").get_data(as_text=True)).group(1) == "2"  # still unread
    response = agent.post("/notifications/read")
    assert response.status_code == 303 and response.headers["Location"] == "/notifications"
    assert unread(app, "agent") == 0
    after = agent.get("/notifications").get_data(as_text=True)
    assert "badge-new" not in after and "First news" in after
    assert "Mark all as read" not in after and not HEADER_BADGE.search(after)


def test_marking_read_is_for_ones_own_notifications(app, agent):
    notify(app, "agent", "Yours")
    notify(app, "senior", "Theirs")
    agent.post("/notifications/read")
    assert (unread(app, "agent"), unread(app, "senior")) == (0, 1)


def test_an_image_of_the_notifications_page_in_a_shared_note_marks_nothing_read(app, agent):
    other = login(app, "senior")
    add_note(agent, "![](/notifications) look", shared="1")
    notify(app, "senior", "News for the colleague")
    step = other.get(f"{WIRE}/steps/verify").get_data(as_text=True)
    assert "<img" not in section(step, '<ul class="note-list">', "</ul>")
    assert '<a href="/notifications" rel="noopener noreferrer">/notifications</a>' in step
    other.get("/notifications")  # even opening the page itself
    assert unread(app, "senior") == 1


def log_rows(app) -> list[SearchLog]:
    """The log as written (it is written off the request path, so write what is queued first)."""
    with app.app_context():
        flush()
        rows = db.session.scalars(select(SearchLog).order_by(SearchLog.id)).all()
        db.session.expunge_all()
        return rows


def test_result_links_carry_no_log_id_and_opening_a_document_records_nothing(app, agent):
    body = agent.get("/search?q=wire+transfer").get_data(as_text=True)
    first = re.search(r'<a class="result-link" href="([^"]+)"([^>]*)>', body)
    assert first.group(1) == "/d/processes/send-wire"
    [entry] = log_rows(app)
    assert f'data-log="{entry.key}"' in first.group(2) and 'data-rank="1"' in first.group(2)
    assert 'data-opened="/search/opened"' in body
    agent.get(f"/d/processes/send-wire?s={entry.key}&r=1")  # an old link, or an image in a note
    assert log_rows(app)[0].opened_slug is None


def test_the_click_beacon_records_which_result_was_opened(app, agent):
    agent.get("/search?q=wire+transfer")
    [entry] = log_rows(app)
    response = agent.post("/search/opened", {"log": str(entry.key), "slug": "processes/send-wire", "rank": "1"})
    assert response.status_code == 204
    [entry] = log_rows(app)
    assert (entry.opened_slug, entry.opened_rank) == ("processes/send-wire", 1)


@pytest.mark.parametrize(
    "form",
    [
        {"log": HUGE, "slug": "processes/send-wire", "rank": "1"},
        {"log": "x", "slug": "processes/send-wire", "rank": "1"},
        {"slug": "processes/send-wire", "rank": "1"},
        {"log": "{log}", "slug": "no/such-document", "rank": "1"},
        {"log": "{log}", "slug": "processes/senior-override", "rank": "1"},  # not for agents
        {"log": "{log}", "slug": "x" * 300, "rank": "1"},
    ],
)
def test_the_beacon_records_nothing_it_cannot_trust(app, agent, form):
    agent.get("/search?q=wire+transfer")
    log = str(log_rows(app)[0].key)
    response = agent.post("/search/opened", {k: v.replace("{log}", log) for k, v in form.items()})
    assert response.status_code in (204, 422)
    assert log_rows(app)[0].opened_slug is None


def test_the_beacon_records_only_into_ones_own_log(app, agent):
    agent.get("/search?q=wire+transfer")
    senior = login(app, "senior")
    response = senior.post(
        "/search/opened", {"log": str(log_rows(app)[0].key), "slug": "processes/send-wire", "rank": "1"}
    )
    assert response.status_code == 204
    assert log_rows(app)[0].opened_slug is None


def test_a_rank_beyond_range_is_dropped_not_an_error(app, agent):
    agent.get("/search?q=wire+transfer")
    entry = log_rows(app)[0]
    agent.post("/search/opened", {"log": str(entry.key), "slug": "processes/send-wire", "rank": HUGE})
    assert (log_rows(app)[0].opened_slug, log_rows(app)[0].opened_rank) == ("processes/send-wire", None)


def test_a_search_url_loaded_as_an_image_or_script_is_not_logged(app, agent):
    for destination in ("image", "script", "style"):
        agent.get("/search?q=wire+transfer", headers={"Sec-Fetch-Dest": destination})
    assert log_rows(app) == []
    agent.get("/search?q=wire+transfer", headers={"Sec-Fetch-Dest": "document"})
    assert [row.query for row in log_rows(app)] == ["wire transfer"]


GETS = [route for route in ROUTES if route[0] == "GET" and route[3] is not None]


@pytest.mark.parametrize(("method", "path", "endpoint", "role"), GETS, ids=[r[1] for r in GETS])
def test_no_page_writes_to_the_database_when_it_is_read(app, session, method, path, endpoint, role):
    session.login("admin")  # sees every page
    path = fill(path, session)
    writes = []

    def record(conn, cursor, statement, parameters, context, executemany):
        words = statement.lstrip().split(None, 3)
        if words[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes.append(statement)  # (the search log is written later, on its own connection)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = session.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    response.close()
    assert response.status_code in (200, 302)  # /go redirects when one document fits
    assert writes == []
