"""The authoring journey in Chromium: an author writes a process with a decision from the
toolbar, watches the live preview, fixes a validation error and submits; an admin reads the
diff and approves; an agent finds the process by search and walks it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SLUG = "processes/lost-card-abroad"


def caret_line(page) -> int:
    return page.locator("#editor-source").evaluate("t => t.value.slice(0, t.selectionStart).split('\\n').length")


def test_an_author_writes_a_process_an_admin_approves_it_an_agent_walks_it(logged_in, page, live_server):
    logged_in.login("author")
    page.goto(f"{live_server}/authoring")
    page.get_by_role("link", name="New document").click()
    page.wait_for_load_state()  # htmx starts on load: a title typed earlier would ask nothing
    page.get_by_label("Kind").select_option("process")
    page.get_by_label("Title", exact=True).fill("Lost card abroad")
    expect(page.locator("#path-check")).to_contain_text("processes/lost-card-abroad.md: free")
    page.get_by_role("button", name="Create the draft").click()
    page.wait_for_url(f"{live_server}/d/{SLUG}/edit")

    # A decision from the toolbar, at the end; its question typed over the placeholder.
    source = page.locator("#editor-source")
    preview = page.locator("#editor-preview")
    source.click()
    source.press("Control+End")
    page.get_by_role("toolbar", name="Insert into the source").get_by_role("button", name="Decision").click()
    expect(source).to_be_focused()
    page.keyboard.type("Is the customer abroad now?")
    expect(preview.locator("#step-title")).to_have_text("Is the customer abroad now?")  # live, no reload
    expect(preview.get_by_role("button", name=re.compile("Yes"))).to_be_visible()
    # The flow map beside it draws the branch; a step in it is a link to its heading's line.
    node = page.locator(".flow-map svg a", has_text="Is the customer abroad now?")
    expect(node).to_be_visible()
    node.click()
    lines = source.input_value().split("\n")
    heading = next(n for n, line in enumerate(lines, 1) if line.startswith("## Is the customer abroad now?"))
    assert caret_line(page) == heading

    # A broken branch: the problem appears with its line; clicking it puts the caret there.
    text = source.input_value()
    source.fill(text.replace("(#question-no)", "(#questin-no)"))
    problem = page.locator("#problem-list").get_by_role("link", name=re.compile(r"^Line \d+$")).first
    expect(page.locator("#problem-list")).to_contain_text("points to #questin-no")
    line = int(problem.inner_text().split()[1])
    source.evaluate("t => t.setSelectionRange(0, 0)")
    problem.click()
    expect(source).to_be_focused()
    assert caret_line(page) == line
    source.fill(source.input_value().replace("(#questin-no)", "(#question-no)"))
    expect(page.locator("#problem-list")).to_contain_text("No problems found.")

    # Ctrl+S saves without leaving the page; then the change note and submit.
    page.keyboard.press("Control+s")
    expect(page.locator("#save-status")).to_contain_text("Draft saved at")
    page.get_by_label("Change note").fill("New: a lost card abroad")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(f"{live_server}/d/{SLUG}/review")
    expect(page.locator(".flash")).to_contain_text("Submitted for review")

    # The admin reads the diff and approves.
    logged_in.login("admin")
    page.goto(f"{live_server}/authoring")
    page.get_by_role("region", name="Waiting for your review").get_by_role(
        "link", name="Review Lost card abroad"
    ).click()
    summary = page.get_by_role("list", name="What changed, by step")
    expect(summary).to_contain_text("step question added")
    expect(page.locator("table.diff")).to_contain_text("Is the customer abroad now?")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(f"{live_server}/d/{SLUG}")

    # The agent finds it by search and walks it to the new branch.
    logged_in.login("agent")
    page.get_by_label("Search guidance").fill("lost card abroad")
    result = page.locator("#results").get_by_role("link", name="Lost card abroad").first
    expect(result).to_be_visible()
    result.click()
    page.wait_for_url(re.compile(rf"/d/{SLUG}$"))
    heading = page.locator("#step-title")
    expect(heading).to_have_text("Verify the caller")
    page.keyboard.press("j")
    expect(heading).to_have_text("Does the customer need a replacement?")
    page.keyboard.press("2")
    expect(heading).to_have_text("Close the call")
    page.keyboard.press("j")
    expect(heading).to_have_text("Is the customer abroad now?")
    page.keyboard.press("1")
    expect(heading).to_have_text("When the answer is yes")
    page.get_by_role("button", name="Finish").click()
    page.wait_for_url(re.compile(r"/runs/\d+/done$"))


def test_leaving_the_editor_with_unsaved_changes_asks_first(logged_in, page, live_server):
    logged_in.login("author")
    page.goto(f"{live_server}/d/processes/send-wire/edit")
    page.locator("#editor-source").press("End")
    page.keyboard.type(" unsaved")
    with page.expect_event("dialog") as dialog:
        page.close(run_before_unload=True)
    assert dialog.value.type == "beforeunload"
    dialog.value.dismiss()


def test_at_480_pixels_the_preview_folds_under_the_source(logged_in, page, live_server):
    logged_in.login("author")
    page.set_viewport_size({"width": 480, "height": 900})
    page.goto(f"{live_server}/d/processes/send-wire/edit")
    source = page.locator("#editor-source").bounding_box()
    preview = page.locator("#editor-preview").bounding_box()
    assert preview["y"] > source["y"] + source["height"]
    assert source["x"] + source["width"] <= 480 and preview["x"] + preview["width"] <= 480
    assert page.evaluate("document.documentElement.scrollWidth") <= 480


def test_the_link_picker_finds_a_document_by_title_and_writes_a_relative_link(logged_in, page, live_server):
    logged_in.login("author")
    page.goto(f"{live_server}/d/processes/card-arrival/edit")
    source = page.locator("#editor-source")
    source.click()
    source.press("Control+End")
    page.get_by_role("button", name="Link to a document…").click()
    picker = page.get_by_role("dialog", name="Link to a document")
    expect(picker).to_be_visible()
    page.keyboard.type("identity")
    picker.get_by_role("link", name="Identity verification policy").click()
    expect(picker).to_be_hidden()
    expect(source).to_be_focused()
    assert source.input_value().endswith("[Identity verification policy](../policies/identity-verification.md)")
    expect(page.locator("#problem-list")).to_contain_text("No problems found.")


def test_the_draft_saves_itself_as_the_author_types(logged_in, page, live_server):
    logged_in.login("author")
    page.goto(f"{live_server}/d/processes/card-arrival/edit")
    page.locator("#editor-source").press("Control+End")
    page.keyboard.type("\nSaved without a click.")
    expect(page.locator("#save-status")).to_contain_text("Draft saved at")  # two seconds after the last key
    page.reload()
    expect(page.locator("#editor-source")).to_have_value(re.compile(r"Saved without a click\.$"))
    expect(page.locator("#editor-state")).to_contain_text("Draft (revision 2)")
