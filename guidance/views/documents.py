from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..content.render import render
from ..services import documents, runs
from . import role_required
from ._pages import link_resolver
from .guards import image_policy
from ..services.runs import NavigationError
from ._runner import render_step, respond_with_step, submitted_move
from .redirects import safe_local_path

bp = Blueprint("documents", __name__)


def _document_or_404(slug: str):
    document = documents.get_document(slug, current_user)
    if document is None:
        abort(404, description=f"There is no document '{slug}', or it is not available to you.")
    return document


@bp.get("/d/<path:slug>")
def show(slug: str):
    document = _document_or_404(slug)
    doc = documents.parsed(document.published_revision)
    if document.kind == "process" and doc.steps:
        return render_step(document, doc, doc.steps[0], run=None)
    page = render(doc.body, link_resolver(document, doc), image_policy())
    return render_template("document.html", document=document, doc=doc, page=page,
                           pinned=documents.is_pinned(document, current_user))


@bp.get("/d/<path:slug>/steps/<step_id>")
def step(slug: str, step_id: str):
    document = _document_or_404(slug)
    doc = documents.parsed(document.published_revision)
    found = doc.step(step_id)
    if found is None:
        abort(404, description=f"'{document.title}' has no step '{step_id}'.")
    return render_step(document, doc, found, run=None)


@bp.post("/d/<path:slug>/runs")
def start(slug: str):
    document = _document_or_404(slug)
    doc, (nav, checked) = documents.parsed(document.published_revision), submitted_move()
    try:
        run, target = runs.begin(current_user, document, doc, request.form.get("step", ""), nav, checked)
    except NavigationError as error:
        abort(400, description=str(error))
    return respond_with_step(document, doc, run, target, moved=nav != "save")


@bp.post("/d/<path:slug>/pin")
def pin(slug: str):
    document = _document_or_404(slug)
    back = safe_local_path(request.form.get("back"), url_for(".show", slug=slug))
    now_pinned = documents.toggle_pin(document, current_user)
    flash(f"{'Pinned' if now_pinned else 'Unpinned'} '{document.title}'.")
    return redirect(back)


@bp.get("/d/<path:slug>/source")
@role_required("author")
def source(slug: str):
    document = _document_or_404(slug)
    return render_template("source.html", document=document, revision=document.published_revision)


@bp.get("/go/<code>")
def go(code: str):
    """Deep link for phone systems and CRMs: open the process for a contact reason."""
    matches = documents.documents_for_reason(code, current_user)
    if len(matches) == 1:
        return redirect(url_for(".show", slug=matches[0].slug))
    status = 200 if matches else 404
    return render_template("go.html", code=code, matches=matches), status
