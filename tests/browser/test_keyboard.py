"""The agent's keyboard path through a process, with htmx, app.js and run.js running."""

from __future__ import annotations

import re
import sqlite3
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WIRE = "/d/processes/send-wire"


def heading(page):
    return page.locator("#step-title")


def opened_in_search_log(data_dir, query: str, wait: float = 10.0) -> tuple[str, int] | None:
    """What the server's search log says was opened after searching `query`. The log is written
    off the request path (at least every second), and a beacon's answer can arrive after the page
    it left: the database is where to look, not the browser's record of the response."""
    deadline = time.monotonic() + wait
    while True:
        with sqlite3.connect(data_dir / "guidance.db") as con:
            row = con.execute(
                "SELECT opened_slug, opened_rank FROM search_log WHERE query = ? AND opened_slug IS NOT NULL", (query,)
            ).fetchone()
        if row or time.monotonic() > deadline:
            return row
        time.sleep(0.1)


def test_j_k_and_number_keys_move_through_the_process(logged_in, page):
    logged_in(WIRE)
    expect(heading(page)).to_have_text("Verify the caller")
    page.keyboard.press("j")
    expect(heading(page)).to_have_text("Is the destination country sanctioned?")
    expect(page).to_have_url(re.compile(r"/runs/\d+/steps/screen$"))
    page.keyboard.press("2")
    expect(heading(page)).to_have_text("Collect beneficiary details")
    page.keyboard.press("k")
    expect(heading(page)).to_have_text("Is the destination country sanctioned?")
    page.keyboard.press("ArrowLeft")
    expect(heading(page)).to_have_text("Verify the caller")
    page.keyboard.press("ArrowRight")
    expect(heading(page)).to_have_text("Is the destination country sanctioned?")
    expect(heading(page)).to_be_focused()  # screen readers hear the new step


def test_browser_back_and_refresh_keep_the_place(logged_in, page):
    logged_in(WIRE)
    page.keyboard.press("j")
    expect(heading(page)).to_have_text("Is the destination country sanctioned?")
    page.keyboard.press("1")
    expect(heading(page)).to_have_text("Stop and escalate")
    page.reload()
    expect(heading(page)).to_have_text("Stop and escalate")
    page.go_back()
    expect(heading(page)).to_have_text("Is the destination country sanctioned?")


def test_ticks_are_saved_as_they_happen_and_survive_moving_and_reloading(logged_in, page):
    logged_in(WIRE)
    page.get_by_label("One-time passcode confirmed").check()
    expect(page).to_have_url(re.compile(r"/runs/\d+/steps/verify$"))  # the tick started a run
    page.keyboard.press("j")
    expect(heading(page)).to_have_text("Is the destination country sanctioned?")
    page.keyboard.press("k")
    expect(page.get_by_label("One-time passcode confirmed")).to_be_checked()
    page.reload()
    expect(page.get_by_label("One-time passcode confirmed")).to_be_checked()
    expect(page.get_by_label("Name and date of birth match the profile")).not_to_be_checked()


def test_slash_goes_to_search_and_results_come_as_you_type(logged_in, page):
    logged_in(WIRE)
    page.keyboard.press("/")
    expect(page).to_have_url(re.compile(r"/search$"))
    page.wait_for_load_state()  # htmx starts on load: typing earlier would ask nothing
    expect(page.get_by_label("Search guidance")).to_be_focused()
    page.keyboard.type("wire")
    expect(page.locator("#results")).to_contain_text("Send an international wire transfer")
    page.goto(page.url.replace("/search", "/"))
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("/")
    expect(page.get_by_label("Search guidance")).to_be_focused()


def test_copy_button_copies_the_script(logged_in, page, context):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    logged_in(WIRE)
    button = page.locator("button[data-copy]")
    expect(button).to_have_accessible_name("Copy these words")
    button.click()
    expect(button).to_have_text(re.compile("Copied"))
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == "Before we start, can I confirm your full name and date of birth?"  # the words, no quotation marks


