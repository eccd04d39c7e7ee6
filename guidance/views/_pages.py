"""Turning a parsed revision into what the step and page templates show."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from ..content import DocumentKind, ParsedDocument, Step
from ..content.render import Rendered, render, render_inline
from ..content.tree import resolve_link
from ..models import Document, GuideRun
from ..services.documents import kinds_by_slug
from ..services.library import slug_for
from .guards import image_policy


def link_resolver(document: Document, doc: ParsedDocument, run: GuideRun | None = None):
    """Rewrite relative .md links to app URLs; a link to a process step opens that step."""
    own_path = f"{document.slug}.md"
    targets = {}
    for link in doc.links:
        resolved = resolve_link(own_path, link.target)
        if resolved:
            targets[link.target] = (slug_for(resolved[0]), resolved[1])
    kinds = kinds_by_slug({slug for slug, _ in targets.values()})

    def step_url(slug: str, step_id: str) -> str:
        if run is not None and slug == document.slug:
            return url_for("runs.step", run_id=run.id, step_id=step_id)
        return url_for("documents.step", slug=slug, step_id=step_id)

    def resolve(href: str) -> str | None:
        if href.startswith("#"):
            return step_url(document.slug, href[1:]) if document.kind == DocumentKind.PROCESS else None
        if href not in targets:
            return None
        slug, anchor = targets[href]
        if kinds.get(slug) == DocumentKind.PROCESS and anchor:
            return step_url(slug, anchor)
        return url_for("documents.show", slug=slug) + (f"#{anchor}" if anchor else "")

    return resolve


# A process with more steps than this lists, beside a step, only the first, the last and
# STEPS_AROUND either side of the current one: a 10,000-step list made every page 1.2 MB.
STEPS_LISTED = 30
STEPS_AROUND = 5


@dataclass
class StepView:
    step: Step
    position: int
    blocks: list[dict]
    next_step: Step | None
    intro: Rendered | None
    step_list: list[tuple[int, Step] | int]  # (position, step), or how many are left out there


def step_window(steps: list[Step], position: int) -> list[tuple[int, Step] | int]:
    if len(steps) <= STEPS_LISTED:
        return list(enumerate(steps))
    last = len(steps) - 1
    shown = sorted({0, last, *range(max(position - STEPS_AROUND, 0), min(position + STEPS_AROUND, last) + 1)})
    window: list[tuple[int, Step] | int] = []
    for before, index in zip([-1, *shown[:-1]], shown, strict=True):
        if index - before > 1:
            window.append(index - before - 1)
        window.append((index, steps[index]))
    return window


def step_view(document: Document, doc: ParsedDocument, step: Step, run: GuideRun | None) -> StepView:
    resolve, images = link_resolver(document, doc, run), image_policy()
    blocks = []
    for block in step.blocks:
        if block.type == "markdown":
            blocks.append({"type": "markdown", "html": render(block.text, resolve, images).html})
        elif block.type == "say":
            words = render_inline(block.text, resolve, images)
            blocks.append({"type": "say", "html": words, "text": words.striptags()})
        elif block.type == "checklist":
            blocks.append({"type": "checklist", "items": [render_inline(i, resolve, images) for i in block.items]})
        else:
            blocks.append(
                {
                    "type": "decision",
                    "choices": [
                        {
                            "answer": render_inline(c.answer, images=images),
                            "label": render_inline(c.label, images=images),
                            "target": c.target,
                        }
                        for c in block.choices
                    ],
                }
            )
    position = doc.position(step.id)
    intro = render(doc.intro, resolve, images) if position == 0 and doc.intro else None
    return StepView(step, position, blocks, doc.next_step(step.id), intro, step_window(doc.steps, position))


def checklist_offsets(step: Step) -> list[int]:
    """Index of each checklist block's first item among all the step's checklist items."""
    offsets, count = [], 0
    for block in step.blocks:
        if block.type == "checklist":
            offsets.append(count)
            count += len(block.items)
    return offsets
