"""Where a form or link may send the browser next: only somewhere on this site."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit


def safe_local_path(value: str | None, fallback: str) -> str:
    """`value` when it is a path on this site, else `fallback`.

    Browsers drop tab, CR and LF inside URLs and read a backslash as a slash, so `/\\t/evil.example`
    and `/\\evil.example` both lead off the site: any control character or backslash is refused,
    as is anything with a scheme or host. A CR or LF would also break the Location header after the
    view has already written, so every view checks its target before it changes anything.
    """
    if not value or not isinstance(value, str):
        return fallback
    if "\\" in value or any(unicodedata.category(char) == "Cc" for char in value):
        return fallback
    if not value.startswith("/") or value.startswith("//"):
        return fallback
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return fallback
    return value
