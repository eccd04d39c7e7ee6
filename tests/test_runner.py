"""Following a process step by step, with plain forms and links (no JavaScript)."""

from __future__ import annotations

from guidance.extensions import db
from guidance.models import GuideRun

WIRE = "/d/processes/send-wire"


def follow(session, response):
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"], session.get(response.headers["Location"])


def run_of(app, run_url: str) -> GuideRun:
    run_id = int(run_url.split("/")[2])
    with app.app_context():
        run = db.session.get(GuideRun, run_id)
        db.session.expunge(run)
        return run


def test_a_process_opens_on_its_first_step(agent):
    page = agent.get(WIRE).get_data(as_text=True)
    assert '<h2 id="step-title" tabindex="-1" autofocus>Verify the caller</h2>' in page  # two Tabs to a control
    assert "Step 1 of 4" in page  # the longest way through: verify, screen, beneficiary, send
    assert "Before we start, can I confirm your full name and date of birth?" in page
    assert 'type="checkbox"' in page and "One-time passcode confirmed" in page
    assert "Use this when a customer asks" in page  # the introduction, on the first step
    assert 'value="next"' in page and "Next: Is the destination country sanctioned?" in page
    assert 'value="back"' not in page


def test_next_and_a_decision_walk_the_branch_and_each_step_has_its_own_url(app, agent):
    url, page = follow(agent, agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "next"}))
    assert url.endswith("/steps/screen")
    body = page.get_data(as_text=True)
    assert "Step 2 of 4" in body
    assert 'value="choice-0"' in body and 'value="choice-1"' in body
    assert 'value="next"' not in body  # a decision has no default next
    url, page = follow(agent, agent.post(url, {"nav": "choice-1"}))
    assert url.endswith("/steps/beneficiary")
    assert agent.get(url).get_data(as_text=True) == page.get_data(as_text=True)  # refresh keeps the place
    run = run_of(app, url)
    assert run.visited == ["verify", "screen", "beneficiary"]
    assert run.status == "active" and run.current_step == "beneficiary"


def test_back_returns_along_the_path_taken(agent):
    url, _ = follow(agent, agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "next"}))
    url, _ = follow(agent, agent.post(url, {"nav": "choice-0"}))
    assert url.endswith("/steps/escalate")
    url, _ = follow(agent, agent.post(url, {"nav": "back"}))
    assert url.endswith("/steps/screen")
    url, _ = follow(agent, agent.post(url, {"nav": "back"}))
    assert url.endswith("/steps/verify")


def test_an_end_step_finishes_instead_of_running_into_the_next_branch(app, agent):
    url, _ = follow(agent, agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "next"}))
    url, page = follow(agent, agent.post(url, {"nav": "choice-0"}))
    body = page.get_data(as_text=True)
    assert 'value="finish"' in body and 'value="next"' not in body
    _done_url, done = follow(agent, agent.post(url, {"nav": "finish"}))
    assert "Process finished" in done.get_data(as_text=True)
    run = run_of(app, url)
    assert run.status == "finished" and run.finished_at is not None


def test_ticked_checklist_items_survive_moving_between_steps(agent):
    url, _ = follow(agent, agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "next", "checked": ["1"]}))
    url, page = follow(agent, agent.post(url, {"nav": "back"}))
    body = page.get_data(as_text=True)
    assert 'value="1" checked' in body
    assert 'value="0" checked' not in body


def test_moves_that_the_step_does_not_allow_are_refused(agent):
    url, _ = follow(agent, agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "next"}))
    assert agent.post(url, {"nav": "next"}).status_code == 400  # decision: must choose
    assert agent.post(url, {"nav": "choice-7"}).status_code == 400
    assert agent.post(url, {"nav": "finish"}).status_code == 400
    assert agent.post(f"{WIRE}/runs", {"step": "nope", "nav": "next"}).status_code == 400


def test_starting_again_abandons_the_unfinished_run(app, agent):
    first, _ = follow(agent, agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "next"}))
    second, _ = follow(agent, agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "next"}))
    assert first != second
    assert run_of(app, first).status == "abandoned"
    assert run_of(app, second).status == "active"


def test_htmx_gets_the_step_fragment_and_the_url_to_push(agent):
    response = agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "next"}, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"].endswith("/steps/screen")
    # htmx takes the tab's title from a top-level <title>, then swaps the runner
    assert body.lstrip().startswith(
        "<title>Is the destination country sanctioned? · Send an international wire transfer · Guidance</title>"
    )
    assert '<div id="runner"' in body and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]


def test_the_step_list_marks_where_the_agent_is(agent):
    _url, page = follow(agent, agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "next"}))
    body = page.get_data(as_text=True)
    assert 'aria-current="step">Is the destination country sanctioned?</a>' in body
    assert "(visited)" in body


def test_recent_processes_appear_on_home_with_resume(agent):
    follow(agent, agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "next"}))
    home = agent.get("/").get_data(as_text=True)
    recent = home.split('id="recent-title"')[1].split("</section>")[0]
    assert "Send an international wire transfer" in recent and "Resume" in recent


def test_a_refused_move_saves_nothing_not_even_the_ticks(app, agent):
    url, _ = follow(agent, agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "next"}))
    assert agent.post(url, {"nav": "next", "checked": ["0"]}).status_code == 400
    run = run_of(app, url)
    assert run.checked.get("screen", []) == [] and run.visited == ["verify", "screen"]
    assert agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "choice-3"}).status_code == 400
    assert run_of(app, url).status == "active"  # a refused start abandons nothing and starts nothing
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(GuideRun.id))) == 1


def test_the_step_template_renders_as_a_preview_with_no_run_and_no_header(app):
    """An editor's live preview includes _step.html with only the document and the step's view."""
    from flask import render_template
    from sqlalchemy import select

    from guidance.models import Document
    from guidance.services.documents import parsed
    from guidance.views._pages import step_view

    with app.test_request_context("/"):
        document = db.session.scalar(select(Document).where(Document.slug == "processes/send-wire"))
        doc = parsed(document.published_revision)
        view = step_view(document, doc, doc.steps[1], None, {})
        page = render_template("_step.html", document=document, doc=doc, view=view, preview=True)
    assert '<h2 id="step-title" tabindex="-1">Is the destination country sanctioned?</h2>' in page
    assert "Collect beneficiary details" in page and 'class="run-head"' not in page
