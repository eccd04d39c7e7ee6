"""Turning a parsed revision into what the step and page templates show."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from ..content import DocumentKind, ParsedDocument, Step
from ..content.paths import progress
from ..content.placeholders import fill, fill_text
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
    progress: tuple[int, int]  # (steps done, steps in all on the longest way to finish): paths.progress


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


def rendered_blocks(document: Document, doc: ParsedDocument, step: Step, run: GuideRun | None) -> list[dict]:
    """A step's Markdown as HTML, its placeholders still as written: the same for every request on
    this revision (links to its own steps aside, which point into the run)."""
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
    return blocks


QUOTES = {'"': '"', "“": "”", "‘": "’", "'": "'", "«": "»", "„": "“"}


def spoken_words(text: str) -> str:
    """A script as the agent pastes it: the words without the quotation marks around them."""
    text = text.strip()
    if len(text) > 1 and QUOTES.get(text[0]) == text[-1]:
        return text[1:-1].strip()
    return text


def filled_blocks(blocks: list[dict], values: dict[str, str]) -> list[dict]:
    """The blocks with this request's context in their placeholders (escaped, never Markdown)."""
    filled = []
    for block in blocks:
        if block["type"] == "markdown":
            filled.append({**block, "html": fill(block["html"], values)})
        elif block["type"] == "say":
            words = spoken_words(fill_text(block["text"], values))
            filled.append({**block, "html": fill(block["html"], values), "text": words})
        elif block["type"] == "checklist":
            filled.append({**block, "items": [fill(item, values) for item in block["items"]]})
        else:
            choices = [
                {**c, "answer": fill(c["answer"], values), "label": fill(c["label"], values)} for c in block["choices"]
            ]
            filled.append({**block, "choices": choices})
    return filled


def step_view(
    document: Document, doc: ParsedDocument, step: Step, run: GuideRun | None, values: dict[str, str]
) -> StepView:
    """What the step templates show: the revision's rendering, filled with this request's context."""
    blocks = filled_blocks(rendered_blocks(document, doc, step, run), values)
    position = doc.position(step.id)
    intro = None
    if doc.intro:  # in the fold about the process, on every step
        rendered = render(doc.intro, link_resolver(document, doc, run), image_policy())
        intro = Rendered(fill(rendered.html, values), rendered.toc)
    return StepView(
        step,
        position,
        blocks,
        doc.next_step(step.id),
        intro,
        step_window(doc.steps, position),
        progress(doc, step.id, run.trail if run is not None else None),
    )
