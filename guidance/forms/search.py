"""The beacon static/app.js sends when a search result is opened."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import Regexp

from . import Form


class OpenedForm(Form):
    log = StringField(validators=[Regexp(r"[0-9a-f]{16}\Z")])  # the search log entry's key
    slug = StringField(default="")  # the document opened; it must be one the viewer may read
    rank = StringField(default="")  # 1-based; dropped when it is not a number a column holds
