"""The CRM's context in scripts and steps: `{{customer.name}}`-style placeholders.

A phone system or CRM opens a process with values (`/go/card_arrival?customer.name=Ana`); the step
shows them where the author wrote `{{customer.name}}`, and a highlighted blank where none was given.

Names are lowercase dotted identifiers (`namespace.field`, each part `[a-z][a-z0-9_]*`) from the
allow-list FIELDS below; a value is at most MAX_VALUE characters of plain text. Values are filled
into HTML that was already rendered and sanitised, as escaped text, so a value is never read as
Markdown or HTML, and the rendering of a revision can be kept and filled again for each request.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from markupsafe import Markup

NAME = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")
PLACEHOLDER = re.compile(r"\{\{([^{}\n]{0,100})\}\}")
MAX_VALUE = 100

# The allow-list: what a CRM may send, and what the blank says when it sent nothing.
FIELDS: dict[str, str] = {
    "customer.name": "customer’s name",
    "customer.first_name": "customer’s first name",
    "customer.address": "customer’s address",
    "card.last4": "last 4 digits of the card",
    "card.dispatch_date": "date the card was sent",
    "card.expected_date": "date the card should arrive",
    "card.last_used_date": "date the card was last used",
    "payment.merchant": "merchant",
    "payment.amount": "payment amount",
    "refund.date": "date the refund was sent",
    "transfer.amount": "transfer amount",
    "transfer.date": "date the transfer was sent",
    "transfer.recipient": "recipient’s name",
    "transfer.reference": "transfer reference",
    "case.id": "case number",
}

_TAG = re.compile(r"(<[^>]*>)")  # sanitised HTML: every "<" in text is escaped, so a tag ends at ">"
_CODE_OPEN = re.compile(r"<code\b")
_CODE_CLOSE = re.compile(r"</code\s*>")


def names_in(text: str) -> list[tuple[int, str]]:
    """(line, name) of every placeholder in `text`, lines counted from 1, names as written."""
    return [(text.count("\n", 0, m.start()) + 1, m.group(1).strip()) for m in PLACEHOLDER.finditer(text)]


def problem_with(name: str) -> str | None:
    """Why `name` cannot be a placeholder, or None when it is on the allow-list."""
    if name in FIELDS:
        return None
    if not NAME.fullmatch(name):
        return f"'{{{{{name}}}}}' is not a placeholder name: use lowercase dotted names like {{{{customer.name}}}}"
    return f"unknown placeholder '{{{{{name}}}}}': the names a CRM may send are {', '.join(FIELDS)}"


def label(name: str) -> str:
    return FIELDS.get(name, name)


def context_from(values: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The allowed context in `values` (a query string or form), and what was refused, and why.

    Only names shaped like placeholder names count (other parameters are the page's own); a value
    is kept as plain text with its whitespace collapsed and control characters dropped.
    """
    kept: dict[str, str] = {}
    refused: dict[str, str] = {}
    for name in values:
        if not NAME.fullmatch(name):
            continue
        if name not in FIELDS:
            refused[name] = "not a context name this app knows"
            continue
        value = clean_value(values[name])
        if len(value) > MAX_VALUE:
            refused[name] = f"longer than {MAX_VALUE} characters"
        elif value:
            kept[name] = value
    return kept, refused


def clean_value(value: str) -> str:
    printable = "".join(" " if unicodedata.category(char)[0] in "CZ" else char for char in str(value))
    return " ".join(printable.split())


def fill(html: Markup | str, values: Mapping[str, str]) -> Markup:
    """Rendered HTML with its placeholders filled: each value escaped in a marked span, each
    missing one a highlighted blank. Placeholders inside tags (a link's address) and in code stay
    as written, as the validator reads them."""
    parts = _TAG.split(str(html))
    in_code = 0
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            if _CODE_OPEN.match(part):
                in_code += 1
            elif _CODE_CLOSE.match(part):
                in_code = max(in_code - 1, 0)
        elif not in_code:
            parts[index] = PLACEHOLDER.sub(lambda match: _slot(match, values), part)
    return Markup("".join(parts))


def _slot(match: re.Match, values: Mapping[str, str]) -> str:
    name = match.group(1).strip()
    if not NAME.fullmatch(name):
        return match.group(0)
    if values.get(name):
        return Markup('<span class="slot" data-slot="{}">{}</span>').format(name, values[name])
    return Markup('<mark class="slot slot-blank" data-slot="{}">{}</mark>').format(name, label(name))


def fill_text(text: str, values: Mapping[str, str]) -> str:
    """Plain text with its placeholders filled; a missing value reads as "[customer’s name]"."""

    def value(match: re.Match) -> str:
        name = match.group(1).strip()
        if not NAME.fullmatch(name):
            return match.group(0)
        return values.get(name) or f"[{label(name)}]"

    return PLACEHOLDER.sub(value, text)
