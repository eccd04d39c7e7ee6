"""Row ids as the database holds them: whole numbers from 1 to INTEGER's 2**31 - 1.

A larger number in a URL or form would overflow the query (SQLite raises, PostgreSQL
refuses the parameter), so it is parsed as no id at all.
"""

from __future__ import annotations

import re

MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")  # ASCII only: int() would also read "٣"


def parse_id(value: str | None) -> int | None:
    """The id `value` spells, or None when it is missing or no row could have it."""
    if not value or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None
