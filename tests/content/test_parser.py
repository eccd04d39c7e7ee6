"""The parser: steps, decisions, scripts, checklists, front matter, and every problem reported with its line."""

from __future__ import annotations

import textwrap

import pytest

from guidance.content import parse_document


def parse(text: str, path: str = "doc.md"):
    return parse_document(textwrap.dedent(text).lstrip("\n"), path)


def parse_process(steps: str):
    """A process whose front matter only gives its kind: the first line of `steps` is line 4."""
    return parse("---\nkind: process\n---\n" + textwrap.dedent(steps).lstrip("\n"))


def messages(problems) -> list[str]:
    return [f"{p.line}: {p.message}" for p in problems]


WIRE = """
---
title: Send a wire
kind: process
tags: [payments, wires]
synonyms: swift transfer
contact_reasons: [wire_transfer]
review_by: 2027-03-31
---

Intro text.

## Verify the caller {#verify}

> **Say:** "Can I confirm your name
> and date of birth?"

- [ ] Name matches
- [x] Passcode confirmed

## Sanctioned country? {#screen}

- **Yes** → [Escalate](#escalate)
- **No** → [Collect details](#collect-details)

## Escalate {#escalate .end}

Call the desk.

## Collect details

Ask for the IBAN.
"""


def test_front_matter_fields_and_steps():
    doc, problems = parse(WIRE)
    assert problems == []
    assert doc.title == "Send a wire"
    assert doc.kind == "process"
    assert doc.tags == ["payments", "wires"]
    assert doc.synonyms == ["swift transfer"]  # a single string becomes a one-item list
    assert doc.contact_reasons == ["wire_transfer"]
    assert doc.review_by == "2027-03-31"
    assert doc.intro == "Intro text."
    assert [s.id for s in doc.steps] == ["verify", "screen", "escalate", "collect-details"]


def test_scripts_checklists_and_decisions_become_blocks():
    doc, _ = parse(WIRE)
    verify, screen, escalate, collect = doc.steps
    assert [b.type for b in verify.blocks] == ["say", "checklist"]
    assert verify.blocks[0].text == '"Can I confirm your name and date of birth?"'
    assert verify.checklist == ["Name matches", "Passcode confirmed"]
    assert screen.is_decision
    assert [(c.answer, c.label, c.target) for c in screen.choices] == [
        ("Yes", "Escalate", "escalate"),
        ("No", "Collect details", "collect-details"),
    ]
    assert escalate.ends and not collect.ends


def test_flow_follows_file_order_but_not_past_decisions_or_end_steps():
    doc, _ = parse(WIRE)
    assert doc.next_step("verify").id == "screen"
    assert doc.next_step("screen") is None  # a decision has no default next
    assert doc.next_step("escalate") is None  # marked .end
    assert doc.next_step("collect-details") is None  # last step


def test_file_without_front_matter_takes_title_from_heading_then_file_name():
    doc, problems = parse("# Welcome aboard\n\nHello.\n", "articles/welcome.md")
    assert (doc.title, doc.kind, problems) == ("Welcome aboard", "article", [])
    assert "Welcome aboard" not in doc.body  # not shown twice
    doc, _ = parse("Just text.\n", "articles/leave-of-absence.md")
    assert doc.title == "Leave of absence"


def test_numbered_decision_without_bold_uses_link_label():
    doc, problems = parse_process("""
        ## Pick {#pick}
        1. [Go left](#left)
        2. [Go right](#right)
        ## Left {#left .end}
        ## Right {#right}
        """)
    assert problems == []
    assert [c.answer for c in doc.steps[0].choices] == ["Go left", "Go right"]


def test_list_of_links_followed_by_text_is_not_a_decision():
    doc, _ = parse_process("""
        ## One {#one}
        - [See two](#two)

        Then carry on.
        ## Two {#two}
        """)
    assert not doc.steps[0].is_decision


