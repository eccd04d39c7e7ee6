"""The editor's live preview: the text being typed, rendered by the templates agents see
(`_step.html` for a process step, `_page.html` for a policy or article page)."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from flask import url_for
from markupsafe import Markup

from ..content import DocumentKind, ParsedDocument, Problem, parse_document
from ..content.render import render
from ..models import Document
from ..services.validation import link_problems
from ._pages import link_resolver, step_view
from .flowmaps import flow_map
from .guards import image_policy


@dataclass(frozen=True)
class PreviewDocument:
    """What the agents' templates read of a document, taken from the text being previewed."""

    id: int | None
    slug: str
    title: str
    kind: str


class _NoPanel:
    """Stands in for the step's feedback panel: false, so `_feedback.html` shows nothing, and
    with no step health, so the step list shows no rating bars. A preview has no feedback."""

    data = SimpleNamespace(health=None)  # read by _step.html as panel.data.health

    def __bool__(self) -> bool:
        return False


NO_PANEL = _NoPanel()


@dataclass
class Preview:
    doc: ParsedDocument
    problems: list[Problem]
    context: dict  # what the agents' template needs
    template: str  # "_step.html" or "_page.html"
    flow_map: Markup | None
    map_problem: str = ""  # why there is no map (Graphviz missing, too many steps)


def preview(document: Document, source: str, path: str, *, line: int | None = None, step_id: str = "") -> Preview:
    """Parse `source` and render the step at `line` (or `step_id`, or the first) or the page."""
    doc, problems = parse_document(source, path)
    problems = sorted(problems + link_problems(doc, path), key=lambda problem: problem.line)
    shown = PreviewDocument(document.id, document.slug, doc.title, doc.kind)
    flow_map, map_problem = _flow_map(shown, doc)
    if doc.kind == DocumentKind.PROCESS and doc.steps:
        step = doc.step(step_id) or _step_at(doc, line)
        view = step_view(shown, doc, step, None, {})  # placeholders show as blanks to fill
        context = {
            "document": shown,
            "doc": doc,
            "view": view,
            "run": None,
            "action": url_for("drafting.preview_fragment", slug=document.slug),
            "checked": set(),
            "visited": set(),
            "can_go_back": view.position > 0,
            "pinned": False,
            "focus_step": False,
            "panel": NO_PANEL,
        }
        return Preview(doc, problems, context, "_step.html", flow_map, map_problem)
    page = render(doc.body or doc.intro, link_resolver(shown, doc), image_policy())
    return Preview(doc, problems, {"document": shown, "doc": doc, "page": page}, "_page.html", flow_map, map_problem)


def _step_at(doc: ParsedDocument, line: int | None):
    """The step whose heading is at or above `line`: the one the author is writing."""
    chosen = doc.steps[0]
    for step in doc.steps:
        if line is not None and step.line <= line:
            chosen = step
    return chosen


def _flow_map(document: PreviewDocument, doc: ParsedDocument) -> tuple[Markup | None, str]:
    """The map of the text being written; each step links to its heading's line in the editor
    (static/editor.js puts the caret there). Graphviz caches maps by what they draw."""
    if doc.kind != DocumentKind.PROCESS or not doc.steps:
        return None, ""
    lines = {step.id: step.line for step in doc.steps}
    return flow_map(document, doc, lambda step_id: f"#line-{lines[step_id]}")
