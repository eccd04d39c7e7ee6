"""A process as a graph: where each step leads, where runs finish, which steps are trouble."""

from __future__ import annotations

import textwrap

from guidance.content import parse_document
from guidance.content.flow import Edge, flow_of


def process(body: str):
    source = "---\ntitle: Test\nkind: process\n---\n" + textwrap.dedent(body)
    return parse_document(source, "test.md")[0]


def test_steps_run_on_decisions_branch_and_ends_finish():
    flow = flow_of(
        process("""
        ## Verify {#verify}
        ## Sanctioned? {#screen}
        - **Yes** → [Escalate](#escalate)
        - **No** → [Send](#send)
        ## Escalate {#escalate .end}
        ## Send {#send}
        """)
    )
    assert flow.steps == ["verify", "screen", "escalate", "send"]
    assert flow.edges == [Edge("verify", "screen"), Edge("screen", "escalate", "Yes"), Edge("screen", "send", "No")]
    assert flow.decisions == {"screen"} and flow.finishing == {"escalate", "send"}
    assert flow.unreachable == flow.dead_ends == flow.missing == set()


def test_unreachable_steps_loops_without_exit_and_missing_targets_are_found():
    flow = flow_of(
        process("""
        ## Start {#start}
        - **Again** → [Loop](#loop)
        - **Broken** → [Nowhere](#nowhere)
        ## Loop {#loop}
        - **Back** → [Start](#start)
        ## Orphan {#orphan .end}
        """)
    )
    assert flow.unreachable == {"orphan"}
    assert flow.dead_ends == {"start", "loop"}  # no path from them to a step that finishes
    assert flow.missing == {"nowhere"} and flow.finishing == {"orphan"}
