"""Short extracts of a document with the searched words marked, safe to put in a page.

Whoosh's highlighter re-analyses the whole stored text of every hit (measured: half of a
search's time on long pages); a regular expression over the words' stems does the same job here
in a fraction of it. Everything outside the marks is escaped.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

WIDTH = 240
LEAD = 60
SCAN = 60_000  # characters of a long page searched for a good extract


def matcher(words: list[str], stems: list[str]) -> re.Pattern | None:
    roots = sorted({w.lower() for w in [*words, *stems] if len(w) >= 2}, key=len, reverse=True)
    if not roots:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(r) for r in roots) + r")\w*", re.IGNORECASE)


def snippet(text: str, pattern: re.Pattern | None, fallback: str = "") -> Markup:
    """The window of `text` holding the most different matched words, marked; else `fallback`."""
    found = list(pattern.finditer(text, 0, SCAN)) if pattern else []
    if not found:
        return escape(fallback)
    best, best_count = 0, 0
    for i, match in enumerate(found):
        distinct = {m.group(0).lower()[:5] for m in found[i:] if m.start() < match.start() + WIDTH - LEAD}
        if len(distinct) > best_count:
            best, best_count = i, len(distinct)
    start = max(0, found[best].start() - LEAD)
    if start:
        start = text.find(" ", start, found[best].start()) + 1 or start
    end = min(len(text), start + WIDTH)
    if end < len(text):
        end = text.rfind(" ", found[best].end(), end) if text.rfind(" ", found[best].end(), end) > 0 else end
    pieces, position = [], start
    for match in found:
        if match.start() < start or match.end() > end:
            continue
        pieces.append(escape(text[position : match.start()]))
        pieces.append(Markup("<mark>%s</mark>") % text[match.start() : match.end()])
        position = match.end()
    pieces.append(escape(text[position:end]))
    body = Markup("").join(pieces)
    return Markup(" ").join(
        p for p in (Markup("…") if start else None, body, Markup("…") if end < len(text) else None) if p
    )
