"""A process's flow map, as its own page and for any page that shows one (the editor's preview)."""

from __future__ import annotations

from flask import url_for
from markupsafe import Markup

from ..content import ParsedDocument
from ..models import Document
from ..services.flowmaps import MapUnavailable, map_svg


def flow_map(document: Document, doc: ParsedDocument, step_url=None) -> tuple[Markup | None, str]:
    """(the SVG, "") or (None, why there is none). Steps link to `step_url(step_id)`, by default
    the published process's step pages."""

    def published_step(step_id: str) -> str:
        return url_for("documents.step", slug=document.slug, step_id=step_id)

    try:
        return map_svg(doc, step_url or published_step), ""
    except MapUnavailable as reason:
        return None, str(reason)
