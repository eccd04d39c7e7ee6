"""The forms of a step's feedback panel (a note, a rating) and of the note edit page."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, ValidationError

from ..services import feedback
from . import BackForm, checked_by


class OnStepForm(BackForm):
    revision = HiddenField(default="")  # the revision the agent was looking at


class NoteForm(OnStepForm):
    """A new note on a step, or a note edited on its own page (which sends no revision)."""

    body = TextAreaField(default="", validators=[checked_by(feedback.clean_note)])
    shared = BooleanField()


class RatingForm(OnStepForm):
    rating = StringField(default="", validators=[AnyOf(("up", "down"), message="Choose thumbs up or thumbs down.")])
    reason = StringField(default="")  # a feedback.REASONS key; a thumbs up has none
    comment = TextAreaField(default="")

    def validate_comment(self, field) -> None:
        """The reason and comment of a thumbs down, checked together as the service checks them;
        a thumbs up drops both."""
        if self.rating.data != "down":
            return
        try:
            feedback.clean_complaint(self.reason.data, field.data)
        except feedback.FeedbackError as problem:
            raise ValidationError(str(problem)) from problem
