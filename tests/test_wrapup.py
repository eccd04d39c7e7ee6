"""Issue 13, point 4: the finish page's call summary to paste into the CRM, and its step count."""

from __future__ import annotations

import html
import re

WIRE = "/d/processes/send-wire"


def go(agent, url: str, **form) -> str:
    response = agent.post(url, form)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def summary_of(page: str) -> str:
    return html.unescape(re.search(r'<pre id="wrapup-text" class="wrapup-text">(.*?)</pre>', page, re.S).group(1))


def test_the_summary_names_the_process_the_answers_the_ticks_and_the_outcome(agent):
    url = go(agent, f"{WIRE}/runs", step="verify", nav="next", checked=["0", "1"])
    url = go(agent, url, nav="choice-0")  # sanctioned: yes
    url = go(agent, url, nav="back")  # a second look: no
    url = go(agent, url, nav="choice-1")
    url = go(agent, url, nav="next", checked=["0", "2"])
    done = go(agent, url, nav="finish")
    page = agent.get(done).get_data(as_text=True)
    assert summary_of(page) == "\n".join(
        [
            "Process: Send an international wire transfer",
            "Decisions:",
            "- Is the destination country sanctioned? No",  # the answer that stood, not the one undone
            "Checked:",
            "- Name and date of birth match the profile",
            "- One-time passcode confirmed",
            "- Beneficiary name",
            "- SWIFT/BIC code",
            "Outcome: Send the transfer",
        ]
    )
    # One copy button, carrying exactly the plain text shown.
    [copy] = re.findall(r'<button type="button" class="copy primary" data-copy="([^"]*)"', page)
    assert html.unescape(copy) == summary_of(page)


def test_the_step_count_counts_steps_visited_not_moves(agent):
    url = go(agent, f"{WIRE}/runs", step="verify", nav="next")
    url = go(agent, url, nav="back")
    url = go(agent, url, nav="next")
    url = go(agent, url, nav="choice-1")
    url = go(agent, url, nav="next")
    page = agent.get(go(agent, url, nav="finish")).get_data(as_text=True)
    assert "4 steps visited" in page  # verify, screen, beneficiary, send: six moves, four steps
    assert "Finished at <strong>Send the transfer</strong>" in page


def test_the_htmx_finish_sets_the_tab_title_and_shows_the_summary(agent):
    url = go(agent, f"{WIRE}/runs", step="verify", nav="next")
    url = go(agent, url, nav="choice-0")
    response = agent.post(url, {"nav": "finish"}, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith("<title>Finished · Send an international wire transfer · Guidance</title>")
    assert "Outcome: Stop and escalate" in summary_of(body)
