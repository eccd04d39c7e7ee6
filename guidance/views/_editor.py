"""What the editor page shows: the text, the draft's state, its problems and preview, and the
feedback an admin can mark as addressed."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user

from ..content.diff import diff
from ..content.parser import parse_document
from ..forms.editing import EditForm
from ..models import Document, Revision, RevisionStatus
from ..services import inbox
from ..services.drafts import READ_ONLY, path_of
from ..services.review import can_review
from ._preview import preview


def fresh_form(document: Document) -> EditForm:
    """The form as the saved draft (or, without one, the published text) fills it."""
    draft, published = document.draft_revision, document.published_revision
    shown = draft or published or last_published(document)  # an archived document: its last text
    return EditForm(
        formdata=None,
        source=shown.source if shown else "",
        base=str(published.number) if published else "",
        draft=str(draft.id) if draft else "",
        saves=str(draft.saves) if draft else "",
        step=request.args.get("step", ""),
        note=draft.change_note if draft else "",
    )


def last_published(document: Document) -> Revision | None:
    published = [r for r in document.revisions if r.status == RevisionStatus.PUBLISHED]
    return published[-1] if published else None


def compare(old: Revision | None, old_source: str, new_source: str, path: str):
    """The diff view's data between two texts of one document."""
    old_parsed = parse_document(old_source, path)[0] if old is not None or old_source else None
    return diff(old_source, new_source, old_parsed, parse_document(new_source, path)[0])


def editor_page(document: Document, form: EditForm, status: int = 200, **extra):
    """The editor, showing `form` (what was typed, when a save was refused)."""
    draft, published = document.draft_revision, document.published_revision
    path = path_of(document)
    step = form.step.data
    shown = preview(document, form.source.data or "", path, step_id=step, line=_line_of_step(form.source.data, step))
    user = current_user
    open_items = inbox.open_items(document, step or None) if user.has_role("admin") else []
    if step and request.method == "GET":
        # Opened from a step's feedback: that feedback is what this revision is about.
        form.item.data = [inbox.item_id(item) for item in open_items]
    page = {
        "document": document,
        "draft": draft,
        "published": published,
        "form": form,
        "path": path,
        "step": step,
        "step_line": _line_of_step(form.source.data or "", step),
        "read_only": draft is not None and draft.status in READ_ONLY,
        "preview": shown,
        "problems": shown.problems,
        "stale": draft is not None and published is not None and draft.base_revision_id != published.id,
        "reviewer": draft is not None and can_review(user, draft, bool(current_app.config.get("AUTHORS_APPROVE"))),
        "is_admin": user.has_role("admin"),
        "item_id": inbox.item_id,
        "open_items": open_items,
        "conflict": None,
        "refused": None,
        "statuses": RevisionStatus,
        **extra,
    }
    return render_template("edit.html", **page), status


def _line_of_step(source: str, step: str) -> int | None:
    """The line where a step's heading is, so the editor opens there."""
    if not step or not source:
        return None
    for number, line in enumerate(source.splitlines(), 1):
        if line.startswith("## ") and f"{{#{step}" in line:
            return number
    return None
