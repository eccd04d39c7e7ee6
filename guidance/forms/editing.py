"""The edit form: a document's Markdown, the revision it started from, the feedback it addresses."""

from __future__ import annotations

from wtforms import HiddenField, TextAreaField

from . import Form, ValuesField


class EditForm(Form):
    source = TextAreaField(default="")
    base = HiddenField(default="")  # the revision number the text started from
    step = HiddenField(default="")  # the step the admin came to edit (its feedback is listed)
    item = ValuesField()  # the feedback items this revision addresses

    @property
    def base_number(self) -> int | None:
        """None when missing or not a number: publishing then reports a conflict, never guesses."""
        try:
            return int(self.base.data)
        except (TypeError, ValueError):
            return None
