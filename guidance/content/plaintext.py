"""Markdown to the plain words search indexes and extracts show, read from Python-Markdown's tree.

The source is parsed as render.py parses it for the page, so search sees what a reader sees: link
labels, not their targets; images by their alt text; code as written; no tags, scripts or styles;
no `**Say:**` label, checklist box or decision arrow. Every block stands on its own line, so an
extract never runs a heading into the text below it.
"""

from __future__ import annotations

import html
import logging
import re
import threading
import xml.etree.ElementTree as etree
from html.parser import HTMLParser

import markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE, AtomicString

from .render import EXTENSIONS

BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
        "br",
    ]
)
CELLS = frozenset(("td", "th"))
NEVER_SHOWN = frozenset(("script", "style"))
SAY = re.compile(r"Say:?")
CHECKBOX = re.compile(r"^\s*\[[ xX]\]\s+")
ARROWS = ("→", "←")  # a decision's arrows are markup, not words
# What any of Python-Markdown's inline patterns needs in a text to match (code, escapes, links,
# images, autolinks, HTML, entities, emphasis, a hard line break) and its own placeholders.
INLINE_MARKUP = re.compile(r"[`\\\[\]!<>&*_\x02\x03]| {2}\n")

log = logging.getLogger(__name__)
_local = threading.local()  # a Markdown instance keeps state while it converts: one per thread


def to_plain_text(source: str) -> str:
    """The words of a Markdown source, one line per block, spaces collapsed."""
    if not source.strip():
        return ""
    try:
        text = _read(source)
    except Exception as error:  # e.g. RecursionError on nesting thousands deep
        # Search must still find the document: its source is words too, markup and all.
        log.warning("Markdown unreadable for search (%s); indexing its source as it is", type(error).__name__)
        text = source
    for arrow in ARROWS:  # (str.translate would take 0.3 ms for a 6-kB page with one accent in it)
        text = text.replace(arrow, " ")
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _read(source: str) -> str:
    md = _markdown()
    md.reset()
    # Markdown.convert() up to the finished tree: serialising it to HTML is not needed for its words
    # (with the contents table, a quarter of the time the handbook's import spent here).
    lines = source.split("\n")
    for preprocessor in md.preprocessors:
        lines = preprocessor.run(lines)
    root = md.parser.parseDocument(lines).getroot()
    for treeprocessor in md.treeprocessors:
        root = treeprocessor.run(root) or root
    parts: list[str] = []
    _collect(root, md.htmlStash.rawHtmlBlocks, parts)
    return "".join(parts)


class _PlainRuns(Treeprocessor):
    """Marks texts without inline markup as finished, before the inline stage: most of a page's text
    has none, and every inline pattern tried on every run was most of the time converting it."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.text and not INLINE_MARKUP.search(element.text):
                element.text = AtomicString(element.text)
            if element.tail and not INLINE_MARKUP.search(element.tail):
                element.tail = AtomicString(element.tail)


def _markdown() -> markdown.Markdown:
    if not hasattr(_local, "markdown"):
        # One instance per thread, reset between documents: building one costs more than a page.
        # The page's contents table only names headings: their words are read here anyway.
        md = markdown.Markdown(extensions=[name for name in EXTENSIONS if name != "toc"])
        md.treeprocessors.deregister("prettify")  # it only adds line breaks between elements
        md.treeprocessors.register(_PlainRuns(md), "plain_runs", 21)  # just before "inline" (20)
        _local.markdown = md
    return _local.markdown


def _collect(element: etree.Element, stash: list[str], parts: list[str]) -> None:
    tag = element.tag
    if tag == "strong" and SAY.fullmatch(element.text or "") and not len(element):
        # "> **Say:** words": the label is for the page, the words are what search wants.
        parts.append(" " + _inline((element.tail or "").removeprefix(":"), stash))
        return
    if tag == "img":
        parts.append(element.get("alt", ""))
    else:
        if tag in BLOCKS:
            parts.append("\n")
        if tag == "li":
            _drop_checkbox(element)
        text = html.unescape(element.text or "") if tag == "code" else element.text
        parts.append(_inline(text, stash))
        for child in element:
            _collect(child, stash, parts)
        parts.append(" " if tag in CELLS else "\n" if tag in BLOCKS else "")
    parts.append(_inline(element.tail, stash))


def _drop_checkbox(item: etree.Element) -> None:
    """A checklist item's "[ ]" or "[x]", on the item itself or on its paragraph (loose lists)."""
    holder = item[0] if not (item.text or "").strip() and len(item) and item[0].tag == "p" else item
    holder.text = CHECKBOX.sub("", holder.text or "", count=1)


def _inline(text: str | None, stash: list[str]) -> str:
    """Text with its raw HTML put back in (scripts, tags and comments dropped, entities decoded)."""
    if not text:
        return ""
    if "\x02" not in text:
        return text
    pieces = HTML_PLACEHOLDER_RE.split(text)
    # split() alternates text and the placeholders' stash indexes: rebuild the HTML, then read it.
    source = "".join(
        html.escape(piece, quote=False) if i % 2 == 0 else _stashed(stash, piece) for i, piece in enumerate(pieces)
    )
    reader = _HtmlText()
    reader.feed(source)
    reader.close()
    return "".join(reader.parts)


def _stashed(stash: list[str], index: str) -> str:
    value = stash[int(index)] if int(index) < len(stash) else ""
    return value if isinstance(value, str) else etree.tostring(value, encoding="unicode")


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in NEVER_SHOWN:
            self.hidden += 1
        elif tag == "img":
            self.parts.append(dict(attrs).get("alt") or "")
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in NEVER_SHOWN:
            self.hidden = max(self.hidden - 1, 0)
        elif tag in CELLS:
            self.parts.append(" ")
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


# Inline Markdown a one-line text (a title, a summary) may carry: shown as the words only.
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")
_EMPHASIS = re.compile(r"(\*\*|~~|\*)(?=\S)(.+?)(?<=\S)\1|(?<!\w)(__|_)(?=\S)(.+?)(?<=\S)\3(?!\w)")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<!--.*?-->")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>~|])")


def inline_text(text: str) -> str:
    """A one-line text without its inline Markdown or HTML: `**Access Policy**` is Access Policy.

    Cheaper and safer for titles than a whole Markdown parse, which would read "1. Intro" as a list.
    """
    if not text or not any(c in text for c in "*_`[<&\\~"):
        return text
    pieces = _CODE_SPAN.split(text)  # (text, ticks, code) repeated: code is kept as written
    out = []
    for i in range(0, len(pieces), 3):
        part = _LINK.sub(r"\1", _IMAGE.sub(r"\1", pieces[i]))
        for _ in range(3):  # nested emphasis: ***both***, **_this_**
            part = _EMPHASIS.sub(lambda m: m.group(2) if m.group(1) else m.group(4), part)
        out.append(html.unescape(_ESCAPED.sub(r"\1", _TAG.sub("", part))))
        if i + 2 < len(pieces):
            out.append(pieces[i + 2].strip())
    return " ".join("".join(out).split())
