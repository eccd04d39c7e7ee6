"""The admin pages' forms: a new user, the synonym groups, and the inbox's bulk action."""

from __future__ import annotations

from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField

from ..models import Role
from ..services import synonyms, users
from . import Form, ValuesField, checked_by


class UserForm(Form):
    role = SelectField(
        choices=[role.value for role in Role],
        default=Role.AGENT.value,
        validate_choice=False,
        validators=[checked_by(users.check_role)],
    )
    username = StringField(default="", validators=[checked_by(users.check_new_username)])


class SynonymsForm(Form):
    groups = TextAreaField(default="", validators=[checked_by(synonyms.parse)])  # one group a line


class InboxBulkForm(Form):
    item = ValuesField()  # "note:12", "rating:7": services.inbox.item_id
    action = SelectField(
        default="",
        validate_choice=False,
        choices=[
            SelectChoice("accept", "Accept"),
            SelectChoice("dismiss", "Dismiss (give a reason)"),
            SelectChoice("incorporate", "Incorporated in the current revision"),
            SelectChoice("reopen", "Reopen as new"),
        ],
    )  # services.inbox_actions.apply_bulk refuses any other
    reason = StringField(default="")  # for dismissing: the agents see it
    query = HiddenField(default="")  # the inbox's filters, to return to the same view
