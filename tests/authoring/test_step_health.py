"""Feedback stays attached where it belongs (issue 10, point 8): ratings and notes on a step whose
content did not change carry into the new revision's step health; a changed step starts fresh,
with the old figures one click away."""

from __future__ import annotations

import re

from sqlalchemy import select

from guidance.extensions import db
from guidance.models import Document, User
from guidance.services.feedback import add_note, rate
from tests.feedback.conftest import login, make_agents, republish, text_of

CARD = "processes/card-arrival"


def thumbs_down(app, step: str, names: list[str]) -> None:
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == CARD))
        for name in names:
            user = db.session.scalar(select(User).where(User.username == name))
            rate(user, document, document.published_revision, step, False, "unclear")
        add_note(user, document, document.published_revision, step, "Which system has the date?")


def flagged(admin) -> list[str]:
    page = admin.get("/admin/health").get_data(as_text=True)
    part = page.split("<h2>Flagged steps</h2>")[1].split("<h2>")[0]
    return [text_of(row).strip() for row in re.findall(r"<tr>\s*<td><a [^>]*>(.*?)</a>", part)]


def test_ratings_on_an_untouched_step_survive_an_edit_to_another_step(app):
    """The reported sequence: three thumbs down on the first step, then an edit to the last only."""
    thumbs_down(app, "dispatch", make_agents(app, 3))
    admin = login(app, "admin")
    assert flagged(admin) == ["Card has not arrived › Check the dispatch date"]
    republish(app, CARD, lambda s: s.replace("express delivery", "free express delivery"))
    assert flagged(admin) == ["Card has not arrived › Check the dispatch date"]
    health = admin.get("/admin/health").get_data(as_text=True)
    row = health.split("Check the dispatch date")[1].split("</tr>")[0]
    assert re.findall(r"<td>(\d+)</td>", row) == ["0", "3", "1"]  # up, down, notes
    steps = admin.get(f"/d/{CARD}").get_data(as_text=True).split('aria-label="Steps of this process"')[1]
    assert "0 up, 3 down" in steps  # the admin's bars beside the steps carry them too


def test_a_changed_step_starts_fresh_with_the_old_figures_one_click_away(app):
    thumbs_down(app, "dispatch", make_agents(app, 3))
    republish(app, CARD, lambda s: s.replace("in the card system", "in the card system (Cards > Orders)"))
    admin = login(app, "admin")
    assert flagged(admin) == []
    health = admin.get("/admin/health").get_data(as_text=True)
    changed = health.split('id="changed-title"')[1]
    link = f'href="/admin/health/{CARD}/steps/dispatch"'
    assert "Check the dispatch date" in changed and "0 up, 3 down" in changed and link in changed
    history = admin.get(f"/admin/health/{CARD}/steps/dispatch").get_data(as_text=True)
    assert "Revision 2 (live)" in text_of(history) and "Revision 1" in text_of(history)
    rows = re.findall(r"<tr>(.*?)</tr>", history, re.S)[1:]
    assert [re.findall(r"<td>(\d+)</td>", row) for row in rows] == [["0", "0", "0"], ["0", "3", "1"]]


def test_one_agent_rating_the_same_content_twice_counts_once(app):
    [name] = make_agents(app, 1)
    thumbs_down(app, "dispatch", [name])
    republish(app, CARD, lambda s: s.replace("express delivery", "free express delivery"))
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == CARD))
        user = db.session.scalar(select(User).where(User.username == name))
        rate(user, document, document.published_revision, "dispatch", True)  # changed their mind
    admin = login(app, "admin")
    steps = admin.get(f"/d/{CARD}").get_data(as_text=True).split('aria-label="Steps of this process"')[1]
    assert "1 up, 0 down" in steps
