"""Examples: a CRM's closed cases (customer's words + contact reason) teach search what each
document is for, and are never shown; a bad file is refused with its line and imports nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from guidance.extensions import db
from guidance.models import Document, Example
from guidance.services import examples
from guidance.services.library import import_tree
from tests.search.conftest import slugs, write

# Shares no word with the library's text: before any example, search cannot place it.
UNSEEN = "postman skipped my flat again, plastic missing"


def csv_file(tmp_path, text: str, name: str = "cases.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def example_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Example))


def generation_of(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Document.generation).where(Document.slug == slug))


def test_import_with_custom_column_names_reports_unknown_reasons_and_is_idempotent(app, runner, tmp_path):
    path = csv_file(
        tmp_path,
        "id,message,category\n"
        "1,my new card still isn't here,card_arrival\n"
        '2,"where is my card, it\'s been ages",Card_Arrival\n'
        "3,I want to send money to Spain,wire_transfer\n"
        "4,what is my pin,get_pin\n"
        "5,forgot my pin again,get_pin\n",
    )
    before = generation_of(app, "processes/card-arrival")
    command = ["guidance", "examples", "import", str(path), "--text-column", "message", "--reason-column", "category"]
    first = runner.invoke(args=command)
    assert first.exit_code == 0, first.output
    assert "unknown reason: get_pin (2 rows; no document lists it)" in first.output
    assert "5 rows: 3 added, 0 already imported, 2 with an unknown reason" in first.output
    assert example_count(app) == 3
    assert generation_of(app, "processes/card-arrival") > before  # re-indexed, as a publication is

    again = runner.invoke(args=command)
    assert "5 rows: 0 added, 3 already imported" in again.output and "0 document(s) re-indexed" in again.output
    assert example_count(app) == 3

    listed = runner.invoke(args=["guidance", "examples", "list", "--reason", "card_arrival"]).output
    assert "card_arrival\tcases.csv\twhere is my card, it's been ages" in listed and "2 example(s)" in listed
    assert "card_arrival\tcases.csv\t2" in runner.invoke(args=["guidance", "examples", "list"]).output


@pytest.mark.parametrize(
    ("content", "encoding", "line", "message"),
    [
        ("text,reason\nhello,card_arrival\n", "utf-8", 1, "no column 'contact_reason' (the columns are: text, reason)"),
        ('text,contact_reason\nfine,card_arrival\n"never closed,card_arrival\nmore,x\n', "utf-8", 3, "unexpected end"),
        ('text,contact_reason\nok,card_arrival\n"quoted" then not,card_arrival\n', "utf-8", 3, "',' expected"),
        ("text,contact_reason\nok,card_arrival\nthree,fields,here\n", "utf-8", 3, "3 fields where the header has 2"),
        ("text,contact_reason\nok,card_arrival\ncaf\u00e9 card,card_arrival\n", "latin-1", 3, "not UTF-8"),
    ],
)
def test_a_bad_file_is_refused_with_its_line_and_nothing_is_imported(
    app, runner, tmp_path, content, encoding, line, message
):
    path = csv_file(tmp_path, content, encoding=encoding)
    result = runner.invoke(args=["guidance", "examples", "import", str(path)])
    assert result.exit_code != 0
    assert f"{path}:{line}:" in result.output and message in result.output
    assert "nothing was imported" in result.output
    assert example_count(app) == 0


def test_clear_needs_yes_and_removes_one_source(app, runner, tmp_path):
    for name in ("a.csv", "b.csv"):
        path = csv_file(tmp_path, f"text,contact_reason\ncard from {name} not here,card_arrival\n", name)
        runner.invoke(args=["guidance", "examples", "import", str(path)])
    refused = runner.invoke(args=["guidance", "examples", "clear", "--source", "a.csv"])
    assert refused.exit_code != 0 and "--yes" in refused.output and example_count(app) == 2
    done = runner.invoke(args=["guidance", "examples", "clear", "--source", "a.csv", "--yes"])
    assert "1 example(s) deleted" in done.output
    with app.app_context():
        assert [e.source for e in examples.listing()] == ["b.csv"]


@pytest.fixture
def post_library(app, library):
    write(
        library,
        "card-delivery.md",
        """
        ---
        title: Card has not arrived
        kind: process
        contact_reasons: [card_not_delivered]
        ---
        ## Check the dispatch date {#dispatch .end}
        Look up the dispatch date in the card system.
        """,
    )
    write(
        library,
        "lost-card.md",
        """
        ---
        title: Lost or stolen card
        contact_reasons: [lost_or_stolen_card]
        ---
        Block the card at once and order a replacement.
        """,
    )
    with app.app_context():
        import_tree(library)


def test_an_imported_example_lets_search_find_a_document_in_the_customers_words(
    app, engine, post_library, runner, tmp_path
):
    # Passages are embedded in the background a moment after each change; `search(wait=True)`
    # waits only for the words. Each search here waits for both, or it races the embedder.
    engine.wait_until_current()
    before = engine.search(UNSEEN, role="agent", wait=True)
    assert before.weak or "card-delivery" not in slugs(before)
    path = csv_file(
        tmp_path,
        "text,contact_reason\n"
        "the postman skipped my flat and my plastic is missing,card_not_delivered\n"
        "stolen wallet with my card in it,lost_or_stolen_card\n",
    )
    assert runner.invoke(args=["guidance", "examples", "import", str(path)]).exit_code == 0
    engine.wait_until_current()
    found = engine.search(UNSEEN, role="agent", wait=True)
    assert not found.weak and slugs(found)[0] == "card-delivery"
    # used to find the page, never shown on it
    assert "postman" not in found.hits[0].snippet
