"""Issue 13, point 3: the CRM's context fills the placeholders of a process, escaped, for the whole run."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from guidance.content import parse_document
from guidance.extensions import db
from guidance.models import Document, GuideRun
from tests.conftest import publish_text

WIRE = "/d/processes/send-wire"


@pytest.fixture(autouse=True)
def placeholders_in_the_wire(app):
    """The wire transfer, greeting the customer by name and naming the recipient on a later step."""
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == "processes/send-wire"))
        current = document.published_revision
        source = current.source.replace(
            '"Before we start, can I confirm your full name and date of birth?"',
            '"Hello {{customer.first_name}}, before we start, can I confirm your full name and date of birth?"',
        ).replace("- [ ] Beneficiary name", "- [ ] Beneficiary name: {{transfer.recipient}}")
        _, problems = parse_document(source, current.source_path)
        assert not problems
        publish_text(document, source)


def slots(page: str) -> dict[str, str]:
    """The values filled in (blanks are <mark class="slot slot-blank">)."""
    return dict(re.findall(r'<span class="slot" data-slot="([^"]+)">(.*?)</span>', page))


def run_of(app, url: str) -> GuideRun:
    with app.app_context():
        run = db.session.get(GuideRun, int(url.split("/")[2]))
        db.session.expunge(run)
        return run


def test_a_go_link_carries_the_context_to_the_process(agent):
    response = agent.get("/go/TRANSFER_ABROAD?customer.first_name=Ana&card.last4=1234&utm=x")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{WIRE}?customer.first_name=Ana&card.last4=1234"


def test_values_are_escaped_text_and_missing_ones_are_highlighted_blanks(agent):
    page = agent.get(f"{WIRE}?customer.first_name=<b>Ana</b> *María*").get_data(as_text=True)
    assert slots(page) == {"customer.first_name": "&lt;b&gt;Ana&lt;/b&gt; *María*"}
    assert "<b>Ana" not in page and "<em>" not in page
    blank = agent.get(WIRE).get_data(as_text=True)
    assert '<mark class="slot slot-blank" data-slot="customer.first_name">customer’s first name</mark>' in blank


def test_the_copy_button_copies_the_filled_words_without_quotation_marks(agent):
    page = agent.get(f"{WIRE}?customer.first_name=Ana").get_data(as_text=True)
    copied = html.unescape(re.search(r'data-copy="([^"]*)"', page).group(1))
    assert copied == "Hello Ana, before we start, can I confirm your full name and date of birth?"
    blank = agent.get(WIRE).get_data(as_text=True)
    assert html.unescape(re.search(r'data-copy="([^"]*)"', blank).group(1)).startswith("Hello [customer’s first name],")


def test_the_values_given_when_the_run_starts_stay_with_the_run(app, agent):
    page = agent.get(f"{WIRE}?customer.first_name=Ana&transfer.recipient=Lucía Pérez").get_data(as_text=True)
    assert '<input type="hidden" name="transfer.recipient" value="Lucía Pérez">' in page
    form = {"step": "verify", "nav": "next", "customer.first_name": "Ana", "transfer.recipient": "Lucía Pérez"}
    moved = agent.post(f"{WIRE}/runs", form)
    url = moved.headers["Location"]
    assert run_of(app, url).context == {"customer.first_name": "Ana", "transfer.recipient": "Lucía Pérez"}
    beneficiary = agent.post(url, {"nav": "choice-1"}).headers["Location"]
    assert slots(agent.get(beneficiary).get_data(as_text=True)) == {"transfer.recipient": "Lucía Pérez"}
    back = agent.post(beneficiary, {"nav": "back"}).headers["Location"]
    first = agent.post(back, {"nav": "back"}).headers["Location"]
    assert slots(agent.get(first).get_data(as_text=True)) == {"customer.first_name": "Ana"}  # refresh, moves: kept


def test_a_run_url_may_add_values_that_the_next_move_keeps(app, agent):
    url = agent.post(f"{WIRE}/runs", {"step": "verify", "nav": "save"}).headers["Location"]
    page = agent.get(f"{url}?customer.first_name=Bea").get_data(as_text=True)
    assert slots(page) == {"customer.first_name": "Bea"}
    assert run_of(app, url).context == {}  # reading a page writes nothing
    agent.post(url, {"nav": "save", "customer.first_name": "Bea"})
    assert run_of(app, url).context == {"customer.first_name": "Bea"}


def test_names_not_on_the_allow_list_and_overlong_values_are_refused_and_said_so(agent):
    page = agent.get(f"{WIRE}?customer.shoe_size=42&customer.first_name={'x' * 101}").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", "", page.split('class="hint context-refused"', 1)[1].split("</p>", 1)[0])
    assert "customer.shoe_size (not a context name this app knows)" in text
    assert "customer.first_name (longer than 100 characters)" in text
    assert slots(page) == {} and 'data-slot="customer.first_name">customer’s first name</mark>' in page
