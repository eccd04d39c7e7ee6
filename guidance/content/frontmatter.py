"""Front matter: split it off and read its fields, reporting problems with line numbers.

python-frontmatter gives no line numbers for errors, so this small reader does the splitting.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .model import DocumentKind

LIST_FIELDS = ("tags", "synonyms", "audience", "contact_reasons", "phrasings")
TEXT_FIELDS = ("title", "summary", "owner")
# A contact reason is the last part of a deep link, /go/<code>: "?", "#", "/", capitals and
# spaces do not survive a phone system or a URL, so codes are lowercase letters, digits and _.
CODE = re.compile(r"[a-z0-9_]+")
NOT_CODE = re.compile(r"[^a-z0-9_]")


@dataclass
class FrontMatter:
    fields: dict[str, Any] = field(default_factory=dict)
    body_start: int = 1  # 1-based line number where the body begins
    errors: list[tuple[int, str]] = field(default_factory=list)


# libyaml's safe loader where PyYAML was built with it: about ten times faster than the
# pure-Python one (front matter was a tenth of importing 10,000 documents). Text it refuses goes
# to the pure-Python loader, which decides: it accepts escaped surrogate pairs, and its errors
# name the line an author expects (libyaml's can point past an unclosed bracket).
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _load(raw: str):
    if _FAST_LOADER is not None:
        try:
            return yaml.load(raw, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(raw)


def split(text: str) -> tuple[str, str, int]:
    """Return (yaml text, body, first body line); yaml text is None-like "" if absent."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return "", text, 1
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    raise ValueError("front matter starts with '---' on line 1 but has no closing '---'")


def read(text: str) -> FrontMatter:
    result = FrontMatter()
    try:
        raw, _, result.body_start = split(text)
    except ValueError as error:
        result.errors.append((1, str(error)))
        return result
    if not raw.strip():
        return result
    try:
        data = _load(raw)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = 2 + mark.line if mark else 1
        reason = getattr(error, "problem", None) or str(error)
        result.errors.append((line, f"front matter is not valid YAML: {reason}"))
        return result
    if not isinstance(data, dict):
        result.errors.append((2, "front matter must be a mapping of 'key: value' lines"))
        return result

    def line_of(key: str) -> int:
        for offset, line in enumerate(raw.split("\n")):
            if re.match(rf"^{re.escape(key)}\s*:", line):
                return 2 + offset
        return 2

    fields: dict[str, Any] = {}
    for key in TEXT_FIELDS:
        if isinstance(data.get(key), str):
            data[key] = _whole_characters(data[key])
        if data.get(key) is None:
            continue
        if isinstance(data[key], (dict, list)):
            result.errors.append((line_of(key), f"'{key}' must be text"))
        else:
            fields[key] = str(data[key]).strip()
    for key in LIST_FIELDS:
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, (str, int, float)):
            value = [value]
        if not isinstance(value, list) or any(isinstance(v, (dict, list)) for v in value):
            result.errors.append((line_of(key), f"'{key}' must be a list of text items"))
            continue
        fields[key] = [_whole_characters(str(v)).strip() for v in value if v is not None and str(v).strip()]
    for code in fields.get("contact_reasons", []):
        if not CODE.fullmatch(code):
            result.errors.append(
                (
                    line_of("contact_reasons"),
                    f"contact reason '{code}' must be a code of lowercase letters, digits and _, "
                    f"like card_arrival (try '{reason_code(code)}')",
                )
            )
    if "kind" in data:
        kind = str(data["kind"]).strip().lower()
        if kind not in tuple(DocumentKind):
            result.errors.append((line_of("kind"), f"unknown kind '{data['kind']}' (use process, policy or article)"))
        else:
            fields["kind"] = DocumentKind(kind)
    if data.get("review_by") is not None:
        value = data["review_by"]
        try:
            fields["review_by"] = (
                value.isoformat() if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)).isoformat()
            )
        except ValueError:
            result.errors.append((line_of("review_by"), "'review_by' must be a date like 2027-03-31"))
    result.fields = fields
    return result


def reason_code(label: str) -> str:
    """The contact-reason code for a label another system uses (banking77's "Refund_not_showing_up",
    "reverted_card_payment?"): lowercase, every character outside a-z, 0-9 and _ dropped."""
    return NOT_CODE.sub("", label.lower())


def _whole_characters(text: str) -> str:
    """YAML's "\\ud83d\\udcda" escapes give surrogate halves, not characters; join them (or
    replace a lone half), so the text can be stored, searched and shown."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
