"""Markdown to safe HTML. Every fragment leaves through nh3, whoever wrote the source."""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

LinkResolver = Callable[[str], str | None]

EXTENSIONS = ["attr_list", "tables", "fenced_code", "sane_lists", "toc"]
TAGS = set(nh3.ALLOWED_TAGS)
ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
for heading in ("h1", "h2", "h3", "h4", "h5", "h6"):
    ATTRIBUTES.setdefault(heading, set()).add("id")
ATTRIBUTES.setdefault("code", set()).add("class")
URL_SCHEMES = {"http", "https", "mailto", "tel"}
OUTER_P = re.compile(r"^<p>(.*)</p>$", re.S)


@dataclass
class Rendered:
    html: Markup
    toc: list[dict] = field(default_factory=list)  # [{"id", "name", "level", "children"}]


class _RewriteLinks(Treeprocessor):
    def __init__(self, md: markdown.Markdown, resolve: LinkResolver) -> None:
        super().__init__(md)
        self.resolve = resolve

    def run(self, root):  # noqa: ANN001 - ElementTree element
        for anchor in root.iter("a"):
            href = anchor.get("href")
            if href:
                rewritten = self.resolve(href)
                if rewritten is not None:
                    anchor.set("href", rewritten)


class _LinkExtension(Extension):
    def __init__(self, resolve: LinkResolver) -> None:
        super().__init__()
        self.resolve = resolve

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API
        md.treeprocessors.register(_RewriteLinks(md, self.resolve), "guidance_links", 1)


def sanitize(fragment: str) -> Markup:
    return Markup(
        nh3.clean(fragment, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                  link_rel="noopener noreferrer")
    )


def render(text: str, resolve: LinkResolver | None = None) -> Rendered:
    extensions: list = list(EXTENSIONS)
    if resolve is not None:
        extensions.append(_LinkExtension(resolve))
    md = markdown.Markdown(extensions=extensions, extension_configs={"toc": {"toc_depth": "2-3"}})
    output = md.convert(text)
    return Rendered(sanitize(output), _clean_toc(getattr(md, "toc_tokens", [])))


def render_inline(text: str, resolve: LinkResolver | None = None) -> Markup:
    """One line of Markdown (a script, a checklist item) without its paragraph wrapper."""
    output = str(render(text, resolve).html).strip()
    match = OUTER_P.match(output)
    return Markup(match.group(1)) if match and "<p>" not in match.group(1) else Markup(output)


def _clean_toc(tokens: list[dict]) -> list[dict]:
    return [
        {
            "id": token["id"],
            "name": html.unescape(re.sub(r"<[^>]+>", "", token["name"])),
            "level": token["level"],
            "children": _clean_toc(token.get("children", [])),
        }
        for token in tokens
    ]
