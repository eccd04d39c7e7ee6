"""How far along a process an agent is: the steps on the path taken, and the most that remain.

"Step 5 of 8" by file position jumps after a branch skips steps. Progress instead counts the steps
on the path taken so far and the steps that remain on the longest path from the current one, so
it only ever grows by one per move forward and reaches the end exactly at a finishing step.

A loop (a decision that sends the agent back to an earlier step) would make paths endless: edges
back to a step that is still being walked (depth-first, from the first step in file order) are
left out, which leaves a graph without cycles. Everything here is iterative: processes can have
10,000 steps.
"""

from __future__ import annotations

from collections import deque

from .model import ParsedDocument


def _following(doc: ParsedDocument, step_id: str) -> list[str]:
    step = doc.step(step_id)
    if step is None:
        return []
    after = doc.next_step(step_id)
    return list(dict.fromkeys([c.target for c in step.choices if doc.step(c.target)] + ([after.id] if after else [])))


def _forward_edges(doc: ParsedDocument) -> dict[str, list[str]]:
    """Each step's next steps, without the edges that close a loop."""
    edges: dict[str, list[str]] = {}
    state: dict[str, int] = {}  # 1 while its descendants are walked, 2 when done
    for root in [s.id for s in doc.steps]:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(_following(doc, root)))]
        edges[root] = []
        while stack:
            step_id, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[step_id] = 2
                stack.pop()
            elif state.get(child) == 1:
                continue  # back to a step on the current path: a loop
            else:
                edges[step_id].append(child)
                if child not in state:
                    state[child] = 1
                    edges[child] = []
                    stack.append((child, iter(_following(doc, child))))
    return edges


def _topological(edges: dict[str, list[str]]) -> list[str]:
    """The steps, each before every step it leads to (the edges have no loops)."""
    indegree = dict.fromkeys(edges, 0)
    for targets in edges.values():
        for target in targets:
            indegree[target] += 1
    queue = deque(step_id for step_id, count in indegree.items() if count == 0)
    order = []
    while queue:
        step_id = queue.popleft()
        order.append(step_id)
        for target in edges[step_id]:
            indegree[target] -= 1
            if indegree[target] == 0:
                queue.append(target)
    return order


def _longest(doc: ParsedDocument) -> tuple[dict[str, int], dict[str, int]]:
    """(steps on the longest way from the first step to each step, and from each to a finish),
    both counting the step itself."""
    cached = doc.derived.get("longest")
    if cached is not None:
        return cached
    edges = _forward_edges(doc)
    order = _topological(edges)
    remaining: dict[str, int] = {}
    for step_id in reversed(order):
        remaining[step_id] = 1 + max((remaining[t] for t in edges[step_id]), default=0)
    before: dict[str, int] = {}
    if doc.steps:
        before[doc.steps[0].id] = 1
    for step_id in order:
        if step_id in before:
            for target in edges[step_id]:
                before[target] = max(before.get(target, 0), before[step_id] + 1)
    doc.derived["longest"] = (before, remaining)
    return before, remaining


def longest_remaining(doc: ParsedDocument) -> dict[str, int]:
    """Step id -> steps on the longest path from it to a finishing step, counting itself."""
    return _longest(doc)[1]


def progress(doc: ParsedDocument, step_id: str, trail: list[str] | None = None) -> tuple[int, int]:
    """(steps done, counting this one; steps in all on the longest way to finish from here).

    `trail` is the run's path (what Back unwinds). Without a run, the longest way here counts, so a
    preview's count is that of a run that went the longest way.
    """
    if trail:
        done = len(trail) - trail[::-1].index(step_id) if step_id in trail else len(trail) + 1
    else:
        done = _longest(doc)[0].get(step_id, (doc.position(step_id) or 0) + 1)
    remaining = longest_remaining(doc).get(step_id, 1)
    return done, done - 1 + remaining
