"""Create and edit in the browser (issue 10, point 3) and bad input (point 9): new documents,
the editor with its preview rendered by the agents' templates, problems with lines, drafts."""

from __future__ import annotations

import re

import pytest
from werkzeug.test import encode_multipart

from guidance.content import DocumentKind, parse_document
from guidance.content.starters import starter
from tests.authoring.conftest import WIRE, WIRE_SOURCE, draft_of, edited, open_editor, published_source, save
from tests.feedback.conftest import login, section

HOSTILE = """---
title: Hostile
kind: process
---

## Step one {#one}

<script>alert("x")</script>
<img src="x" onerror="alert(1)">
[click](javascript:alert(1)) and <a href="#" onclick="alert(2)">there</a>

> **Say:** "<script>alert(3)</script>Hello"

- [ ] <iframe src="https://evil.example"></iframe>Checked
"""


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_each_kind_starts_from_a_template_that_passes_the_validator(kind):
    doc, problems = parse_document(starter(kind, "Refund: a duplicate?"), "x/refund.md")
    assert problems == [] and doc.title == "Refund: a duplicate?" and doc.kind == kind
    assert (kind == DocumentKind.PROCESS) == bool(doc.steps) and (len(doc.steps) == 4 or not doc.steps)


def test_an_author_creates_a_document_whose_path_follows_from_kind_title_and_folder(app):
    author = login(app, "author")
    form = author.get("/authoring/new").get_data(as_text=True)
    assert '<label for="new-title">Title</label>' in form and 'list="known-folders"' in form
    assert '<option value="processes/payments">' not in form  # only folders that exist (and the kinds')
    check = author.get("/authoring/new/path", query_string={"kind": "process", "title": "Refund a duplicate"})
    assert "processes/refund-a-duplicate.md" in check.get_data(as_text=True) and "free" in check.get_data(as_text=True)
    created = author.post(
        "/authoring/new", {"kind": "process", "title": "Refund a duplicate", "folder": "processes/payments"}
    )
    assert created.status_code == 303
    assert created.headers["Location"] == "/d/processes/payments/refund-a-duplicate/edit"
    editor = author.get(created.headers["Location"]).get_data(as_text=True)
    assert "Agents see nothing of it yet until it is published." in editor
    assert "title: Refund a duplicate\nkind: process" in editor and "## Verify the caller {#verify}" in editor
    assert "processes/payments/refund-a-duplicate.md" in editor
    draft = draft_of(app, "processes/payments/refund-a-duplicate")
    assert (draft.status, draft.origin, draft.number) == ("draft", "app", 1)
    agent = login(app, "agent")
    assert agent.get("/d/processes/payments/refund-a-duplicate").status_code == 404
    assert "Refund a duplicate" not in agent.get("/search?q=refund+duplicate").get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("../secrets.md", "is outside the library"),
        ("/etc/passwd.md", "is outside the library"),
        ("processes/../../x.md", "is outside the library"),
        ("processes/send-wire.md", "is taken: the document &#39;processes/send-wire&#39; is there already"),
        ("processes/send-wire", "must end in .md"),
        ("processes/refund.txt", "must end in .md"),
        ("processes/Refund Me.md", "use lowercase letters, digits"),
    ],
)
def test_a_new_document_path_outside_the_library_or_taken_is_refused_and_nothing_is_created(app, path, message):
    author = login(app, "author")
    response = author.post("/authoring/new", {"kind": "process", "title": "Refund", "path": path})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body
    assert 'value="Refund"' in body  # what was typed is kept
    assert "refund" not in author.get("/authoring").get_data(as_text=True).lower().split("the library")[1]


def test_agents_may_not_edit_or_create(app):
    agent = login(app, "agent")
    assert agent.get(f"/d/{WIRE}/edit").status_code == 403
    assert agent.post("/authoring/new", {"kind": "process", "title": "x"}).status_code == 403


def test_the_editor_shows_the_source_the_problems_and_a_preview_by_the_agents_templates(app):
    author = login(app, "author")
    page = author.get(f"/d/{WIRE}/edit?step=screen").get_data(as_text=True)
    assert '<label for="editor-source">Markdown source' in page and 'class="source-input"' in page
    assert 'role="toolbar" aria-label="Insert into the source"' in page and "Link to a document…" in page
    for button in ("Step", "Decision", "Script line", "Checklist item"):
        assert f">{button}</button>" in page
    assert "No problems found." in page
    preview = section(page, 'id="editor-preview"', '<dialog id="link-picker"')
    # _step.html as agents see it, on the step the editor opened at, without a feedback panel
    assert '<div id="runner" class="runner">' in preview and 'class="run-head"' not in preview  # no menu, no count
    assert '<h2 id="step-title" tabindex="-1">Is the destination country sanctioned?</h2>' in preview
    assert 'id="feedback"' not in preview and "Is this step right?" not in preview
    assert 'data-hx-trigger="input changed delay:300ms' in page  # the live preview: debounced, no reload


