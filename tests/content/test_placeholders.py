"""Placeholders for the CRM's context: names, the validator, and filling rendered HTML safely."""

from __future__ import annotations

import textwrap

import pytest

from guidance.content import parse_document
from guidance.content.placeholders import FIELDS, MAX_VALUE, context_from, fill, fill_text
from guidance.content.render import render


def parse_process(body: str):
    return parse_document("---\nkind: process\n---\n" + textwrap.dedent(body).lstrip("\n"), "p.md")


def test_the_validator_reports_unknown_and_malformed_placeholder_names_with_their_line():
    _, problems = parse_process("""
        ## Greet {#greet}

        > **Say:** "Hello {{customer.name}}, your card ending {{ card.last4 }} is on its way."

        - [ ] Confirm {{customer.nmae}}
        - [ ] Ask for {{Customer Name}}

        Literal `{{not.checked}}` in code is left alone.
        """)
    found = [(p.line, p.message, p.blocking) for p in problems]
    assert [line for line, _, _ in found] == [8, 9]
    assert "unknown placeholder '{{customer.nmae}}'" in found[0][1] and "customer.name" in found[0][1]
    assert "'{{Customer Name}}' is not a placeholder name" in found[1][1]
    assert not any(blocking for _, _, blocking in found)  # the step still reads: the blank shows


def test_known_placeholders_are_no_problem():
    _, problems = parse_process("## One\n\n" + " ".join(f"{{{{{name}}}}}" for name in FIELDS) + "\n")
    assert problems == []


def test_fill_escapes_values_and_never_reads_them_as_markdown_or_html():
    html = render("Hello **{{customer.name}}**, card {{card.last4}}.").html
    filled = str(fill(html, {"customer.name": "<script>alert(1)</script> *Ana*"}))
    assert "<script>" not in filled
    assert '<span class="slot" data-slot="customer.name">&lt;script&gt;alert(1)&lt;/script&gt; *Ana*</span>' in filled
    assert "<em>" not in filled
    assert '<mark class="slot slot-blank" data-slot="card.last4">last 4 digits of the card</mark>' in filled


def test_fill_leaves_tags_and_code_as_written():
    html = render("[CRM](https://crm.example/{{customer.id}}) and `{{customer.name}}`").html
    filled = str(fill(html, {"customer.id": "42", "customer.name": "Ana"}))
    assert 'href="https://crm.example/{{customer.id}}"' in filled and "42" not in filled  # no value in a URL
    assert "<code>{{customer.name}}</code>" in filled and "Ana" not in filled


def test_fill_text_gives_plain_words_with_bracketed_blanks():
    text = "Sent on {{card.dispatch_date}} to {{ customer.name }}."
    assert fill_text(text, {"customer.name": "Ana"}) == "Sent on [date the card was sent] to Ana."


@pytest.mark.parametrize(
    ("given", "kept", "refused"),
    [
        ({"customer.name": "  Ana \n María "}, {"customer.name": "Ana María"}, {}),
        ({"customer.name": "x" * (MAX_VALUE + 1)}, {}, {"customer.name": f"longer than {MAX_VALUE} characters"}),
        ({"customer.shoe_size": "42"}, {}, {"customer.shoe_size": "not a context name this app knows"}),
        ({"q": "wire", "nav": "next", "csrf_token": "t"}, {}, {}),  # the page's own parameters
        ({"card.last4": ""}, {}, {}),
    ],
)
def test_context_keeps_allowed_names_and_says_what_it_refused(given, kept, refused):
    assert context_from(given) == (kept, refused)


def test_pages_are_not_filled_so_their_braces_are_no_problem():
    _, problems = parse_document(
        "---\nkind: article\n---\n# Page\n\n{{< youtube abc >}} and {{customer.nmae}}\n", "a.md"
    )
    assert problems == []