def test_n_focuses_the_note_box_and_a_note_and_rating_keep_the_agent_on_the_step(logged_in, page):
    logged_in(WIRE)
    page.keyboard.press("j")
    expect(heading(page)).to_have_text("Is the destination country sanctioned?")
    url = page.url
    page.keyboard.press("n")
    box = page.get_by_label("Add a note to this step")
    expect(box).to_be_focused()
    expect(box).to_have_value("")  # the key focused the box; it did not type itself
    page.keyboard.type("Ask which bank; some are exempt")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".note-list")).to_contain_text("Ask which bank; some are exempt")
    expect(box).to_have_value("")
    page.get_by_role("button", name="No (thumbs down)").click()
    page.get_by_label("Reason").select_option("unclear")
    page.get_by_role("button", name="Send the reason").click()
    expect(page.locator(".rating-status")).to_contain_text("unclear")
    assert page.url == url  # never left the step
    expect(heading(page)).to_have_text("Is the destination country sanctioned?")
    page.reload()
    expect(page.locator(".note-list")).to_contain_text("Ask which bank; some are exempt")
    page.keyboard.press("n")
    page.keyboard.press("Escape")  # back to the step: the keys move the run again
    expect(heading(page)).to_be_focused()
    page.keyboard.press("1")  # the run goes on: the first answer of this decision
    expect(heading(page)).to_have_text("Stop and escalate")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        WIRE,
        "/d/policies/identity-verification",
        "/search?q=wire",
        "/admin/inbox",
        "/d/processes/send-wire/edit?step=verify",
        "/admin/health",
        "/notifications",
    ],
)
def test_pages_fit_480_pixels_without_sideways_scrolling(logged_in, page, path):
    page.set_viewport_size({"width": 480, "height": 900})
    if path.startswith(("/admin", "/d/processes/send-wire/edit")):
        logged_in.login("admin")
    logged_in(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 480


def test_enter_opens_the_first_result_and_arrows_move_through_results(logged_in, page, data_dir):
    logged_in("/")
    box = page.get_by_label("Search guidance")
    box.type("identity verification")
    links = page.locator("#results ol.results .result-link")
    expect(links.first).to_have_text("Identity verification policy")
    box.press("ArrowDown")
    expect(page.locator("#results .result-link").first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#results .result-link").nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(box).to_be_focused()
    with page.expect_request(re.compile(r"/search/opened$")) as beacon:
        box.press("Enter")
    # no log id in the URL; the best-matching section as its anchor, when there is one
    expect(page).to_have_url(re.compile(r"/d/policies/identity-verification(#[a-z0-9-]+)?$"))
    expect(page.locator("h1")).to_have_text("Identity verification policy")
    assert beacon.value.method == "POST" and "identity-verification" in (beacon.value.post_data or "")
    assert opened_in_search_log(data_dir, "identity verification") == ("policies/identity-verification", 1)


def test_clicking_a_result_tells_the_search_log_by_post(logged_in, page, data_dir):
    logged_in("/search?q=wire+transfer")
    link = page.locator("#results .result-link").first
    with page.expect_request(re.compile(r"/search/opened$")) as beacon:
        link.click()
    expect(page).to_have_url(re.compile(r"/d/processes/send-wire$"))
    assert beacon.value.method == "POST"
    assert opened_in_search_log(data_dir, "wire transfer") == ("processes/send-wire", 1)


def test_browser_back_and_forward_during_a_run_raise_no_script_error(logged_in, page):
    logged_in(WIRE)
    page.keyboard.press("j")
    expect(heading(page)).to_have_text("Is the destination country sanctioned?")
    page.keyboard.press("2")
    expect(heading(page)).to_have_text("Collect beneficiary details")
    page.go_back()
    expect(heading(page)).to_have_text("Is the destination country sanctioned?")
    page.go_forward()
    expect(heading(page)).to_have_text("Collect beneficiary details")
    page.go_back()
    page.go_back()
    expect(heading(page)).to_have_text("Verify the caller")
    expect(page.locator("button[data-copy]")).to_be_visible()  # restored pages keep their copy buttons
