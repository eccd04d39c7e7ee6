"""A process as a graph: its steps, where each one leads, and which steps are trouble.

The flow map draws this; it reads the same rules the runner follows (guidance/content/model.py):
a decision branches to its choices, a `.end` step or the last step finishes, any other step
runs on to the next one in the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import ParsedDocument


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""  # a decision's answer; empty for "next"


@dataclass
class Flow:
    steps: list[str]  # step ids in file order
    edges: list[Edge]
    finishing: set[str] = field(default_factory=set)  # steps where a run ends
    decisions: set[str] = field(default_factory=set)
    unreachable: set[str] = field(default_factory=set)  # no path from the first step
    dead_ends: set[str] = field(default_factory=set)  # no path to any finishing step
    missing: set[str] = field(default_factory=set)  # targets of choices that are not steps


def flow_of(doc: ParsedDocument) -> Flow:
    ids = [step.id for step in doc.steps]
    known = set(ids)
    edges: list[Edge] = []
    flow = Flow(steps=ids, edges=edges)
    for step in doc.steps:
        if step.is_decision:
            flow.decisions.add(step.id)
            edges += [Edge(step.id, choice.target, choice.answer) for choice in step.choices]
            continue
        following = doc.next_step(step.id)
        if following is None:
            flow.finishing.add(step.id)
        else:
            edges.append(Edge(step.id, following.id))
    flow.missing = {edge.target for edge in edges if edge.target not in known}
    flow.unreachable = known - _reach(ids[:1], _successors(edges))
    flow.dead_ends = known - _reach(sorted(flow.finishing), _predecessors(edges))
    return flow


def _successors(edges: list[Edge]) -> dict[str, list[str]]:
    graph: dict[str, list[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, []).append(edge.target)
    return graph


def _predecessors(edges: list[Edge]) -> dict[str, list[str]]:
    graph: dict[str, list[str]] = {}
    for edge in edges:
        graph.setdefault(edge.target, []).append(edge.source)
    return graph


def _reach(start: list[str], graph: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    queue = list(start)
    while queue:
        node = queue.pop()
        if node not in seen:
            seen.add(node)
            queue += graph.get(node, [])
    return seen
