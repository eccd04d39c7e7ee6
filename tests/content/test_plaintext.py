"""The words search indexes and extracts show: what a reader sees of the Markdown, block by block."""

from __future__ import annotations

import threading

import pytest

from guidance.content.plaintext import to_plain_text


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("## Verify the caller {#verify .end}\nAsk for the name.", "Verify the caller\nAsk for the name."),
        ("See the [identity policy](../policies/identity.md#checks) first.", "See the identity policy first."),
        ("See [the policy][id].\n\n[id]: https://example.com/policy", "See the policy."),
        ("![Card front with the number](/static/card.png)", "Card front with the number"),
        ("Run `flask db <upgrade>` now.", "Run flask db <upgrade> now."),
        ("```sh\nexport SLUG=<slug> && run\n```", "export SLUG=<slug> && run"),
        ("A <b onclick=x>bold</b> word<script>alert(1)</script>.", "A bold word."),
        ("<div>\n<style>p {}</style>\n<p>Kept &amp; shown</p>\n</div>", "Kept & shown"),
        ("Text <!-- a comment --> here.", "Text here."),
        ('> **Say:** "Can I confirm your name?"', '"Can I confirm your name?"'),
        ("- [ ] Name matches\n- [x] Date matches", "Name matches\nDate matches"),
        ("- **Yes** → [Stop](#stop)\n- **No** → [Go on](#go)", "Yes Stop\nNo Go on"),
        ("Café ← [Back](#start) or go on → [Next](#next)", "Café Back or go on Next"),
        ("| Fee | Amount |\n|-----|--------|\n| ATM | 2 EUR |", "Fee Amount\nATM 2 EUR"),
        ("Some _emphasis_, **bold** and ~~strike~~.", "Some emphasis, bold and ~~strike~~."),
        ("Fees &lt; 5 &euro; apply.", "Fees < 5 € apply."),
        ("", ""),
    ],
)
def test_markdown_becomes_the_words_a_reader_sees(source, expected):
    assert to_plain_text(source) == expected


def test_each_block_stands_on_its_own_line():
    text = to_plain_text("# Title\nIntro line one\nline two.\n\n- first\n- second\n\n> quoted")
    assert text.split("\n") == ["Title", "Intro line one", "line two.", "first", "second", "quoted"]


def test_markdown_too_deep_to_parse_is_searched_as_its_source(caplog):
    nested = "*" * 20_000 + "findme" + "*" * 20_000  # Python-Markdown recurses once per mark
    assert "findme" in to_plain_text(nested)
    assert "indexing its source as it is" in caplog.text
    assert to_plain_text("## Then all is well") == "Then all is well"


def test_threads_convert_at_the_same_time_without_mixing_documents():
    results: dict[int, str] = {}

    def convert(number: int) -> None:
        for _ in range(20):
            results[number] = to_plain_text(f"## Step {number}\n\nText of document {number}.")

    threads = [threading.Thread(target=convert, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: f"Step {n}\nText of document {n}." for n in range(4)}
