"""What changed between two texts of a document: a line diff of the source, and a summary by step.

Pure functions over strings and parsed documents; templates escape every line they show.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from .model import ParsedDocument

CONTEXT = 3  # unchanged lines shown around each change


@dataclass(frozen=True)
class Line:
    kind: str  # "same", "del", "ins"
    old: int | None  # line number in the old text
    new: int | None  # line number in the new text
    text: str


@dataclass(frozen=True)
class Fold:
    """Unchanged lines left out of the view."""

    count: int
    old: int
    new: int


@dataclass
class StepChanges:
    changed: list[tuple[str, str]] = field(default_factory=list)  # (step id, title)
    added: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    moved: list[tuple[str, str]] = field(default_factory=list)  # same content, another place in the order
    other: list[str] = field(default_factory=list)  # front matter, introduction, page text

    @property
    def empty(self) -> bool:
        return not (self.changed or self.added or self.removed or self.moved or self.other)


@dataclass
class Diff:
    rows: list[Line | Fold]
    added: int
    removed: int
    steps: StepChanges

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed)


def line_diff(old: str, new: str, context: int = CONTEXT) -> list[Line | Fold]:
    a, b = old.replace("\r\n", "\n").split("\n"), new.replace("\r\n", "\n").split("\n")
    rows: list[Line | Fold] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        tag, i1, i2, j1, j2 = group
        if tag == "equal":
            rows += _equal(a, i1, i2, j1, context, first=not rows, last=(i2 == len(a)))
            continue
        rows += [Line("del", i + 1, None, a[i]) for i in range(i1, i2)]
        rows += [Line("ins", None, j + 1, b[j]) for j in range(j1, j2)]
    return rows


def _equal(a: list[str], i1: int, i2: int, j1: int, context: int, first: bool, last: bool) -> list[Line | Fold]:
    lines = [Line("same", i + 1, j1 + (i - i1) + 1, a[i]) for i in range(i1, i2)]
    keep_before = 0 if first else context
    keep_after = 0 if last else context
    if len(lines) <= keep_before + keep_after + 1:
        return lines
    head, tail = lines[:keep_before], lines[len(lines) - keep_after :] if keep_after else []
    hidden = lines[keep_before : len(lines) - keep_after]
    return [*head, Fold(len(hidden), hidden[0].old, hidden[0].new), *tail]


def step_changes(old: ParsedDocument | None, new: ParsedDocument) -> StepChanges:
    """Which steps changed, were added, removed or moved, and what else changed."""
    changes = StepChanges()
    if old is None:
        changes.added = [(step.id, step.title) for step in new.steps]
        changes.other = ["new document"]
        return changes
    before = {step.id: (position, step) for position, step in enumerate(old.steps)}
    after = {step.id: (position, step) for position, step in enumerate(new.steps)}
    order_before = [key for key in before if key in after]
    order_after = [key for key in after if key in before]
    for key, (_, step) in after.items():
        if key not in before:
            changes.added.append((key, step.title))
        elif before[key][1].content_hash != step.content_hash:
            changes.changed.append((key, step.title))
        elif order_before.index(key) != order_after.index(key):
            changes.moved.append((key, step.title))
    changes.removed = [(key, step.title) for key, (_, step) in before.items() if key not in after]
    if old.meta() != new.meta():
        names = [name for name, value in new.meta().items() if old.meta().get(name) != value]
        changes.other.append("front matter: " + ", ".join(names))
    if old.intro.strip() != new.intro.strip():
        changes.other.append("introduction")
    if not new.steps and not old.steps and old.body.strip() != new.body.strip():
        changes.other.append("page text")
    return changes


def diff(old_source: str, new_source: str, old: ParsedDocument | None, new: ParsedDocument) -> Diff:
    rows = line_diff(old_source, new_source)
    added = sum(1 for row in rows if isinstance(row, Line) and row.kind == "ins")
    removed = sum(1 for row in rows if isinstance(row, Line) and row.kind == "del")
    return Diff(rows, added, removed, step_changes(old, new))
