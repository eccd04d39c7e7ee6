"""An agent's run through a process: its steps, its moves, and the page that says it is done."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user

from ..content.placeholders import context_from
from ..forms.runs import StepForm
from ..services import documents, runs
from ..services.runs import NavigationError
from ._runner import render_done, render_step, respond_with_step, step_or_404

bp = Blueprint("runs", __name__, url_prefix="/runs")


def _run_or_404(run_id: int):
    run = runs.get_run(run_id, current_user)
    if run is None:
        abort(404, description="There is no such run of yours.")
    return run


@bp.get("/<int:run_id>/steps/<step_id>")
def step(run_id: int, step_id: str):
    run = _run_or_404(run_id)
    doc = documents.parsed(run.revision)
    found = step_or_404(doc, step_id, f"This process has no step '{step_id}'.")
    return render_step(run.document, doc, found, run, True, context_from(request.args))


@bp.post("/<int:run_id>/steps/<step_id>")
def move(run_id: int, step_id: str):
    run = _run_or_404(run_id)
    doc, form = documents.parsed(run.revision), StepForm()
    try:
        target = runs.move(run, doc, step_id, form.nav.data, form.ticks, context_from(request.form)[0])
    except NavigationError as error:
        abort(400, description=str(error))
    return respond_with_step(run.document, doc, run, target, moved=form.nav.data != "save")


@bp.get("/<int:run_id>/done")
def done(run_id: int):
    run = _run_or_404(run_id)
    return render_done(run.document, documents.parsed(run.revision), run)