def test_the_preview_follows_the_caret_and_moves_like_a_run(app):
    author = login(app, "author")
    line = WIRE_SOURCE.split("\n").index("## Send the transfer {#send}") + 3
    fragment = author.post(f"/d/{WIRE}/preview", {"source": edited(WIRE_SOURCE), "line": str(line)})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and ">Send the transfer</h2>" in body and "one working day" in body
    assert 'id="problem-list" data-hx-swap-oob="innerHTML"' in body and "No problems found." in body
    moved = author.post(f"/d/{WIRE}/preview", {"source": WIRE_SOURCE, "step": "screen", "nav": "choice-0"})
    assert '<h2 id="step-title" tabindex="-1">Stop and escalate</h2>' in moved.get_data(as_text=True)
    assert published_source(app, WIRE) == WIRE_SOURCE  # a preview saves nothing


def test_a_policy_preview_is_its_page_with_contents(app):
    author = login(app, "author")
    source = "---\ntitle: Fees\nkind: policy\n---\n\n## Card fees {#card}\n\nNone.\n\n## Wire fees {#wire}\n\n£5.\n"
    body = author.post("/d/policies/identity-verification/preview", {"source": source}).get_data(as_text=True)
    assert '<nav class="toc" aria-labelledby="toc-title">' in body and '<a href="#wire">Wire fees</a>' in body


def test_the_preview_sanitises_hostile_markdown(app):
    author = login(app, "author")
    body = author.post(f"/d/{WIRE}/preview", {"source": HOSTILE}).get_data(as_text=True)
    preview = body.split('id="problem-list"')[0]
    assert "Step one" in preview and "Hello" in preview and "Checked" in preview
    for hostile in ("<script", "onerror", "javascript:", "onclick", "<iframe"):
        assert hostile not in preview.lower(), hostile


def test_problems_are_listed_with_their_lines_as_the_author_types(app):
    author = login(app, "author")
    broken = WIRE_SOURCE.replace("[Stop and escalate](#escalate)", "[Stop and escalate](#escalte)")
    body = author.post(f"/d/{WIRE}/preview", {"source": broken}).get_data(as_text=True)
    line = broken.split("\n").index("- **Yes** → [Stop and escalate](#escalte)") + 1
    problems = body.split('id="problem-list"')[1]
    assert f'<a href="#editor-source" data-line="{line}">Line {line}</a>' in problems
    assert "points to #escalte, which is not a step of this process" in problems
    assert "to fix before it can be submitted or published" in problems
    dead = author.post(f"/d/{WIRE}/preview", {"source": WIRE_SOURCE.replace("identity-verification.md", "nope.md")})
    assert "link to ../policies/nope.md: no such document" in dead.get_data(as_text=True)


def test_saving_makes_a_draft_agents_do_not_see(app):
    author = login(app, "author")
    form = open_editor(author, WIRE)
    assert (form["base"], form["draft"], form["saves"]) == ("1", "", "")
    response = save(author, WIRE, form, source=edited(form["source"]), note="Faster now")
    assert response.status_code == 303 and response.headers["Location"] == f"/d/{WIRE}/edit"
    page = author.get(f"/d/{WIRE}/edit").get_data(as_text=True)
    assert "Draft saved. Agents still see the published revision." in page
    assert "one working day" in page and "Faster now</textarea>" in page
    draft = draft_of(app, WIRE)
    assert (draft.status, draft.number, draft.saves, draft.base_revision_id is not None) == ("draft", 2, 1, True)
    assert published_source(app, WIRE) == WIRE_SOURCE


def test_autosave_answers_in_json_and_refuses_a_stale_save(app):
    author = login(app, "author")
    form = open_editor(author, WIRE)
    first = author.post(f"/d/{WIRE}/edit/save", {**form, "source": edited(form["source"])})
    assert first.status_code == 200 and first.get_json()["ok"] and "Draft saved at" in first.get_json()["status"]
    answer = first.get_json()
    second = author.post(
        f"/d/{WIRE}/edit/save",
        {**form, "draft": str(answer["draft"]), "saves": str(answer["saves"]), "source": edited(form["source"]) + "x"},
    )
    assert second.get_json()["saves"] == answer["saves"] + 1
    stale = author.post(
        f"/d/{WIRE}/edit/save",
        {**form, "draft": str(answer["draft"]), "saves": str(answer["saves"]), "source": "lost?"},
    )
    assert stale.status_code == 409 and "Save with the button to compare" in stale.get_json()["error"]
    assert draft_of(app, WIRE).source.endswith("x")