def test_headings_inside_code_fences_are_not_steps():
    doc, problems = parse_process("""
        ## Real step {#real}
        ```
        ## not a step
        ```
        """)
    assert problems == []
    assert [s.id for s in doc.steps] == ["real"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("---\ntitle: [unclosed\n---\n", "2: front matter is not valid YAML"),
        ("---\ntitle: x\n", "1: front matter starts with '---' on line 1 but has no closing '---'"),
        ("---\n- a list\n---\n", "2: front matter must be a mapping"),
        ("---\ntitle: x\nkind: proces\n---\n", "3: unknown kind 'proces'"),
        ("---\ntags:\n  a: b\n---\n", "2: 'tags' must be a list of text items"),
        ("---\nreview_by: next year\n---\n", "2: 'review_by' must be a date like 2027-03-31"),
        ("---\ncontact_reasons: [card arrival]\n---\n", "2: contact reason 'card arrival' must be a code"),
        ("---\ncontact_reasons: [Refund_not_showing_up]\n---\n", "2: contact reason 'Refund_not_showing_up' must be"),
        (
            "---\ncontact_reasons: ['reverted_card_payment?']\n---\n",
            "2: contact reason 'reverted_card_payment?' must be",
        ),
        ("---\nkind: process\n---\nNo steps here.\n", "4: a process needs at least one step"),
    ],
)
def test_front_matter_and_structure_errors_name_the_line(source, expected):
    _, problems = parse_document(source, "bad.md")
    assert any(m.startswith(expected) for m in messages(problems)), messages(problems)
    assert all(p.path == "bad.md" and p.blocking for p in problems)


def test_duplicate_step_ids_are_reported_at_the_second():
    _, problems = parse_process("""
        ## Check {#check}
        ## Check again {#check}
        """)
    assert messages(problems) == ["5: duplicate step id 'check' (first used on line 4)"]


def test_decision_pointing_nowhere_is_reported():
    _, problems = parse_process("""
        ## Ask {#ask}
        - **Yes** → [Done](#done)
        - **No** → [Missing](#missing)
        ## Done {#done}
        """)
    assert messages(problems) == ["6: decision 'No' points to #missing, which is not a step of this process"]


def test_unreachable_steps_are_reported():
    _, problems = parse_process("""
        ## Ask {#ask}
        - **Yes** → [Done](#done)
        ## Orphan {#orphan}
        ## Done {#done .end}
        ## After the end {#after}
        """)
    assert messages(problems) == [
        "6: step 'orphan' cannot be reached from the first step",
        "8: step 'after' cannot be reached from the first step",
    ]


def test_link_to_missing_heading_is_a_non_blocking_problem():
    doc, problems = parse("""
        ---
        kind: policy
        ---
        ## Scope
        See [scope](#scope) and [nowhere](#nowhere).
        """)
    assert "scope" in doc.anchors
    assert messages(problems) == ["5: link to #nowhere, which is not a heading of this document"]
    assert not problems[0].blocking


def test_windows_line_endings_and_bom_parse_the_same():
    text = "\ufeff" + textwrap.dedent(WIRE).lstrip("\n").replace("\n", "\r\n")
    doc, problems = parse_document(text, "doc.md")
    assert problems == []
    assert [s.id for s in doc.steps] == ["verify", "screen", "escalate", "collect-details"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("---\ntitle: " + "t" * 256 + "\n---\n", "1: the title is longer than 255 characters"),
        ("---\ntags: [" + "t" * 101 + "]\n---\n", "1: 'tags' has an item longer than 100 characters"),
        ("---\nkind: process\n---\n## " + "s" * 300 + "\n", "4: a step heading or id is longer than 255"),
        ("# Title\n\nbad \x00 byte\n", "3: contains a NUL character"),
    ],
)
def test_values_too_big_for_the_database_are_refused(source, expected):
    _, problems = parse_document(source, "big.md")
    assert any(m.startswith(expected) for m in messages(problems)), messages(problems)


def test_escaped_surrogate_pairs_in_front_matter_become_characters():
    doc, problems = parse_document('---\ntitle: "\\ud83d\\udcda Books"\ntags: ["\\ud83d lone"]\n---\n', "s.md")
    assert problems == []
    assert doc.title == "\U0001f4da Books"
    assert doc.tags == ["\ufffd lone"]
