"""A previewed step (no run) as a kept skeleton (views/_skeleton.py), filled per request.

What the skeleton holds is the same for everyone with the same role on the same revision and
step, in the same content generation: the page frame, the step's title and buttons, the list of
steps, the fold about the process, and the feedback panel when the person has nothing on it yet.
Filled per request: the CSRF token, the person's name, unread count and flashed messages, this
request's CRM context (placeholders, hidden inputs, the step links' query, what was refused),
and their notes and rating. Whether the step is pinned is part of the key (it changes the
menu's button); an admin's page, whose step list shows live ratings, is never kept.

Once a page is kept, kept_step serves it from one query (services/step_state.preview_state:
the document's ids and the person's state, found by the page's address) without loading the
document or its revision: the kept rendering stands for them, as both are keyed by revision.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, g, get_flashed_messages, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from ..content import ParsedDocument, Step
from ..content.placeholders import fill, fill_text
from ..models import Document, Role, User
from ..services.step_state import Preview, StepState
from ._csrf import page_csrf_token
from ._pages import ensure_intro, spoken_words, step_blocks, step_view
from ._panel import step_panel
from ._renderings import Rendering, Renderings, app_cache, rendering_key, renderings
from ._skeleton import Skeleton, macros, render_skeleton, slot
from .fragments import wants_fragment

PAGES = 2000  # skeletons per worker (STEP_PAGE_CACHE_SIZE), ~10 kB each
SLOTS = ("csrf", "unread", "who", "flash", "here", "refused", "context", "blocks", "intro", "query")


def kept_preview(
    document: Document,
    doc: ParsedDocument,
    step: Step,
    rendering: Rendering,
    state: StepState,
    given: tuple[dict[str, str], dict[str, str]],
    focus_step: bool,
) -> str | None:
    """The page from its kept skeleton; None when it is not to be kept: an admin's (its step list
    shows live ratings), one of a rendering not kept, or with STEP_PAGE_CACHE_SIZE 0."""
    user = current_user._get_current_object()
    pages = _pages()
    if pages is None or not rendering.kept or user.has_role(Role.ADMIN):
        return None
    fragment, own_feedback = wants_fragment(), state.any_notes or state.any_ratings
    key = _page_key(document.published_revision_id, document.id, step.id, state, user, focus_step, own_feedback)
    skeleton = pages.get(key)
    if skeleton is None:
        skeleton = _skeleton(document, doc, step, state, rendering, fragment, own_feedback, focus_step)
        skeleton = pages.put(key, skeleton)

    def panel() -> str:
        return render_template("_feedback.html", panel=step_panel(document, doc, step, None, state))

    return _fill(skeleton, rendering, step, document.slug, state, given, user, panel)


def kept_step(preview: Preview, given: tuple[dict[str, str], dict[str, str]], user: User) -> str | None:
    """A previewed step page from its kept skeleton and rendering, with no document loaded: None
    when either is not kept yet, when the panel shows the person's own feedback, or when the
    revision has no such step; the full view (kept_preview) answers then."""
    pages, kept_renderings, state = _pages(), renderings(), preview.state
    own_feedback = state.any_notes or state.any_ratings
    if pages is None or kept_renderings is None or user.has_role(Role.ADMIN) or own_feedback:
        return None
    rendering = kept_renderings.get(rendering_key(preview.revision_id, preview.document_id, state.generation, False))
    step = rendering.doc.step(preview.step_key) if rendering is not None and preview.step_key else None
    if step is None:
        return None
    skeleton = pages.get(_page_key(preview.revision_id, preview.document_id, step.id, state, user, True, False))
    if skeleton is None:
        return None
    g.unread_notifications = state.unread
    return _fill(skeleton, rendering, step, preview.slug, state, given, user, None)


def _pages() -> Renderings | None:
    return app_cache("STEP_PAGE_CACHE_SIZE", PAGES, "guidance_step_pages")


def _page_key(
    revision_id: int, document_id: int, step_id: str, state: StepState, user: User, focus_step: bool, own: bool
) -> tuple:
    """What a kept page is the same for (see the module's text); `own`: the person's own
    feedback is on its panel, filled per request."""
    kept_for = (revision_id, document_id, state.generation, step_id, user.role, state.pinned)
    return (*kept_for, focus_step, wants_fragment(), own, request.script_root)


def _fill(
    skeleton: Skeleton,
    rendering: Rendering,
    step: Step,
    slug: str,
    state: StepState,
    given: tuple[dict[str, str], dict[str, str]],
    user: User,
    panel: Callable[[], str] | None,
) -> str:
    """The skeleton with this request's parts: `panel` renders the feedback panel where the
    skeleton left it out (the person's own notes or rating are on it)."""
    values, refused = given
    here = url_for("documents.step", slug=slug, step_id=step.id, **values)
    frame, parts = macros("_frame.html"), macros("_step_parts.html")
    fillers = {
        "csrf": lambda: escape(page_csrf_token()),
        "unread": lambda: frame.unread_badge(state.unread),
        "who": lambda: escape(user.username),
        "flash": lambda: frame.flashes(get_flashed_messages()),
        "here": lambda: escape(here),
        "refused": lambda: parts.refused_note(refused),
        "context": lambda: parts.context_inputs(values),
        "blocks": lambda: _blocks(rendering, slug, step, values),
        "intro": lambda: _filled(rendering, "intro", _intro(rendering, rendering.doc), values),
        "query": lambda: escape(here[here.index("?") :] if "?" in here else ""),
    }
    if panel is not None:
        fillers["panel"] = panel
    return skeleton.fill(fillers)


def _skeleton(document, doc, step, state, rendering, fragment, own_feedback, focus_step) -> Skeleton:
    view = step_view(document, doc, step, None, {}, rendering)
    query = slot("query")
    view.step_list = [entry if isinstance(entry, int) else (*entry[:2], entry[2] + query) for entry in view.step_list]
    slots = {name: slot(name) for name in (*SLOTS, *(("panel",) if own_feedback else ()))}
    context = {
        "document": document,
        "doc": doc,
        "view": view,
        "run": None,
        "action": url_for("documents.start", slug=document.slug),
        "here": slots["here"],
        "checked": set(),
        "visited": set(),
        "can_go_back": view.position > 0,
        "pinned": state.pinned,
        "focus_step": focus_step,
        "panel": None if own_feedback else step_panel(document, doc, step, None, state),
        "context": {},
        "refused": {},
        "has_map": "documents.map" in current_app.view_functions,
        "slots": slots,
    }
    template = "_step_fragment.html" if fragment else "process.html"
    return render_skeleton(lambda **kw: render_template(template, **kw), **context)


def _intro(rendering: Rendering, doc: ParsedDocument) -> Markup:
    ensure_intro(rendering, doc)
    return rendering.intro.html


def _filled(rendering: Rendering, name: str, html: Markup, values: dict[str, str]) -> Markup:
    """`html` with this request's context in its placeholders; kept for the most common case, none."""
    if values:
        return fill(html, values)
    done = rendering.filled.get(name)
    if done is None:
        done = rendering.filled[name] = fill(html, {})
    return done


def _blocks(rendering: Rendering, slug: str, step: Step, values: dict[str, str]) -> Markup:
    """The step's blocks, rendered once with the words to copy as slots (they are in an
    attribute, where placeholders are not filled), then filled with this request's context."""
    name = f"blocks:{step.id}"
    if not values and name in rendering.filled:
        return rendering.filled[name]
    marked = rendering.filled.get(f"marked:{step.id}")
    blocks = step_blocks(rendering, step)
    if marked is None:
        said = [{**b, "text": slot(f"copy{i}")} if b["type"] == "say" else b for i, b in enumerate(blocks)]
        action = url_for("documents.start", slug=slug)
        marked = rendering.filled[f"marked:{step.id}"] = macros("_step_parts.html").step_blocks(said, step, action, ())
    copies = {f"copy{i}": b["text"] for i, b in enumerate(blocks) if b["type"] == "say"}
    filled = Skeleton(fill(marked, values)).fill(
        {name: (lambda text=text: escape(spoken_words(fill_text(text, values)))) for name, text in copies.items()}
    )
    if not values:
        rendering.filled[name] = filled
    return filled
