"""A published revision's step pages as HTML, rendered once per worker and kept.

Published revisions never change, so their Markdown, resolved links and intro are the same for
every request; rendering them was most of a step page's cost. What varies is filled in per request
on top (views/_pages.py): the CRM context's placeholders, left in the kept HTML as written, and, in a
run, the run's id in links to the process's own steps (kept pointing at run RUN_MARK).

Entries are keyed by revision id and the content generation: links to other documents depend on
their kinds, which only a publication changes, and every publication moves the generation on.
Drafts and previews are never kept (their revision can still change). Each app has its own cache
(revision ids are only unique within one database), bounded: the least recently shown goes first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from threading import Lock

from flask import current_app, url_for

from ..content import ParsedDocument
from ..content.render import Rendered
from ..models import Revision, RevisionStatus

RUN_MARK = 0  # no run has id 0: own-step links are rendered pointing at it, then at the real run
DEFAULT_SIZE = 300  # revisions per worker (STEP_CACHE_SIZE; 0 turns the cache off)


@dataclass
class Rendering:
    """One revision rendered for a preview (no run) or for a run: its intro and, as each is first
    shown, its steps' blocks (a 10,000-step process is not rendered all at once)."""

    doc: ParsedDocument
    resolve: Callable[[str], str | None]  # the revision's links, resolved once
    intro: Rendered | None = None
    intro_done: bool = False
    blocks: dict[str, list[dict]] = field(default_factory=dict)
    step_urls: dict[str, str] = field(default_factory=dict)  # for the list of steps
    filled: dict[str, object] = field(default_factory=dict)  # views/_kept.py's pieces
    kept: bool = False  # in the cache, so what is made from it may be kept too


class Renderings:
    """A bounded map, safe across a worker's threads (a race renders twice; both agree)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[tuple, Rendering] = OrderedDict()
        self.lock = Lock()

    def get(self, key: tuple) -> Rendering | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Rendering) -> Rendering:
        with self.lock:
            entry = self.entries.setdefault(key, entry)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
            return entry

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def renderings() -> Renderings | None:
    """This app's cache, or None when STEP_CACHE_SIZE is 0."""
    return app_cache("STEP_CACHE_SIZE", DEFAULT_SIZE, "guidance_renderings")


def app_cache(size_setting: str, default: int, name: str) -> Renderings | None:
    """The app's bounded cache `name`, sized by the config's `size_setting`; None when that is 0."""
    size = int(current_app.config.get(size_setting, default))
    if size <= 0:
        return None
    cache = current_app.extensions.get(name)
    if cache is None or cache.size != size:
        cache = current_app.extensions[name] = Renderings(size)
    return cache


def cached_rendering(
    revision: Revision | None, generation: int | None, in_run: bool, build: Callable[[], Rendering]
) -> Rendering:
    """The kept rendering of `revision`, made by `build` the first time. Built afresh, never kept,
    for a revision that is not published (or unknown) or when the generation is not known."""
    cache = renderings()
    if cache is None or revision is None or generation is None or revision.status != RevisionStatus.PUBLISHED:
        return build()
    key = rendering_key(revision.id, revision.document_id, generation, in_run)
    entry = cache.get(key)
    if entry is None:
        entry = build()
        entry.kept = True
        entry = cache.put(key, entry)
    return entry


def rendering_key(revision_id: int, document_id: int, generation: int, in_run: bool) -> tuple:
    """What a kept rendering is kept by (views/_kept.py finds one by it without the revision)."""
    return (revision_id, document_id, generation, in_run)


def run_links(run_id: int | None) -> tuple[str, str] | None:
    """(what kept HTML's links to the process's own steps start with, what they should start
    with in run `run_id`); None outside a run."""
    if run_id is None:
        return None
    marked = url_for("runs.step", run_id=RUN_MARK, step_id="-")[:-1]
    return f'href="{marked}', f'href="{url_for("runs.step", run_id=run_id, step_id="-")[:-1]}'
