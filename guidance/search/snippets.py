"""Short extracts of a document with the searched words marked, safe to put in a page.

Whoosh's highlighter re-analyses the whole stored text of every hit (measured: half of a
search's time on long pages); here a regular expression finds the words that start like a
searched stem, and only those are stemmed to check they are one: "card" marks "cards", never
"cardigan". Everything outside the marks is escaped. The text is plain (content/plaintext.py),
one block per line: a block that ends without a full stop (a heading, a list item) ends its line
in the extract too, so a heading never runs into the text below it.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections.abc import Iterator

from markupsafe import Markup, escape
from whoosh.lang.porter import stem

from ..content.plaintext import inline_text
from .schema import STOP_WORDS

WIDTH = 240
LEAD = 60
SCAN = 60_000  # characters of a long page searched for a good extract
SENTENCE_END = ".!?:;…"
# Porter stemming in Python costs ~10 µs a word, and extracts check the same words again and
# again (a long page mentions "card" a hundred times): kept, bounded.
_stem = functools.lru_cache(maxsize=1 << 16)(stem)
_WORD = re.compile(r"\w")


class Marks:
    """The words of a text that are one of the searched stems (what the index matched)."""

    def __init__(self, stems: set[str]) -> None:
        self.stems = stems
        # Porter stems are word starts, except a final "i" that stands for "y" ("appli", "apply").
        roots = sorted({s[:-1] if s.endswith("i") and len(s) > 2 else s for s in stems}, key=len, reverse=True)
        alternatives = "|".join(re.escape(r) for r in roots)
        # Searched in the lower-cased text, with the roots first and the word start checked after:
        # a pattern that starts with them lets the regex engine skip to where one can begin
        # (a leading \b, or ignoring case, made it try every position: 2.5x slower).
        self._alternatives = alternatives
        self._starts = re.compile(r"((?:" + alternatives + r")\w*)(?:\.\w+)*")

    def finditer(self, text: str, start: int = 0, end: int = SCAN) -> Iterator[re.Match]:
        """The matched words of text[start:end], as matches in the text lower-cased (same offsets)."""
        lowered = text.lower()
        if len(lowered) != len(text):  # a letter whose lower case is longer ("İ"): offsets would move
            any_case = re.compile(r"\b(?:" + self._alternatives + r")\w*(?:\.\w+)*", re.IGNORECASE)
            yield from (m for m in any_case.finditer(text, start, end) if self._matched(m.group(0).lower()))
            return
        position = start
        while (match := self._starts.search(lowered, position, end)) is not None:
            at = match.start()
            if at and _WORD.match(lowered, at - 1):  # a root inside a word (the "card" of "discard")
                position = match.end(1)
                continue
            position = match.end()
            if self._matched(match.group(0)):
                yield match

    def _matched(self, word: str) -> bool:
        # A stop word was never indexed, so never matched, though it may stem like a word that
        # was ("on" and "one").
        return word not in STOP_WORDS and _stem(word) in self.stems


def matcher(words: list[str], stems: list[str]) -> Marks | None:
    """Marks for the stems searched (`words`, what was typed, only says nothing else matched)."""
    searched = {s.lower() for s in stems if len(s) >= 2}
    return Marks(searched) if searched else None


def snippet(text: str, pattern: Marks | None, fallback: str = "") -> Markup:
    """The window of `text` holding the most different matched words, marked; else `fallback`."""
    found = list(pattern.finditer(text, 0, SCAN)) if pattern else []
    if not found:  # the summary instead, marked too when the words are in it
        summary = inline_text(fallback)
        marked = summary and pattern and next(pattern.finditer(summary), None)
        return snippet(summary, pattern) if marked else escape(summary)
    # The window starting at each match (in text order: a window ends at the first match past it).
    starts, words = [m.start() for m in found], [m.group(0).lower()[:5] for m in found]
    best, best_count = 0, 0
    for i, first in enumerate(starts):
        end = bisect_left(starts, first + WIDTH - LEAD, i)
        distinct = len(set(words[i:end]))
        if distinct > best_count:
            best, best_count = i, distinct
    start = max(0, found[best].start() - LEAD)
    if start:
        block = text.rfind("\n", start, found[best].start())  # begin at a block's start if one is near
        start = block + 1 if block >= 0 else (text.find(" ", start, found[best].start()) + 1 or start)
    end = min(len(text), start + WIDTH)
    if end < len(text):
        end = text.rfind(" ", found[best].end(), end) if text.rfind(" ", found[best].end(), end) > 0 else end
    pieces, position = [], start
    for match in found:
        if match.start() < start or match.end() > end:
            continue
        pieces.append(_lines(text, position, match.start()))
        pieces.append(f"<mark>{_escape(text[match.start() : match.end()])}</mark>")
        position = match.end()
    pieces.append(_lines(text, position, end))
    body = "".join(pieces).strip()
    before = "…" if start and text[start - 1] != "\n" else None
    return Markup(" ".join(p for p in (before, body, "…" if end < len(text) else None) if p))


def _lines(text: str, start: int, end: int) -> str:
    """text[start:end] escaped, each block end a space after a sentence, else a line break."""
    out, position = [], start
    while (newline := text.find("\n", position, end)) >= 0:
        out.append(_escape(text[position:newline]))
        out.append(" " if newline == 0 or text[newline - 1] in SENTENCE_END else "<br>")
        position = newline + 1
    out.append(_escape(text[position:end]))
    return "".join(out)


def _escape(text: str) -> str:
    """What markupsafe.escape writes, as a plain string: an extract is built of a few dozen pieces,
    and a Markup object for each cost about as much as finding the words (profiled on searches for
    new customer messages). The extract is wrapped as Markup once, when whole."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").replace('"', "&#34;")
    )
