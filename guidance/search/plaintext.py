"""Markdown to the plain words search indexes and snippets show: no markup, no link targets."""
from __future__ import annotations

import html
import re

_RULES = [
    (re.compile(r"<!--.*?-->", re.S), " "),
    (re.compile(r"^\s{0,3}(`{3,}|~{3,}).*$", re.M), " "),  # fence lines (the code stays)
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: alt text
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links: label
    (re.compile(r"\[([^\]]*)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.M), " "),  # reference definitions
    (re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I), " "),  # never shown, never searched
    (re.compile(r"</?[A-Za-z][^>]*>"), " "),  # HTML tags (a bare "<" is text)
    (re.compile(r"\{[:#.][^}]*\}"), " "),  # attribute lists
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),  # heading marks
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),  # quote marks
    (re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?", re.M), ""),  # list and task marks
    (re.compile(r"\*\*Say:?\*\*:?"), " "),
    (re.compile(r"(\*{1,3}|_{2,3}|~~|`+)"), ""),  # emphasis and code marks
    (re.compile(r"^\s*\|?[\s:|-]{3,}\|?\s*$", re.M), " "),  # table separator rows
    (re.compile(r"\|"), " "),
    (re.compile(r"[→←]"), " "),
]
_SPACES = re.compile(r"[ \t]+")
_BLANKS = re.compile(r"\n\s*\n+")


def to_plain_text(markdown: str) -> str:
    text = markdown
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    text = html.unescape(text)
    return _BLANKS.sub("\n", _SPACES.sub(" ", text)).strip()
