"""Turning a parsed revision into what the step and page templates show."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from markupsafe import Markup

from ..content import DocumentKind, ParsedDocument, Step
from ..content.paths import progress
from ..content.placeholders import fill, fill_text
from ..content.render import LinkResolver, Rendered, render, render_inline
from ..content.tree import resolve_link
from ..models import Document, GuideRun, Revision
from ..services.documents import kinds_by_slug
from ..services.library import slug_for
from ._renderings import RUN_MARK, Rendering, cached_rendering, run_links
from .guards import image_policy

Swap = tuple[str, str]  # (old, new) start of links: _renderings.run_links


def link_resolver(document: Document, doc: ParsedDocument, run_id: int | None = None):
    """Rewrite relative .md links to app URLs; a link to a process step opens that step (in run
    `run_id` for the process's own steps). Kept with a revision's rendering beyond this request,
    so it holds plain values, not the database's object."""
    own_slug, is_process = document.slug, document.kind == DocumentKind.PROCESS
    own_path = f"{own_slug}.md"
    targets = {}
    for link in doc.links:
        resolved = resolve_link(own_path, link.target)
        if resolved:
            targets[link.target] = (slug_for(resolved[0]), resolved[1])
    kinds = kinds_by_slug({slug for slug, _ in targets.values()})

    def step_url(slug: str, step_id: str) -> str:
        if run_id is not None and slug == own_slug:
            return url_for("runs.step", run_id=run_id, step_id=step_id)
        return url_for("documents.step", slug=slug, step_id=step_id)

    def resolve(href: str) -> str | None:
        if href.startswith("#"):
            return step_url(own_slug, href[1:]) if is_process else None
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
    step_list: list[tuple[int, Step, str] | int]  # (position, step, its URL), or how many are left out there
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


def rendered_blocks(step: Step, resolve: LinkResolver) -> list[dict]:
    """A step's Markdown as HTML, its placeholders still as written: the same for every request on
    this revision (views/_renderings.py keeps it)."""
    images = image_policy()
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


def relinked(html: Markup, links: Swap | None) -> Markup:
    # str.replace: Markup's own would escape the quotes of the (trusted) link starts.
    return Markup(str(html).replace(*links)) if links else html


def filled_blocks(blocks: list[dict], values: dict[str, str], links: Swap | None = None) -> list[dict]:
    """The blocks with this request's context in their placeholders (escaped, never Markdown) and,
    in a run, its id in links to the process's own steps."""

    def fill_in(html: Markup) -> Markup:
        return fill(relinked(html, links), values)

    filled = []
    for block in blocks:
        if block["type"] == "markdown":
            filled.append({**block, "html": fill_in(block["html"])})
        elif block["type"] == "say":
            words = spoken_words(fill_text(block["text"], values))
            filled.append({**block, "html": fill_in(block["html"]), "text": words})
        elif block["type"] == "checklist":
            filled.append({**block, "items": [fill_in(item) for item in block["items"]]})
        else:
            choices = [
                {**c, "answer": fill(c["answer"], values), "label": fill(c["label"], values)} for c in block["choices"]
            ]
            filled.append({**block, "choices": choices})
    return filled


def _with_urls(
    window: list[tuple[int, Step] | int], rendering: Rendering, document: Document, run_id: int | None, args: dict
) -> list[tuple[int, Step, str] | int]:
    """The step list with each step's URL: kept with the rendering (url_for was a tenth of the
    page's cost), with this request's run, or its context for a preview, put in."""
    if run_id is not None:
        kept = url_for("runs.step", run_id=RUN_MARK, step_id="-")[:-1]
        prefix = url_for("runs.step", run_id=run_id, step_id="-")[:-1]
    query = ""
    if args:
        example = url_for("documents.step", slug=document.slug, step_id="-", **args)
        query = example[example.index("?") :] if "?" in example else ""
    listed: list[tuple[int, Step, str] | int] = []
    for entry in window:
        if isinstance(entry, int):
            listed.append(entry)
            continue
        step_id = entry[1].id
        url = rendering.step_urls.get(step_id)
        if url is None:
            if run_id is not None:
                url = url_for("runs.step", run_id=RUN_MARK, step_id=step_id)
            else:
                url = url_for("documents.step", slug=document.slug, step_id=step_id)
            rendering.step_urls[step_id] = url
        if run_id is not None:
            url = prefix + url.removeprefix(kept)
        listed.append((entry[0], entry[1], url + query))
    return listed


def revision_rendering(
    document: Document, doc: ParsedDocument, revision: Revision | None, in_run: bool, generation: int | None
) -> Rendering:
    """What every request on this revision shows alike: kept once `revision` is published and the
    content generation is known (see views/_renderings.py), else rendered for this request only."""

    def build() -> Rendering:
        return Rendering(doc, link_resolver(document, doc, RUN_MARK if in_run else None))

    return cached_rendering(revision, generation, in_run, build)


def step_blocks(rendering: Rendering, step: Step) -> list[dict]:
    blocks = rendering.blocks.get(step.id)
    if blocks is None:
        blocks = rendering.blocks[step.id] = rendered_blocks(step, rendering.resolve)
    return blocks


def ensure_intro(rendering: Rendering, doc: ParsedDocument) -> None:
    if not rendering.intro_done:
        if doc.intro:  # in the fold about the process, on every step
            rendering.intro = render(doc.intro, rendering.resolve, image_policy())
        rendering.intro_done = True


def step_view(
    document: Document,
    doc: ParsedDocument,
    step: Step,
    run: GuideRun | None,
    values: dict[str, str],
    rendering: Rendering | None = None,
) -> StepView:
    """What the step templates show: the revision's rendering (`rendering`, kept or not: see
    revision_rendering), filled with this request's context."""
    if rendering is None:
        rendering = revision_rendering(document, doc, None, run is not None, None)
    blocks = step_blocks(rendering, step)
    ensure_intro(rendering, doc)
    run_id = run.id if run is not None else None
    links = run_links(run_id)
    intro = None
    if rendering.intro is not None:
        intro = Rendered(fill(relinked(rendering.intro.html, links), values), rendering.intro.toc)
    position = doc.position(step.id)
    return StepView(
        step,
        position,
        filled_blocks(blocks, values, links),
        doc.next_step(step.id),
        intro,
        _with_urls(step_window(doc.steps, position), rendering, document, run_id, values if run is None else {}),
        progress(doc, step.id, run.trail if run is not None else None),
    )
