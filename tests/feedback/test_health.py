"""Step health: rating scores on the current revision, flagged steps worst first."""

from __future__ import annotations

import re

from sqlalchemy import select

from guidance.extensions import db
from guidance.models import Document, User
from guidance.services.feedback import rate
from tests.conftest import PASSWORDS
from tests.feedback.conftest import WIRE, login, make_agents, republish, text_of


def ratings(app, step: str, up: int, down: int, names: list[str]) -> None:
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == "processes/send-wire"))
        for index, name in enumerate(names[: up + down]):
            user = db.session.scalar(select(User).where(User.username == name))
            rate(user, document, document.published_revision, step, index < up, None if index < up else "unclear")


def test_flagged_steps_are_listed_worst_first(app):
    names = make_agents(app, 6)
    ratings(app, "screen", 1, 4, names)  # 20% up, 4 down: flagged
    ratings(app, "escalate", 0, 5, names)  # 0% up: flagged, worst
    ratings(app, "verify", 3, 3, names)  # half up: not flagged
    ratings(app, "beneficiary", 0, 2, names)  # only 2 down: not flagged
    admin = login(app, "admin")
    page = admin.get("/admin/health").get_data(as_text=True)
    flagged = page.split("<h2>Flagged steps</h2>")[1].split("<h2>All rated steps</h2>")[0]
    rows = re.findall(r"<tr>\s*<td><a [^>]*>(.*?)</a>", flagged)
    assert [text_of(r).split("›")[1].strip() for r in rows] == [
        "Stop and escalate",
        "Is the destination country sanctioned?",
    ]
    everything = page.split("<h2>All rated steps</h2>")[1]
    assert "Verify the caller" in everything and "Collect beneficiary details" in everything
    assert "2 steps flagged by ratings" in admin.get("/admin/inbox").get_data(as_text=True)


def test_admins_see_a_rating_bar_per_step_and_agents_do_not(app):
    names = make_agents(app, 9)
    ratings(app, "verify", 4, 5, names)
    admin = login(app, "admin")
    page = admin.get(WIRE).get_data(as_text=True)
    steps = page.split('aria-label="Steps of this process"')[1]
    assert '<meter min="0" max="9" value="4"' in steps
    assert "4 up, 5 down" in steps and "no ratings" in steps
    agent = login(app, "agent", PASSWORDS["agent"])
    assert "4 up, 5 down" not in agent.get(WIRE).get_data(as_text=True)


def test_health_counts_only_ratings_on_the_step_as_it_reads_now(app):
    names = make_agents(app, 5)
    ratings(app, "screen", 0, 5, names)
    republish(app, "processes/send-wire", lambda s: s.replace("sanctions list", "current sanctions list"))
    admin = login(app, "admin")
    assert "No step is flagged." in admin.get("/admin/health").get_data(as_text=True)
