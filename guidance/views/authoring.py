"""The authoring desk: drafts to review, to finish and returned, the whole library to edit,
and a new document (kind, title, folder; the path follows and can be changed)."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from ..forms.editing import NewDocumentForm
from ..services import authoring
from ..services.drafts import DraftError
from ..services.review import can_review
from .access import role_required

bp = Blueprint("authoring", __name__, url_prefix="/authoring")


@bp.get("")
@role_required("author")
def index():
    approve = bool(current_app.config.get("AUTHORS_APPROVE", False))
    query = request.args.get("q", "")[:200]
    return render_template(
        "authoring/index.html",
        desk=authoring.desk(current_user, lambda user, draft: can_review(user, draft, approve)),
        library=authoring.library(query, request.args.get("page", 1, type=int) or 1),
        query=query,
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required("author")
def new():
    form = NewDocumentForm() if request.method == "POST" else NewDocumentForm(formdata=None)
    if request.method == "POST" and form.validate_on_submit():
        path = form.path.data.strip() or authoring.suggested_path(form.kind.data, form.title.data, form.folder.data)
        try:
            document = authoring.create_document(form.kind.data, form.title.data, path, current_user)
        except DraftError as error:
            form.path.data = path
            form.refuse(form.path if isinstance(error, authoring.PathError) else form.title, error)
            return _new_page(form), 422
        return redirect(url_for("editing.edit", slug=document.slug), 303)
    return _new_page(form), 200 if request.method == "GET" else 422


def _new_page(form: NewDocumentForm):
    return render_template("authoring/new.html", form=form, folders=authoring.folders())


@bp.get("/new/path")
@role_required("author")
def check_path():
    """The path a new document would get, and whether it is free (the form asks as you type)."""
    kind, title = request.args.get("kind", "process"), request.args.get("title", "")[:255]
    folder, typed = request.args.get("folder", "")[:255], request.args.get("path", "")[:300]
    path = typed.strip() or authoring.suggested_path(kind, title, folder)
    try:
        authoring.check_path(path)
        problem = ""
    except DraftError as error:
        problem = str(error)
    return render_template("authoring/_path.html", path=path, problem=problem, typed=bool(typed.strip()))
