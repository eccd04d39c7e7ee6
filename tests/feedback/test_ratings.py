"""Thumbs up and down on a step: one per agent per step per revision, changeable, never in the way."""

from __future__ import annotations

from sqlalchemy import select

from guidance.extensions import db
from guidance.models import User
from tests.feedback.conftest import HX, WIRE, rate, ratings


def user_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == name))


def test_thumbs_up_is_saved_and_returns_to_the_same_step(app, agent):
    response = rate(agent, "up")
    assert response.status_code == 303 and response.headers["Location"] == f"{WIRE}/steps/verify#rating"
    [rating] = ratings(app)
    assert rating.positive and rating.step_key == "verify" and rating.reason is None
    page = agent.get(f"{WIRE}/steps/verify").get_data(as_text=True)
    assert 'id="rate-up" name="rating" value="up" aria-pressed="true"' in page
    assert "you rated this step helpful" in page


def test_thumbs_down_asks_for_a_reason_and_an_optional_comment(app, agent):
    rate(agent, "down")
    page = agent.get(f"{WIRE}/steps/verify").get_data(as_text=True)
    assert "What is wrong with it?" in page
    assert '<select id="rating-reason" name="reason" required' in page
    assert 'id="rating-comment"' in page
    assert rate(agent, "down", reason="outdated", comment="The OTP is now sent by app").status_code == 303
    [rating] = ratings(app)
    assert (rating.positive, rating.reason, rating.comment) == (False, "outdated", "The OTP is now sent by app")
    page = agent.get(f"{WIRE}/steps/verify").get_data(as_text=True)
    assert "you said this step is <strong>out of date</strong>" in page


def test_one_rating_per_agent_per_step_per_revision_and_it_can_change(app, agent, other):
    rate(agent, "down", reason="wrong")
    rate(agent, "up")
    rate(agent, "down")
    rate(other, "up")
    rate(agent, "up", step="screen")
    rows = ratings(app)
    assert len(rows) == 3
    agent_id = user_id(app, "agent")
    mine = [r for r in rows if r.step_key == "verify" and r.user_id == agent_id]
    assert len(mine) == 1 and mine[0].positive is False and mine[0].reason is None  # up cleared the reason


def test_an_unknown_reason_or_value_is_refused(app, agent):
    response = rate(agent, "down", reason="because")
    assert response.status_code == 422 and "Choose one of the listed reasons" in response.get_data(as_text=True)
    assert rate(agent, "sideways").status_code == 422
    assert ratings(app) == []


def test_rating_with_htmx_swaps_only_the_feedback_section(app, agent):
    response = agent.post(f"{WIRE}/steps/screen/rating", {"rating": "down", "back": f"{WIRE}/steps/screen"}, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="feedback"')
    assert 'id="rating-reason"' in body  # the reason form appears in place
    assert "HX-Push-Url" not in response.headers and "HX-Location" not in response.headers


def test_rating_during_a_run_does_not_move_the_run(app, agent):
    start = agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "next"})
    run_step = start.headers["Location"]
    response = agent.post(f"{WIRE}/steps/screen/rating", {"rating": "down", "back": run_step})
    assert response.headers["Location"] == f"{run_step}#rating"
    page = agent.get(run_step).get_data(as_text=True)
    assert "Step 2 of 4" in page and 'aria-pressed="true"' in page


def test_a_refused_rating_shows_what_was_sent_and_otherwise_what_is_saved(app, agent):
    rate(agent, "down", reason="unclear", comment="Which list?")
    response = rate(agent, "sideways")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose thumbs up or thumbs down." in body
    assert '<option value="unclear" selected>' in body
    assert '<textarea id="rating-comment" name="comment" rows="2" cols="40">Which list?</textarea>' in body
    typed = rate(agent, "down", reason="", comment="x" * 2001)  # the reason form sent back, refused
    assert typed.status_code == 422 and f"{'x' * 2001}</textarea>" in typed.get_data(as_text=True)
