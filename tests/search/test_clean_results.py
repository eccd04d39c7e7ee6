"""Results read as text: titles and extracts without Markdown, a heading never run into the text
below it, and only the words that matched marked."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from guidance.search import snippets
from guidance.services.library import import_tree

HANDBOOK = Path(__file__).parents[3] / "shared" / "corpora" / "sourcegraph-handbook" / "content"
PAGES = {
    "ada": "departments/people-talent/ada.md",
    "access": "company-info-and-process/policies/access-control-policy.md",
    "gitserver": "departments/engineering/teams/source/how-gitserver-works.md",
    "overview": "departments/technical-success/support/process/enablement/high-level-overview-index.md",
}
pytestmark = pytest.mark.skipif(not HANDBOOK.is_dir(), reason="the handbook corpus is not on this machine")


@pytest.fixture
def handbook_pages(app, library):
    for path in PAGES.values():
        target = library / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(HANDBOOK / path, target)
    with app.app_context():
        import_tree(library)


@pytest.mark.parametrize(
    ("query", "page", "title"),
    [
        (
            "interactive process disability",
            "ada",
            "American Disability Act (ADA) Interactive Process - Resources for Teammates",
        ),
        ("credentials management", "access", "Access Control & Credentials Management Policy"),
        ("gitserver scheduling repository updates", "gitserver", "How gitserver works"),
        ("timestamps overview", "overview", "Timestamps for High level overview created with CS in mind"),
    ],
)
def test_handbook_titles_written_in_markdown_show_as_text(agent, handbook_pages, query, page, title):
    body = agent.get("/search", query_string={"q": query}).get_data(as_text=True)
    links = re.findall(r'class="result-link" href="/d/([^"]+)"[^>]*>([^<]*)</a>', body)
    expected = PAGES[page].removesuffix(".md")
    assert (expected, title.replace("&", "&amp;")) in links


def test_extracts_carry_no_markdown_and_put_a_heading_on_its_own_line(app, engine, handbook_pages):
    found = engine.search("reason for the policy accommodation", role="agent", wait=True)
    ada = next(hit for hit in found.hits if hit.slug == PAGES["ada"].removesuffix(".md"))
    assert not re.search(r"\*\*|\]\(|`|&lt;|<(?!/?mark>|br>)", ada.snippet)
    # "Reason for the policy" is a heading: what follows it starts a new line
    assert re.search(r"policy</mark><br>", ada.snippet)


def test_a_heading_ends_its_line_and_a_sentence_runs_on():
    text = "Check the dispatch date\nLook up the dispatch date in the card system.\nThen call the courier."
    extract = str(snippets.snippet(text, snippets.matcher(["dispatch"], ["dispatch"])))
    assert extract == (
        "Check the <mark>dispatch</mark> date<br>Look up the <mark>dispatch</mark> date in the card system. "
        "Then call the courier."
    )


def test_only_the_words_that_matched_are_marked():
    text = "Cards and a cardigan: a card is not a card's fee; the cards were charged."
    marks = snippets.matcher(["cards", "charges"], ["card", "charg"])
    extract = str(snippets.snippet(text, marks))
    assert re.findall(r"<mark>([^<]+)</mark>", extract) == ["Cards", "card", "card", "cards", "charged"]


@pytest.mark.parametrize("before", ["", "İ "])  # a letter whose lower case is longer: offsets must hold
def test_a_searched_word_is_marked_at_a_word_start_in_any_case_and_never_inside_a_word(before):
    text = before + "Discard the CARDS, scorecards and card-holders; cards.example, not discard.cards"
    extract = str(snippets.snippet(text, snippets.matcher(["cards"], ["card"])))
    assert re.findall(r"<mark>([^<]+)</mark>", extract) == ["CARDS", "card", "cards"]


def test_typed_words_that_were_not_searched_are_not_marked():
    # search leaves out words too common to decide anything (query.focus): only the stems it
    # searched count as matches, whatever else was typed
    text = "Teammates ask for an accommodation; teammates get one."
    extract = str(snippets.snippet(text, snippets.matcher(["teammates", "accommodation"], ["accommod"])))
    assert re.findall(r"<mark>([^<]+)</mark>", extract) == ["accommodation"]


def test_a_stop_word_that_stems_like_a_searched_word_is_not_marked():
    # "one" is searched (stem "on"); "on" is a stop word, never indexed, so it never matched
    text = "One pending, one completed: the hold drops off on its own."
    extract = str(snippets.snippet(text, snippets.matcher(["one", "pending"], ["on", "pend"])))
    assert re.findall(r"<mark>([^<]+)</mark>", extract) == ["One", "pending", "one"]


def test_the_summary_standing_in_for_an_extract_is_marked_too():
    marks = snippets.matcher(["charged", "twice"], ["charg", "twice"])
    extract = str(snippets.snippet("Verify the caller.", marks, "Raise a dispute for a **double charge**."))
    assert extract == "Raise a dispute for a double <mark>charge</mark>."
    assert str(snippets.snippet("Verify the caller.", marks, "Refund the fee & *apologise*.")) == (
        "Refund the fee &amp; apologise."
    )
