"""Markdown to safe HTML. Every fragment leaves through nh3, whoever wrote the source."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup, escape

LinkResolver = Callable[[str], str | None]

EXTENSIONS = ["attr_list", "tables", "fenced_code", "sane_lists", "toc"]
TAGS = set(nh3.ALLOWED_TAGS)
ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
for heading in ("h1", "h2", "h3", "h4", "h5", "h6"):
    ATTRIBUTES.setdefault(heading, set()).add("id")
ATTRIBUTES.setdefault("code", set()).add("class")
# Nothing in a note may share an id with the page around it (a note's "{#note-body}" broke `n`).
NOTE_ATTRIBUTES = {tag: attrs - {"id"} for tag, attrs in ATTRIBUTES.items()}
# data: only ever stays in an image's src (see _no_data_links); images are then checked by policy.
URL_SCHEMES = {"http", "https", "mailto", "tel", "data"}
OUTER_P = re.compile(r"^<p>(.*)</p>$", re.S)
# nh3's output quotes every attribute and escapes '"', '<' and '>' inside, so a tag ends at '>'.
IMG_TAG = re.compile(r"<img\b([^>]*)>")
IMG_ATTR = re.compile(r'([a-z-]+)="([^"]*)"')
STATIC_FILE = re.compile(r"/static(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)+")


@dataclass(frozen=True)
class ImagePolicy:
    """Which images a document may make the reader's browser load: the site's own files under
    /static/, data: images, and https images on the hosts listed (GUIDANCE_IMAGE_HOSTS).

    Any other image is shown as a link: loading it would send a request the reader never chose,
    possibly to this very site with their session (a GET that changes something) or to a tracker.
    """

    hosts: frozenset[str] = frozenset()

    def allows(self, src: str) -> bool:
        if STATIC_FILE.fullmatch(src) or src.lower().startswith("data:image/"):
            return True
        parts = urlsplit(src)
        return parts.scheme == "https" and parts.hostname in self.hosts and parts.netloc.lower() == parts.hostname


@dataclass
class Rendered:
    html: Markup
    toc: list[dict] = field(default_factory=list)  # [{"id", "name", "level", "children"}]


class _RewriteLinks(Treeprocessor):
    def __init__(self, md: markdown.Markdown, resolve: LinkResolver) -> None:
        super().__init__(md)
        self.resolve = resolve

    def run(self, root):
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

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_RewriteLinks(md, self.resolve), "guidance_links", 1)


def _no_data_links(tag: str, attribute: str, value: str) -> str | None:
    if value.strip().lower().startswith("data:") and (tag, attribute) != ("img", "src"):
        return None
    return value


def sanitize(fragment: str, images: ImagePolicy | None = None, ids: bool = True) -> Markup:
    """Safe HTML; each image the policy does not allow (every one, without a policy) becomes a link."""
    clean = nh3.clean(
        fragment,
        tags=TAGS,
        attributes=ATTRIBUTES if ids else NOTE_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_no_data_links,
    )
    return Markup(IMG_TAG.sub(lambda match: _image_or_link(match, images), clean))


def _image_or_link(match: re.Match, images: ImagePolicy | None) -> str:
    attrs = {name: html.unescape(value) for name, value in IMG_ATTR.findall(match.group(1))}
    src = attrs.get("src", "")
    if images is not None and images.allows(src):
        return match.group(0)
    words = attrs.get("alt") or ("image" if src.lower().startswith("data:") else src) or "image"
    if not src or src.lower().startswith("data:"):
        return str(escape(words))
    return str(Markup('<a href="{}" rel="noopener noreferrer">{}</a>').format(src, words))


def render(
    text: str, resolve: LinkResolver | None = None, images: ImagePolicy | None = None, ids: bool = True
) -> Rendered:
    """`images`: which images may load (none without a policy); `ids`: keep heading ids."""
    extensions: list = list(EXTENSIONS)
    if resolve is not None:
        extensions.append(_LinkExtension(resolve))
    md = markdown.Markdown(extensions=extensions, extension_configs={"toc": {"toc_depth": "2-3"}})
    output = md.convert(text)
    return Rendered(sanitize(output, images, ids), _clean_toc(getattr(md, "toc_tokens", [])) if ids else [])


def render_note(text: str) -> Markup:
    """An agent's note, shown to colleagues: no image loads and no id, so a note can neither
    act on the reader's behalf nor break the page it is shown on."""
    return render(text, images=None, ids=False).html


def render_inline(text: str, resolve: LinkResolver | None = None, images: ImagePolicy | None = None) -> Markup:
    """One line of Markdown (a script, a checklist item) without its paragraph wrapper."""
    output = str(render(text, resolve, images).html).strip()
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