def test_a_draft_with_problems_saves_but_cannot_be_submitted(app):
    author = login(app, "author")
    form = open_editor(author, WIRE)
    broken = form["source"].replace("](#escalate)", "](#nowhere)")
    response = save(author, WIRE, form, source=broken, note="Typo", action="submit")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Saved as a draft, but not submitted" in body and "Not submitted: fix these problems first." in body
    assert re.search(r'data-line="\d+">Line \d+</a>: <code>processes/send-wire.md:\d+: decision', body)
    draft = draft_of(app, WIRE)
    assert draft.status == "draft" and "#nowhere" in draft.source


def test_a_broken_front_matter_is_a_problem_with_its_line_and_the_draft_keeps_it(app):
    author = login(app, "author")
    form = open_editor(author, WIRE)
    broken = form["source"].replace("title: Send an international wire transfer", "title: [unclosed")
    assert save(author, WIRE, form, source=broken).status_code == 303
    page = author.get(f"/d/{WIRE}/edit").get_data(as_text=True)
    assert "front matter is not valid YAML" in page and 'data-line="3">Line 3</a>' in page
    assert "title: [unclosed" in draft_of(app, WIRE).source


def multipart(session, path: str, values: dict):
    """Post as the editor's form does (multipart: a 1 MB text is about 1 MB on the wire), from memory."""
    boundary, body = encode_multipart({**values, "csrf_token": session.token()})
    return session.client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_an_oversize_source_is_refused_readably_and_nothing_is_saved(app):
    author = login(app, "author")
    form = open_editor(author, WIRE)
    huge = form["source"] + "\n" + "é" * 500_001  # 1,000,002 bytes of it alone
    response = multipart(author, f"/d/{WIRE}/edit", {**form, "source": huge})
    assert response.status_code == 422
    assert "a document can be at most 1,000,000 bytes (1 MB)" in response.get_data(as_text=True)
    assert draft_of(app, WIRE) is None
    json = multipart(author, f"/d/{WIRE}/edit/save", {**form, "source": huge})
    assert json.status_code == 422 and "1 MB" in json.get_json()["error"]


def test_the_editor_of_a_draft_in_review_is_read_only_until_withdrawn(app):
    author = login(app, "author")
    form = open_editor(author, WIRE)
    save(author, WIRE, form, source=edited(form["source"]), note="Faster", action="submit")
    page = author.get(f"/d/{WIRE}/edit").get_data(as_text=True)
    assert "Submitted for review" in page and re.search(r'<textarea id="editor-source"[^>]*readonly', page)
    assert 'value="withdraw">Withdraw to edit</button>' in page
    response = save(author, WIRE, editor_form_of(page), action="withdraw")
    assert response.status_code == 303 and draft_of(app, WIRE).status == "draft"


def editor_form_of(page: str) -> dict[str, str]:
    from tests.authoring.conftest import editor_form

    return editor_form(page)


def test_an_archived_document_opens_in_the_editor_with_its_last_text_and_comes_back_when_published(app):
    admin = login(app, "admin")
    assert admin.post(f"/d/{WIRE}/archive").status_code == 303
    form = open_editor(admin, WIRE)
    assert form["source"] == WIRE_SOURCE and form["base"] == ""
    assert save(admin, WIRE, form, source=edited(WIRE_SOURCE), action="publish").status_code == 303
    assert "one working day" in login(app, "agent").get(f"/d/{WIRE}/steps/send").get_data(as_text=True)


def test_a_new_document_is_listed_under_the_title_its_draft_gives_it(app):
    author = login(app, "author")
    author.post("/authoring/new", {"kind": "article", "title": "Lunch rota", "folder": "articles"})
    form = open_editor(author, "articles/lunch-rota")
    save(
        author,
        "articles/lunch-rota",
        form,
        source=form["source"].replace("title: Lunch rota", "title: Lunch and tea rota"),
    )
    assert "Lunch and tea rota" in author.get("/authoring").get_data(as_text=True)


def test_discarding_a_draft_asks_first_and_keeps_it_in_the_history(app):
    author = login(app, "author")
    form = open_editor(author, WIRE)
    save(author, WIRE, form, source=edited(form["source"]))
    confirm = author.get(f"/d/{WIRE}/discard").get_data(as_text=True)
    assert "Discard the draft of “Send an international wire transfer”?" in confirm
    assert "Agents keep seeing revision 1." in confirm and "Discard the draft</button>" in confirm
    response = author.post(f"/d/{WIRE}/discard")
    assert response.status_code == 303 and response.headers["Location"] == f"/d/{WIRE}"
    assert draft_of(app, WIRE) is None and published_source(app, WIRE) == WIRE_SOURCE
    history = author.get(f"/d/{WIRE}/history").get_data(as_text=True)
    assert "discarded</span>" in history and "author discarded revision 2" in history.replace("\n    ", " ")
    assert open_editor(author, WIRE)["source"] == WIRE_SOURCE  # the editor starts from the published text again
