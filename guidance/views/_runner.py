"""Rendering a process step, as a whole page or as the fragment htmx swaps in."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_htmx import make_response
from flask_login import current_user

from ..content import ParsedDocument, Step
from ..extensions import htmx
from ..models import Document, GuideRun
from ..services.documents import is_pinned
from ._pages import checklist_offsets, step_view
from ._panel import step_panel
from .fragments import wants_fragment


def step_or_404(doc: ParsedDocument, step_id: str, missing: str) -> Step:
    step = doc.step(step_id)
    if step is None:
        abort(404, description=missing)
    return step


def render_step(document: Document, doc: ParsedDocument, step: Step, run: GuideRun | None, focus_step: bool = False):
    """`focus_step` puts keyboard focus on the step's heading: after a move, not after a tick."""
    view = step_view(document, doc, step, run)
    if run is None:
        action = url_for("documents.start", slug=document.slug)
    else:
        action = url_for("runs.step", run_id=run.id, step_id=step.id)
    context = {
        "document": document,
        "doc": doc,
        "view": view,
        "run": run,
        "action": action,
        "checked": set((run.checked or {}).get(step.id, [])) if run else set(),
        "visited": set(run.visited) if run else set(),
        "offsets": checklist_offsets(step),
        "can_go_back": bool(run and len(run.trail) > 1) or view.position > 0,
        "pinned": is_pinned(document, current_user),
        "focus_step": focus_step,
        "panel": step_panel(document, doc, step, run),
    }
    template = "_step.html" if wants_fragment() else "process.html"
    return render_template(template, **context)


def respond_with_step(document: Document, doc: ParsedDocument, run: GuideRun, target: str | None, moved: bool):
    """After a move: the new step's fragment for htmx (with its URL pushed), else a redirect."""
    if target is None:
        url = url_for("runs.done", run_id=run.id)
        if htmx:
            return make_response(render_template("_done.html", run=run, document=document), push_url=url)
        return redirect(url, 303)
    url = url_for("runs.step", run_id=run.id, step_id=target)
    if htmx:
        return make_response(render_step(document, doc, doc.step(target), run, moved), push_url=url)
    return redirect(url, 303)
