"""Issue 13, point 7: every example in the README finds its document first in the starter library."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml

from guidance import search
from tests.conftest import Session, close, make_app

README = Path(__file__).resolve().parents[1] / "README.md"
TEXT = README.read_text(encoding="utf-8")


def table_examples() -> list[tuple[str, str]]:
    section = TEXT.split("### What agents type, and what comes first", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (?!the agent types|---)(.+?) \| (.+?) \|$", section, re.M)
    assert len(rows) >= 5, "the README's table of examples was not found"
    return rows


def format_example() -> tuple[str, list[str]]:
    """The title and the example phrasings of the README's content-format example."""
    block = TEXT.split("## The content format", 1)[1].split("```markdown\n", 1)[1].split("\n---\n", 1)[0]
    meta = yaml.safe_load(block.removeprefix("---\n"))
    return meta["title"], meta["phrasings"]


def every_example() -> list[tuple[str, str]]:
    title, phrasings = format_example()
    return [(phrasing, title) for phrasing in phrasings] + table_examples()


@pytest.fixture(scope="module")
def starter_app(starter_dir, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("readme") / "data"
    shutil.copytree(starter_dir, data_dir, symlinks=True)
    app = make_app(data_dir)
    yield app
    close(app)


def test_the_format_example_is_the_readmes_own_sending_money_example():
    title, phrasings = format_example()
    assert title == "Send money abroad (international or euro transfer)"
    assert "I want to send money to my sister in Spain" in phrasings


@pytest.mark.parametrize(("query", "title"), every_example())
def test_each_example_finds_its_document_first(starter_app, query, title):
    with starter_app.app_context():
        found = search.engine().search(query, role="agent", limit=5)
    assert found.hits, f"nothing found for {query!r}"
    assert found.hits[0].title == title, [hit.title for hit in found.hits]


def test_the_deep_link_example_opens_its_process_with_the_values_in_the_script(starter_app):
    link = re.search(r"^(/go/\S+)$", TEXT.split("## The CRM's context in scripts", 1)[1], re.M).group(1)
    agent = Session(starter_app.test_client())
    agent.login("agent")
    opened = agent.get(link)
    assert opened.status_code == 302
    page = agent.get(opened.headers["Location"]).get_data(as_text=True)
    assert "Card not arrived or delivery time" in page
    # The script with the dates: the customer's own order, still within the normal time.
    process = urlsplit(opened.headers["Location"])
    given = dict(parse_qsl(process.query))  # the page's form carries them when the run starts
    assert given["card.dispatch_date"] == "3 March"
    start = {"step": "general-or-account", "nav": "choice-1", **given}
    url = agent.post(f"{process.path}/runs", start).headers["Location"]
    for nav in ("next", "next", "choice-0"):  # verify, check the order, is it late? no
        url = agent.post(url, {"nav": nav}).headers["Location"]
    page = agent.get(url).get_data(as_text=True)
    assert url.endswith("/steps/within-time")
    assert '<span class="slot" data-slot="card.dispatch_date">3 March</span>' in page
    assert '<span class="slot" data-slot="card.expected_date">10 March</span>' in page
