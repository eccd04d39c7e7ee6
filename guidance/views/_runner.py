"""Rendering a process step, as a whole page or as the fragment htmx swaps in."""

from __future__ import annotations

from flask import abort, current_app, g, redirect, render_template, url_for
from flask_htmx import make_response
from flask_login import current_user

from ..content import ParsedDocument, Step
from ..extensions import htmx
from ..models import Document, GuideRun
from ..services.step_state import StepState, step_state
from ..services.wrapup import wrap_up
from ._kept import kept_preview
from ._pages import revision_rendering, step_view
from ._panel import step_panel
from .fragments import wants_fragment

Context = tuple[dict[str, str], dict[str, str]]  # (values kept, names refused and why): placeholders.context_from


def step_or_404(doc: ParsedDocument, step_id: str, missing: str) -> Step:
    step = doc.step(step_id)
    if step is None:
        abort(404, description=missing)
    return step


def render_step(
    document: Document,
    doc: ParsedDocument,
    step: Step,
    run: GuideRun | None,
    focus_step: bool = False,
    given: Context | None = None,
    state: StepState | None = None,
):
    """`focus_step` puts keyboard focus on the step's heading (not after a tick); `given` is the
    context this request's URL or form brought, on top of what the run keeps; `state`, the
    person's state on the step when the view already read it."""
    values, refused = given or ({}, {})
    values = {**((run.context or {}) if run is not None else {}), **values}
    state = state or step_state(document, step.id, doc.step_ids(), current_user)
    g.unread_notifications = state.unread  # base.html's header need not ask again
    revision = run.revision if run is not None else document.published_revision
    rendering = revision_rendering(document, doc, revision, run is not None, state.generation)
    if run is None:
        page = kept_preview(document, doc, step, rendering, state, (values, refused), focus_step)
        if page is not None:
            return page
    view = step_view(document, doc, step, run, values, rendering)
    if run is None:
        action = url_for("documents.start", slug=document.slug)
        here = url_for("documents.step", slug=document.slug, step_id=step.id, **values)
    else:
        action = here = url_for("runs.step", run_id=run.id, step_id=step.id)
    context = {
        "document": document,
        "doc": doc,
        "view": view,
        "run": run,
        "action": action,
        "here": here,
        "checked": set((run.checked or {}).get(step.id, [])) if run else set(),
        "visited": set(run.visited) if run else set(),
        "can_go_back": bool(run and len(run.trail) > 1) or view.position > 0,
        "pinned": state.pinned,
        "focus_step": focus_step,
        "panel": step_panel(document, doc, step, run, state),
        "context": values,
        "refused": refused,
        "has_map": "documents.map" in current_app.view_functions,
    }
    template = "_step_fragment.html" if wants_fragment() else "process.html"
    return render_template(template, **context)


def render_done(document: Document, doc: ParsedDocument, run: GuideRun, fragment: bool = False):
    template = "_done_fragment.html" if fragment else "done.html"
    return render_template(template, run=run, document=document, summary=wrap_up(run, doc, document.title))


def respond_with_step(document: Document, doc: ParsedDocument, run: GuideRun, target: str | None, moved: bool):
    """After a move: the new step's fragment for htmx (with its URL pushed), else a redirect."""
    if target is None:
        url = url_for("runs.done", run_id=run.id)
        if htmx:
            return make_response(render_done(document, doc, run, fragment=True), push_url=url)
        return redirect(url, 303)
    url = url_for("runs.step", run_id=run.id, step_id=target)
    if htmx:
        return make_response(render_step(document, doc, doc.step(target), run, moved), push_url=url)
    return redirect(url, 303)
