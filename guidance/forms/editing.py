"""The editor's forms: a document's Markdown with the draft and revision it started from, the
feedback it addresses, and what to do with it; a new document; a reviewer's decision."""

from __future__ import annotations

from datetime import datetime

from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField

from ..content import DocumentKind
from ..ids import parse_id
from . import Form, ValuesField

ACTIONS = ("save", "submit", "publish", "withdraw")


class EditForm(Form):
    source = TextAreaField(default="")
    base = HiddenField(default="")  # the published revision number the text started from
    draft = HiddenField(default="")  # the open draft the editor loaded ...
    saves = HiddenField(default="")  # ... and which save of it
    step = HiddenField(default="")  # the step the admin came to edit (its feedback is listed)
    note = TextAreaField(default="")  # the change note
    item = ValuesField()  # the feedback items this revision addresses
    action = HiddenField(default="save")  # set by the button pressed

    @property
    def base_number(self) -> int | None:
        """None when missing or not a number: publishing then reports a conflict, never guesses."""
        return parse_id(self.base.data)

    @property
    def draft_id(self) -> int | None:
        return parse_id(self.draft.data)

    @property
    def saves_number(self) -> int | None:
        return parse_id(self.saves.data)

    @property
    def chosen(self) -> str:
        return self.action.data if self.action.data in ACTIONS else "save"


class NewDocumentForm(Form):
    kind = SelectField(
        choices=[SelectChoice(kind.value, kind.value.capitalize()) for kind in DocumentKind], default="process"
    )
    title = StringField(default="")
    folder = StringField(default="")
    path = StringField(default="")


class ReviewForm(Form):
    draft = HiddenField(default="")
    saves = HiddenField(default="")
    comment = TextAreaField(default="")
    publish_at = StringField(default="")  # <input type="datetime-local">, UTC

    @property
    def draft_id(self) -> int | None:
        return parse_id(self.draft.data)

    @property
    def saves_number(self) -> int | None:
        return parse_id(self.saves.data)

    def publish_time(self) -> datetime | None:
        """The time asked for, or None for now; ValueError when it is not a date and time."""
        text = (self.publish_at.data or "").strip()
        if not text:
            return None
        try:
            return datetime.fromisoformat(text).replace(second=0, microsecond=0, tzinfo=None)
        except ValueError as error:
            raise ValueError(f"'{text}' is not a date and time like 2027-01-31 09:00.") from error
