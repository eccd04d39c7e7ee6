"""Form classes (Flask-WTF), one module per area: which fields each form takes and how they are
checked, in one place.

- CSRF: CSRFProtect checks the token of every POST before any view runs (FlaskForm trusts that
  check); templates put the token in with the `csrf_field()` macro of templates/_forms.html.
- Checks and limits: the services own the rules and their words, because the CLI and other
  callers go through them too. A field's validator runs the service's own check (`checked_by`),
  so a form and a service never disagree. What only acting can tell (a taken username, a stale
  revision) the service raises when called, and the view puts it on the form (`Form.refuse`).
- A form that is only a button (log out, revoke a token, mark notifications read) has no
  fields to declare, so no class: its template puts in `csrf_field()`, and that is all.
- Markup: templates keep their own (labels, ids, classes, htmx attributes) and read each field's
  value and the form's error from the form, so a refused form shows what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, SelectMultipleField
from wtforms.validators import ValidationError


class Form(FlaskForm):
    """The base of every form here."""

    @property
    def error(self) -> str:
        """The first problem, in field order: a page shows one message at a time."""
        for field in self:
            if field.errors:
                return field.errors[0]
        return self.form_errors[0] if self.form_errors else ""

    def refuse(self, field: Field, problem: Exception | str) -> None:
        """Show a service's refusal next to `field`, as if the form had found it."""
        field.errors = [*field.errors, str(problem)]


def checked_by(check: Callable[[Any], Any]):
    """A validator that runs a service's check on the field's value; its error is the field's."""

    def validate(form: Form, field: Field) -> None:
        try:
            check(field.data)
        except ValueError as problem:  # the services' errors (FeedbackError, UserError, ...) are ValueErrors
            raise ValidationError(str(problem)) from problem

    return validate


class ValuesField(SelectMultipleField):
    """Every value sent under one name (a list of checkboxes), as strings in the order sent; the
    service decides which of them name something it knows."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, validate_choice=False, default=(), **kwargs)


class BackForm(Form):
    """A button that acts, then returns to where the person was (pin a document, delete a note)."""

    back = HiddenField(default="")  # checked by views.redirects.safe_local_path before any write
