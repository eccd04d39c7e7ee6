"""Typed results of parsing one guidance Markdown file."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum


class DocumentKind(StrEnum):
    """What a document is: a process is followed step by step, the others are read as pages."""

    PROCESS = "process"
    POLICY = "policy"
    ARTICLE = "article"


# Column sizes the database holds; the parser refuses longer values so every database agrees.
MAX_NAME = 255  # titles, step ids and titles, document paths
MAX_LABEL = 100  # a tag or a contact reason


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    # A broken link leaves the document readable; other problems make it unusable.
    blocking: bool = True

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Link:
    target: str  # as written: "../policies/x.md#sec" or "#step"
    line: int


@dataclass(frozen=True)
class Choice:
    answer: str
    label: str
    target: str
    line: int


@dataclass
class Block:
    """A piece of a step: "markdown" text, a "say" script, a "checklist" or a "decision"."""

    type: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)


@dataclass
class Step:
    id: str
    title: str
    line: int
    blocks: list[Block] = field(default_factory=list)
    ends: bool = False  # marked {.end}: finishes the process

    @property
    def choices(self) -> list[Choice]:
        if self.blocks and self.blocks[-1].type == "decision":
            return self.blocks[-1].choices
        return []

    @property
    def is_decision(self) -> bool:
        return bool(self.choices)

    @property
    def checklist(self) -> list[str]:
        return [item for block in self.blocks if block.type == "checklist" for item in block.items]

    @property
    def content_hash(self) -> str:
        """What an agent sees of the step (title, blocks, answers and where they lead, whether it
        ends), as SHA-256: equal for two revisions whose step did not change, whatever moved
        around it. Line numbers are left out, so an edit elsewhere changes nothing here."""
        blocks = [
            {
                "type": block.type,
                "text": block.text,
                "items": block.items,
                "choices": [(c.answer, c.label, c.target) for c in block.choices],
            }
            for block in self.blocks
        ]
        content = {"id": self.id, "title": self.title, "ends": self.ends, "blocks": blocks}
        return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


@dataclass
class ParsedDocument:
    path: str
    title: str
    kind: DocumentKind = DocumentKind.ARTICLE
    summary: str = ""
    tags: list[str] = field(default_factory=list)
    synonyms: list[str] = field(default_factory=list)
    audience: list[str] = field(default_factory=list)
    contact_reasons: list[str] = field(default_factory=list)
    phrasings: list[str] = field(default_factory=list)
    owner: str = ""
    review_by: str = ""
    intro: str = ""
    body: str = ""  # the Markdown after the front matter (and a leading title heading)
    steps: list[Step] = field(default_factory=list)
    anchors: set[str] = field(default_factory=set)  # heading ids a link may point to
    links: list[Link] = field(default_factory=list)
    # step id -> position, so finding a step is not a scan of thousands (see _positions())
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)
    _indexed: tuple[int, int] = field(default=(0, -1), init=False, repr=False, compare=False)
    # What is worked out once from a parsed revision (paths.py: progress along the steps).
    derived: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def _positions(self) -> dict[str, int]:
        # The parser appends steps as it goes: rebuild when the list is another or has grown.
        key = (id(self.steps), len(self.steps))
        if self._indexed != key:
            positions: dict[str, int] = {}
            for position, step in enumerate(self.steps):
                positions.setdefault(step.id, position)  # the first of a duplicated id, as before
            self._index, self._indexed = positions, key
        return self._index

    def position(self, step_id: str) -> int | None:
        """Where the step is in file order (0 for the first), None if there is no such step."""
        return self._positions().get(step_id)

    def step_ids(self) -> list[str]:
        """The steps' ids in file order, worked out once (a step page sends them with its queries)."""
        ids = self.derived.get("step_ids")
        if not isinstance(ids, list) or len(ids) != len(self.steps):  # the parser may still be adding steps
            ids = self.derived["step_ids"] = [step.id for step in self.steps]
        return ids

    def step(self, step_id: str) -> Step | None:
        position = self.position(step_id)
        return None if position is None else self.steps[position]

    def next_step(self, step_id: str) -> Step | None:
        """The step that follows in file order, unless this step branches or ends the run."""
        index = self.position(step_id)
        if index is None:
            raise ValueError(f"no step {step_id!r}")
        current = self.steps[index]
        if current.is_decision or current.ends or index + 1 >= len(self.steps):
            return None
        return self.steps[index + 1]

    def meta(self) -> dict[str, object]:
        return {
            "title": self.title,
            "kind": self.kind,
            "summary": self.summary,
            "tags": self.tags,
            "synonyms": self.synonyms,
            "audience": self.audience,
            "contact_reasons": self.contact_reasons,
            "phrasings": self.phrasings,
            "owner": self.owner,
            "review_by": self.review_by,
        }
