"""The text a new document starts from, one per kind: valid as it is, and showing the syntax a
trainer needs (steps, a decision, words to say, a checklist) so nobody starts from a blank page."""

from __future__ import annotations

import json
import re

from .model import DocumentKind

PLAIN_TITLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ,.'()/&?!-]*")

PROCESS = """---
title: {title}
kind: process
summary: One sentence that tells an agent this is the right process.
tags: []
synonyms: []
---

When to use this process, in a sentence or two.

## Verify the caller {{#verify}}

> **Say:** "Before we start, can I confirm your full name and date of birth?"

- [ ] Name and date of birth match the profile

## Does the customer need a replacement? {{#decide}}

- **Yes** → [Order the replacement](#replace)
- **No** → [Close the call](#close)

## Order the replacement {{#replace .end}}

What the agent does, step by step.

## Close the call {{#close}}

> **Say:** "Is there anything else I can help you with today?"
"""

PAGE = """---
title: {title}
kind: {kind}
summary: One sentence that says what this {kind} covers.
tags: []
---

Who this {kind} is for and when it applies.

## The rules {{#rules}}

- The first rule.
- The second rule.

## Exceptions {{#exceptions}}

When the rules above do not apply, and who decides.
"""


def yaml_text(text: str) -> str:
    """`text` as a YAML scalar: as typed when that is safe, else quoted (JSON is valid YAML)."""
    if PLAIN_TITLE.fullmatch(text) and not text.endswith(("?", "!")):
        return text
    return json.dumps(text, ensure_ascii=False)


def starter(kind: DocumentKind, title: str) -> str:
    if kind == DocumentKind.PROCESS:
        return PROCESS.format(title=yaml_text(title))
    return PAGE.format(title=yaml_text(title), kind=kind.value)
