"""Progress along a process: the path taken and the longest way left, loops ignored."""

from __future__ import annotations

import textwrap

from guidance.content import parse_document
from guidance.content.paths import longest_remaining, progress

WIRE = """
## Verify {#verify}
## Screen {#screen}
- **Yes** → [Escalate](#escalate)
- **No** → [Beneficiary](#beneficiary)
## Escalate {#escalate .end}
## Beneficiary {#beneficiary}
## Send {#send}
"""


def parse(body: str):
    doc, problems = parse_document("---\nkind: process\n---\n" + textwrap.dedent(body).lstrip("\n"), "p.md")
    assert not [p for p in problems if p.blocking], problems
    return doc


def test_progress_counts_the_path_taken_and_the_longest_way_left():
    doc = parse(WIRE)
    assert progress(doc, "verify", ["verify"]) == (1, 4)
    assert progress(doc, "screen", ["verify", "screen"]) == (2, 4)
    # The short branch: three steps and done, no jump to "3 of 5".
    assert progress(doc, "escalate", ["verify", "screen", "escalate"]) == (3, 3)
    assert progress(doc, "beneficiary", ["verify", "screen", "beneficiary"]) == (3, 4)
    assert progress(doc, "send", ["verify", "screen", "beneficiary", "send"]) == (4, 4)


def test_without_a_run_the_longest_way_to_the_step_counts():
    doc = parse(WIRE)
    assert progress(doc, "verify") == (1, 4)
    assert progress(doc, "beneficiary") == (3, 4)


def test_a_loop_back_to_an_earlier_step_does_not_make_the_way_endless():
    doc = parse("""
        ## Ask {#ask}
        ## Did it work? {#check}
        - **No** → [Ask again](#ask)
        - **Yes** → [Done](#done)
        ## Done {#done}
        """)
    assert longest_remaining(doc) == {"ask": 3, "check": 2, "done": 1}
    assert progress(doc, "ask", ["ask", "check", "ask"]) == (3, 5)


def test_a_long_process_is_worked_out_without_recursion():
    doc = parse("".join(f"## Step {n} {{#s{n}}}\n" for n in range(5000)))
    assert progress(doc, "s0", ["s0"]) == (1, 5000)
    assert progress(doc, "s4999") == (5000, 5000)
