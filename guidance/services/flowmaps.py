"""A process drawn as a map: Graphviz lays it out, and only a small, known part of its SVG is kept.

Graphviz (`dot`, from Debian's graphviz package, through the PyPI `graphviz` wrapper) does the
layout; nothing here places a node. Its output is parsed and rebuilt from an allow-list of
elements and attributes, links only to paths on this site, no ids (they could collide with the
page's), so the SVG is as safe to inline as sanitised Markdown. Maps are cached by their Graphviz
source, which holds everything drawn: a revision, never changed once published, is drawn once.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import lru_cache

import graphviz
from markupsafe import Markup

from ..content import ParsedDocument
from ..content.flow import Flow, flow_of

log = logging.getLogger(__name__)
MAX_STEPS = 300  # beyond this a picture stops helping, and dot takes seconds: the step list serves

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
SHAPES = {"fill", "stroke", "stroke-width", "stroke-dasharray"}
KEPT = {
    "svg": {"width", "height", "viewBox"},
    "g": {"class", "transform"},
    "title": set(),
    "a": {"href"},
    "polygon": SHAPES | {"points"},
    "polyline": SHAPES | {"points"},
    "path": SHAPES | {"d"},
    "ellipse": SHAPES | {"cx", "cy", "rx", "ry"},
    "text": {"text-anchor", "x", "y", "font-family", "font-size", "font-weight", "fill"},
}
LINE = re.compile(r"#line-\d+")  # the editor's preview: a step's heading in the source
# Colours with WCAG AA contrast for their text (#1f2328 on each fill).
STEP, DECISION, FINISH, WARNING, WARNING_LINE = "#eef6ff", "#fff4d6", "#e6f4ea", "#fde8e8", "#a40e26"


class MapUnavailable(Exception):
    """Why no map can be drawn: Graphviz missing, or the process too large."""


def map_svg(doc: ParsedDocument, step_url: Callable[[str], str | None]) -> Markup:
    """The process as inline SVG, each step a link to `step_url(step_id)`; MapUnavailable if not."""
    if len(doc.steps) > MAX_STEPS:
        raise MapUnavailable(f"This process has {len(doc.steps):,} steps, too many to draw; use the step list.")
    return Markup(_draw(dot_source(doc, flow_of(doc), step_url)))


def dot_source(doc: ParsedDocument, flow: Flow, step_url: Callable[[str], str | None]) -> str:
    graph = graphviz.Digraph(
        doc.title,  # the SVG's title: what a screen reader announces for the picture
        graph_attr={"rankdir": "TB", "nodesep": "0.3", "ranksep": "0.35", "bgcolor": "transparent"},
        node_attr={
            "shape": "box",
            "style": "rounded,filled",
            "fontname": "Helvetica",
            "fontsize": "12",
            "color": "#57606a",
            "fillcolor": STEP,
            "margin": "0.15,0.06",
        },
        edge_attr={"fontname": "Helvetica", "fontsize": "11", "color": "#57606a"},
    )
    titles = {step.id: step.title for step in doc.steps}
    for step_id in flow.steps:
        attrs = {"label": graphviz.escape(_wrap(titles[step_id]))}
        if step_id in flow.decisions:
            attrs.update(shape="box", style="filled", fillcolor=DECISION)
        if step_id in flow.finishing:
            attrs.update(fillcolor=FINISH, peripheries="2")
        if step_id in flow.unreachable or step_id in flow.dead_ends:
            attrs.update(
                fillcolor=WARNING, color=WARNING_LINE, penwidth="2", style=attrs.get("style", "rounded,filled")
            )
            attrs["label"] = graphviz.escape(_wrap(titles[step_id]) + "\n" + _trouble(step_id, flow))
        url = step_url(step_id)
        if url:
            attrs["URL"] = url
        graph.node(step_id, **attrs)
    for target in sorted(flow.missing):
        graph.node(
            f"missing:{target}",
            label=graphviz.escape(f"no step #{target}"),
            fillcolor=WARNING,
            color=WARNING_LINE,
            style="dashed,filled",
        )
    for edge in flow.edges:
        target = edge.target if edge.target not in flow.missing else f"missing:{edge.target}"
        graph.edge(edge.source, target, label=graphviz.escape(_wrap(edge.label, 24)) if edge.label else None)
    return graph.source


def _trouble(step_id: str, flow: Flow) -> str:
    if step_id in flow.unreachable:
        return "(cannot be reached)"
    return "(never reaches an end)"


def _wrap(text: str, width: int = 28) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


@lru_cache(maxsize=256)
def _draw(source: str) -> str:
    try:
        raw = graphviz.Source(source).pipe(format="svg")
    except graphviz.ExecutableNotFound as error:
        raise MapUnavailable("Graphviz is not installed on the server, so maps cannot be drawn.") from error
    return clean_svg(raw)


def clean_svg(raw: bytes) -> str:
    """Graphviz's SVG rebuilt from the allow-list: no scripts, styles, ids or links off the site."""
    root = ET.fromstring(raw)  # expat never fetches the DOCTYPE's DTD
    return ET.tostring(_rebuild(root), encoding="unicode")


def _rebuild(element: ET.Element) -> ET.Element | None:
    name = element.tag.removeprefix(SVG)
    if name not in KEPT:
        return None
    clean = ET.Element(name, {k: v for k, v in element.attrib.items() if k in KEPT[name]})
    if name == "svg":
        clean.set("xmlns", "http://www.w3.org/2000/svg")
    if name == "a":
        href = element.get(XLINK_HREF) or element.get("href") or ""
        if (href.startswith("/") and not href.startswith("//") and "\\" not in href) or LINE.fullmatch(href):
            clean.set("href", href)
    clean.text = element.text if name in ("text", "title") else None
    for child in element:
        kept = _rebuild(child)
        if kept is not None:
            clean.append(kept)
    return clean
