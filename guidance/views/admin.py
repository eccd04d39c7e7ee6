"""Admin pages for people and words: user accounts and the search synonyms."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ..forms.admin import SynonymsForm, UserForm
from ..services import synonyms as synonym_service
from ..services.users import UserError, all_users, create_user
from .access import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users():
    form, created = UserForm(), None
    if form.validate_on_submit():
        try:
            created = create_user(form.username.data, form.role.data)
        except UserError as problem:
            form.refuse(form.username, problem)  # taken since it was checked
    status = 422 if form.error else 200
    return render_template("admin/users.html", users=all_users(), form=form, created=created), status


@bp.route("/synonyms", methods=["GET", "POST"])
@role_required("admin")
def synonyms():
    """One group per line: words and phrases customers use for the same thing."""
    form = SynonymsForm()
    if form.validate_on_submit():
        count = synonym_service.replace_all(form.groups.data, current_user)
        flash(f"Saved {count} synonym group{'s' if count != 1 else ''}. Search uses them from now on.")
        return redirect(url_for(".synonyms"))
    if not form.is_submitted():
        form.groups.data = synonym_service.as_text()
    return render_template("admin/synonyms.html", form=form), 422 if form.error else 200
