"""The login form."""

from __future__ import annotations

from wtforms import BooleanField, PasswordField, StringField

from . import Form


class LoginForm(Form):
    # No checks here: an empty or wrong pair gets the one answer (401) the login throttle counts.
    username = StringField(default="")
    password = PasswordField(default="")
    remember = BooleanField()
