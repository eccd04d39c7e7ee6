"""The form around a process step: the ticked checklist items and the button pressed."""

from __future__ import annotations

from wtforms import HiddenField, StringField

from . import Form, ValuesField


class StepForm(Form):
    step = HiddenField(default="")  # the step shown, when the form starts a run
    nav = StringField(default="save")  # next, back, finish, save or choice-N: services.runs.advance
    checked = ValuesField()  # indexes of the ticked items; the service drops any the step lacks

    @property
    def ticks(self) -> list[int]:
        return [int(value) for value in self.checked.data if value.isdecimal()]
