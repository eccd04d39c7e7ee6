"""Signals the app sends, so a part that follows content (search) needs no import from the parts
that change it (services).

`content_changed` is sent by services.publishing after the transaction that published or archived
documents has committed, with `document_ids`: the ids of the documents whose published content
changed. Receivers run in the sender's thread and app context.

`content_publishing` is sent by services.publishing before it writes, with `documents`: the
parsed documents about to go live (search may start reading a large batch's words meanwhile).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

content_changed = _signals.signal("content-changed")
content_publishing = _signals.signal("content-publishing")
