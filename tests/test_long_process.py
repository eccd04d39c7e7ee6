"""A process with thousands of steps shows its current step without sending all of them.

benchmarks/long_process.py prints how long parsing and the pages take; no test here times anything.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from guidance.content import parse_document
from guidance.extensions import db
from guidance.models import Document, RevisionOrigin
from guidance.services.publishing import Publication, new_revision, publish
from tests.generated import long_process

STEPS = 10_000


@pytest.fixture
def long_doc(app):
    source = long_process(STEPS)
    parsed, problems = parse_document(source, "long.md")
    assert not [p for p in problems if p.blocking]
    with app.app_context():
        document = Document(slug="long")
        db.session.add(document)
        revision = new_revision(document, source, origin=RevisionOrigin.FILE, author=None, source_path="long.md")
        publish([Publication(document, revision, parsed=parsed)], None)
        assert db.session.scalar(select(Document.slug).where(Document.slug == "long"))
    return "/d/long"


def step_list(page: str) -> str:
    return page.split('<nav class="steps"', 1)[1].split("</nav>", 1)[0]


def listed(page: str) -> list[str]:
    return re.findall(r'href="/(?:d/long|runs/\d+)/steps/(s\d+)"', step_list(page))


def test_a_step_of_a_10000_step_process_shows_a_window_of_the_list(agent, long_doc):
    response = agent.get(f"{long_doc}/steps/s5000")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(response.get_data()) < 100_000
    assert "Step 5001 of 10000" in page and '<h2 id="step-title" tabindex="-1" autofocus>Step 5000</h2>' in page
    assert listed(page) == ["s0", *[f"s{n}" for n in range(4995, 5006)], "s9999"]
    assert 'aria-current="step">Step 5000</a>' in page
    nav = step_list(page)
    assert "4,994 steps not shown" in nav and "4,993 steps not shown" in nav
    assert '<li value="4996"' in nav  # numbered as in the whole process


def test_the_first_and_last_steps_and_a_run_step_are_small_too(agent, long_doc):
    first = agent.get(long_doc)
    assert len(first.get_data()) < 100_000
    assert listed(first.get_data(as_text=True)) == [f"s{n}" for n in range(6)] + ["s9999"]
    last = agent.get(f"{long_doc}/steps/s9999").get_data(as_text=True)
    assert listed(last) == ["s0", *[f"s{n}" for n in range(9994, 10000)]]
    moved = agent.post(f"{long_doc}/runs", {"step": "s7000", "nav": "next"})
    run_step = agent.get(moved.headers["Location"])
    assert moved.headers["Location"].endswith("/steps/s7001")
    assert len(run_step.get_data()) < 100_000
    assert "s7001" in listed(run_step.get_data(as_text=True))


def test_a_short_process_still_lists_every_step(agent):
    page = agent.get("/d/processes/send-wire/steps/screen").get_data(as_text=True)
    assert len(listed_any(page)) == 5 and "not shown" not in page


def listed_any(page: str) -> list[str]:
    return re.findall(r'<li [^>]*value="\d+"', step_list(page))
