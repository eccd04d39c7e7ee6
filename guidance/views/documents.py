"""A published document: read as a page, or as a process previewed step by step and started as
a run; pinned to the home page; its Markdown source for authors."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from ..content import DocumentKind
from ..content.placeholders import context_from
from ..content.render import render
from ..forms import BackForm
from ..forms.runs import StepForm
from ..models import Document
from ..services import documents, runs
from ..services.runs import NavigationError
from ..services.step_state import Preview, StepState, preview_state
from ._kept import kept_step
from ._pages import link_resolver
from ._runner import Context, render_step, respond_with_step, step_or_404
from .access import role_required
from .flowmaps import flow_map
from .guards import image_policy
from .redirects import safe_local_path

bp = Blueprint("documents", __name__, url_prefix="/d")


def document_or_404(slug: str):
    document = documents.get_document(slug, current_user)
    if document is None:
        abort(404, description=f"There is no document '{slug}', or it is not available to you.")
    return document


@bp.get("/<path:slug>")
def show(slug: str):
    given = context_from(request.args)
    preview, page = _kept(slug, None, given)  # a process opens at its first step
    if page is not None:
        return page
    document = document_or_404(slug)
    doc = documents.parsed(document.published_revision)
    known = _known_state(preview, document, doc.steps[0].id if doc.steps else None)
    if document.kind == DocumentKind.PROCESS and doc.steps:
        return render_step(document, doc, doc.steps[0], None, True, given, known)
    page = render(doc.body, link_resolver(document, doc), image_policy())
    if known is None:
        return render_template(
            "document.html", document=document, doc=doc, page=page, pinned=documents.is_pinned(document, current_user)
        )
    g.unread_notifications = known.unread  # read with the rest: base.html's header need not ask
    return render_template("document.html", document=document, doc=doc, page=page, pinned=known.pinned)


@bp.get("/<path:slug>/steps/<step_id>")
def step(slug: str, step_id: str):
    given = context_from(request.args)
    preview, page = _kept(slug, step_id, given)
    if page is not None:
        return page
    document = document_or_404(slug)
    doc = documents.parsed(document.published_revision)
    found = step_or_404(doc, step_id, f"'{document.title}' has no step '{step_id}'.")
    return render_step(document, doc, found, None, True, given, _known_state(preview, document, found.id))


def _kept(slug: str, step_id: str | None, given: Context) -> tuple[Preview | None, str | None]:
    """One query finds the document and what the person has on the step (with no `step_id`, the
    first step); a page kept whole needs no more. Returns that and the kept page, if there is one."""
    user = current_user._get_current_object()  # once: each use through the proxy costs a lookup
    preview = preview_state(slug, step_id, user)
    return preview, kept_step(preview, given, user) if preview is not None else None


def _known_state(preview: Preview | None, document: Document, step_id: str | None) -> StepState | None:
    """The state the preview read, if it is of this revision and step (a publication may have
    come in between), for the full view; else None, and it reads its own."""
    if preview is not None and preview.revision_id == document.published_revision_id and preview.step_key == step_id:
        return preview.state
    return None


@bp.post("/<path:slug>/runs")
def start(slug: str):
    document = document_or_404(slug)
    doc, form = documents.parsed(document.published_revision), StepForm()
    try:
        run, target = runs.begin(
            current_user, document, doc, form.step.data, form.nav.data, form.ticks, context_from(request.form)[0]
        )
    except NavigationError as error:
        abort(400, description=str(error))
    return respond_with_step(document, doc, run, target, moved=form.nav.data != "save")


@bp.post("/<path:slug>/pin")
def pin(slug: str):
    document = document_or_404(slug)
    back = safe_local_path(BackForm().back.data, url_for(".show", slug=slug))
    now_pinned = documents.toggle_pin(document, current_user)
    flash(f"{'Pinned' if now_pinned else 'Unpinned'} '{document.title}'.")
    return redirect(back)


@bp.get("/<path:slug>/source")
@role_required("author")
def source(slug: str):
    document = document_or_404(slug)
    return render_template("source.html", document=document, revision=document.published_revision)


@bp.get("/<path:slug>/map", endpoint="map")
def flow_map_page(slug: str):
    document = document_or_404(slug)
    if document.kind != DocumentKind.PROCESS:
        abort(404, description=f"'{document.title}' is a {document.kind}, not a process: it has no map.")
    svg, problem = flow_map(document, documents.parsed(document.published_revision))
    return render_template("flowmap.html", document=document, svg=svg, problem=problem)
