"""What the semantic stage sees of a page: its curated words and its own parts, both kept."""

from __future__ import annotations

from guidance.content.parser import parse_document
from guidance.search.passages import MAX_PASSAGES, passages_for
from guidance.search.schema import IndexEntry

PROCESS = """---
title: Card not arrived
kind: process
summary: The customer's new card has not come.
phrasings: [my card is late, where is my new card]
---
# Card not arrived

## Check the address {#address}
Confirm the delivery address on the account with the customer.

## Check the date {#date}
Cards arrive within five working days of the order; before that, ask them to wait.

## Order a new card {#reorder}
Cancel the missing card and order a replacement to the confirmed address.
"""


def test_a_page_with_many_customer_examples_keeps_its_title_and_every_step():
    doc, problems = parse_document(PROCESS, "processes/card-arrival.md")
    assert not [p for p in problems if p.blocking]
    examples = [f"ordered my card {n} days ago and it never came" for n in range(64)]
    entries = [IndexEntry("processes/card-arrival", doc, "", examples=examples)]
    entries += [
        IndexEntry("processes/card-arrival", doc, f"{step.title}: as the step says", step=step) for step in doc.steps
    ]
    found = passages_for(entries)
    kinds = [p.kind for p in found]
    assert kinds.count("curated") >= 64  # every example the index keeps is compared by meaning
    assert "title" in kinds
    assert {p.anchor for p in found if p.kind == "step"} == {"address", "date", "reorder"}
    assert len([p for p in found if p.kind != "curated"]) <= MAX_PASSAGES
