"""Issue 13, the agent's desk mid-call: each point walked in Chromium at a side panel's width
(480 px) and a desktop's (1280 px). The conftest fails every test on a console error."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from guidance.extensions import db
from guidance.models import Document, StepNote, User
from guidance.services.inbox_actions import apply_bulk
from tests.browser.conftest import log_in
from tests.conftest import PASSWORDS, close, make_app, publish_text

pytestmark = pytest.mark.browser

WIRE = "/d/processes/send-wire"
DELIVERY = "/d/processes/cards/card-delivery"
WIDTHS = [480, 1280]


@pytest.fixture(params=WIDTHS, ids=lambda width: f"{width}px")
def width(request, page):
    page.set_viewport_size({"width": request.param, "height": 900})
    return request.param


def heading(page):
    return page.locator("#step-title")


def republish(data_dir: Path, slug: str) -> None:
    """A new revision of `slug`, as an author publishing while the agent works."""
    app = make_app(data_dir)
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == slug))
        current = document.published_revision
        source = current.source + "\nOne more line.\n"
        publish_text(document, source)
    close(app)


# ---- 1. compact at 480 px ------------------------------------------------------------------


def test_in_a_run_the_step_comes_first_under_a_one_line_header(logged_in, page, width):
    logged_in(WIRE)
    page.keyboard.press("j")
    expect(heading(page)).to_have_text("Is the destination country sanctioned?")
    head = page.locator(".run-head").bounding_box()
    line = float(page.locator(".run-title").evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert head["height"] < 2 * line + 12  # one line: title, "2 / 4", menu
    assert page.locator(".run-title").evaluate("e => getComputedStyle(e).textOverflow") == "ellipsis"
    assert heading(page).bounding_box()["y"] < 150  # the step is the first thing under the header
    expect(page.locator(".run-count")).to_contain_text("2 / 4")
    expect(page.get_by_text("Verify the caller, screen the destination")).to_be_hidden()  # summary folded
    page.get_by_text("About this process").click()
    expect(page.get_by_text("Verify the caller, screen the destination")).to_be_visible()
    # The menu holds Pin; pinning comes back to the same step of the same run.
    url = page.url
    page.get_by_text("Menu").click()
    page.get_by_role("button", name="Pin").click()
    expect(page.locator(".flash")).to_contain_text("Pinned")
    assert page.url == url
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Pinned")).to_be_hidden()  # the menu is closed again


def test_a_long_title_is_cut_to_one_line(starter_server, page, width):
    log_in(page, starter_server)
    page.goto(f"{starter_server}/d/processes/transfers/cancel-transfer")
    title = page.locator(".run-title")
    expect(title).to_have_attribute("title", "Cancel a transfer or recover money sent to the wrong account")
    if width == 480:
        assert title.evaluate("e => e.scrollWidth > e.clientWidth")  # cut, with an ellipsis
    assert title.bounding_box()["height"] < 40
    assert heading(page).bounding_box()["y"] < 150


def test_a_decision_buttons_key_hint_never_wraps_onto_its_own_line(starter_server, page, width):
    log_in(page, starter_server)
    page.goto(f"{starter_server}{DELIVERY}/steps/late")
    buttons = page.locator(".decision button")
    expect(buttons).to_have_count(3)
    beside = buttons.evaluate_all(
        """buttons => buttons.map(b => {
            const key = b.querySelector('kbd').getBoundingClientRect();
            const first = b.querySelector('.answer').getClientRects()[0];
            return key.right <= first.left && Math.abs(key.top - first.top) < first.height;
        })"""
    )
    assert beside == [True, True, True]


# ---- 2. home that fits on a screen ----------------------------------------------------------


def test_home_fits_a_screen_with_each_document_once(starter_server, page, width):
    log_in(page, starter_server)
    if width == 1280:
        assert page.evaluate("document.documentElement.scrollHeight") <= 1000  # was ~6,200 px
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    links = page.locator(".library-index a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(links) == len(set(links)) == len(list((Path(__file__).parents[2] / "content").rglob("*.md")))
    tags = page.locator("details.tag-browse")
    expect(tags.locator("a").first).to_be_hidden()  # tags folded
    tags.locator("summary").click()
    expect(tags.get_by_role("link", name="sanctions", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Pinned")).to_be_visible()
    expect(page.get_by_role("heading", name="Recent")).to_be_visible()


def test_home_lists_what_was_updated_since_the_last_shift(starter_server, starter_data, page, width):
    log_in(page, starter_server)
    expect(page.get_by_role("heading", name="Updated since your last shift")).to_have_count(0)
    republish(starter_data, "processes/transfers/send-money-abroad")
    page.get_by_role("button", name="Log out").click()
    log_in(page, starter_server)
    updated = page.locator("section", has=page.get_by_role("heading", name="Updated since your last shift"))
    expect(updated).to_contain_text("Send money abroad (international or euro transfer)")
    expect(updated).to_contain_text("revision 2")
    if width == 1280:
        assert page.evaluate("document.documentElement.scrollHeight") <= 1000


# ---- 3. the CRM's context in the script -----------------------------------------------------


def test_the_crms_values_fill_the_script_as_text_for_the_whole_run(starter_server, page, width):
    log_in(page, starter_server)
    hostile = '<img src=x onerror="window.hacked=1">'
    page.goto(f"{starter_server}/go/CARD_ARRIVAL?card.dispatch_date={quote(hostile)}&card.expected_date=10%20March")
    page.keyboard.press("2")  # about their own order
    expect(heading(page)).to_have_text("Verify the caller")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(heading(page)).to_have_text("Is the card late, lost or damaged?")
    page.keyboard.press("1")
    expect(heading(page)).to_have_text("Reassure and set expectations")
    say = page.locator(".say blockquote")
    expect(say.locator(".slot").first).to_have_text(hostile)  # shown as the words it is
    expect(say.locator("img")).to_have_count(0)
    expect(say.locator(".slot").nth(1)).to_have_text("10 March")
    page.reload()  # kept with the run, not in the URL
    expect(page.locator(".say .slot").nth(1)).to_have_text("10 March")
    assert page.evaluate("window.hacked") is None


def test_a_missing_value_is_a_highlighted_blank(starter_server, page, width):
    log_in(page, starter_server)
    page.goto(f"{starter_server}{DELIVERY}/steps/within-time")
    blank = page.locator(".say .slot-blank").first
    expect(blank).to_have_text("date the card was sent")
    assert blank.evaluate("e => getComputedStyle(e).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")


# ---- 4. wrap-up -----------------------------------------------------------------------------


def test_the_finish_page_gives_a_call_summary_to_copy(logged_in, page, context, width):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    logged_in(WIRE)
    page.get_by_label("Name and date of birth match the profile").check()
    expect(page.get_by_label("Name and date of birth match the profile")).to_be_checked()
    page.keyboard.press("j")
    expect(heading(page)).to_have_text("Is the destination country sanctioned?")
    page.keyboard.press("k")  # a step back: still four steps visited at the end
    expect(page).to_have_url(re.compile(r"/runs/\d+/steps/verify$"))
    page.keyboard.press("j")
    expect(heading(page)).to_have_text("Is the destination country sanctioned?")
    page.keyboard.press("2")
    expect(heading(page)).to_have_text("Collect beneficiary details")
    page.keyboard.press("j")
    expect(heading(page)).to_have_text("Send the transfer")
    page.keyboard.press("j")
    expect(heading(page)).to_have_text("Process finished")
    expect(page.locator("#runner")).to_contain_text("4 steps visited")
    summary = page.locator("#wrapup-text")
    expect(summary).to_have_text(
        "Process: Send an international wire transfer\nDecisions:\n- Is the destination country sanctioned? No\n"
        "Checked:\n- Name and date of birth match the profile\nOutcome: Send the transfer"
    )
    copy = page.locator(".wrapup button[data-copy]")
    expect(copy).to_have_accessible_name("Copy the call summary")
    copy.click()
    expect(copy).to_have_text(re.compile("Copied"))
    assert page.evaluate("navigator.clipboard.readText()") == summary.text_content()


# ---- 5. keys that cover the run -------------------------------------------------------------


def test_x_ticks_the_next_items_and_space_ticks_a_focused_one(logged_in, page, width):
    logged_in(WIRE)
    page.keyboard.press("x")
    page.keyboard.press("x")  # pressed before the first tick came back: it waits its turn
    first = page.get_by_label("Name and date of birth match the profile")
    second = page.get_by_label("One-time passcode confirmed")
    expect(first).to_be_checked()
    expect(second).to_be_checked()
    saved = page.locator(".checklist input[checked]")  # the attribute comes from the server's answer
    expect(saved).to_have_count(2)
    page.reload()
    expect(first).to_be_checked()
    expect(second).to_be_checked()
    second.focus()
    page.keyboard.press("Space")
    expect(second).not_to_be_checked()
    expect(saved).to_have_count(1)
    page.reload()
    expect(second).not_to_be_checked()


def test_keys_pressed_faster_than_the_steps_come_back_count_in_order(logged_in, page, width):
    logged_in(WIRE)
    for key in ("j", "2", "k", "1"):  # next, not sanctioned, back, sanctioned after all
        page.keyboard.press(key)
    expect(heading(page)).to_have_text("Stop and escalate")
    expect(page).to_have_url(re.compile(r"/runs/\d+/steps/escalate$"))
    page.reload()
    expect(page.locator(".run-count")).to_contain_text("3 / 3")


def test_c_copies_the_script_without_its_quotation_marks(logged_in, page, context, width):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    logged_in(WIRE)
    page.keyboard.press("c")
    expect(page.locator("button[data-copy]")).to_have_text(re.compile("Copied"))
    assert page.evaluate("navigator.clipboard.readText()") == (
        "Before we start, can I confirm your full name and date of birth?"
    )


def test_ctrl_enter_saves_the_note(logged_in, page, width):
    logged_in(WIRE)
    page.keyboard.press("n")
    page.keyboard.type("Customer prefers email")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".note-list")).to_contain_text("Customer prefers email")
    expect(page.get_by_label("Add a note to this step")).to_have_value("")


def test_question_mark_shows_the_keys_and_escape_hides_them(logged_in, page, width):
    logged_in(WIRE)
    keys = page.locator("#keys .key-list")
    expect(keys).to_be_hidden()
    page.keyboard.press("?")
    expect(keys).to_be_visible()
    expect(keys).to_contain_text("tick the next item")
    page.keyboard.press("Escape")
    expect(keys).to_be_hidden()
    expect(heading(page)).to_be_focused()


def test_a_fresh_process_reaches_its_first_control_in_two_tabs(logged_in, page, width):
    logged_in(WIRE)
    first = page.locator(".step").evaluate(
        """step => [...step.querySelectorAll('a[href], button, input, textarea, select')]
            .find(e => !e.disabled && e.type !== 'hidden' && e.offsetParent !== null).outerHTML"""
    )
    for _ in range(2):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.outerHTML") == first:
            break
    assert page.evaluate("document.activeElement.outerHTML") == first


# ---- 6. little things that erode trust -------------------------------------------------------


def test_back_and_forward_during_a_run_raise_no_error(logged_in, page, width):
    logged_in(WIRE)
    page.keyboard.press("j")
    page.keyboard.press("2")
    expect(heading(page)).to_have_text("Collect beneficiary details")
    page.go_back()
    expect(heading(page)).to_have_text("Is the destination country sanctioned?")
    page.go_forward()
    expect(heading(page)).to_have_text("Collect beneficiary details")
    page.go_back()
    page.go_back()
    expect(heading(page)).to_have_text("Verify the caller")


def test_the_tab_title_names_the_current_step(logged_in, page, width):
    logged_in(WIRE)
    expect(page).to_have_title("Verify the caller · Send an international wire transfer · Guidance")
    page.keyboard.press("j")
    expect(page).to_have_title(
        "Is the destination country sanctioned? · Send an international wire transfer · Guidance"
    )
    page.keyboard.press("1")
    expect(page).to_have_title("Stop and escalate · Send an international wire transfer · Guidance")
    page.keyboard.press("j")
    expect(page).to_have_title("Finished · Send an international wire transfer · Guidance")
    page.go_back()
    expect(page).to_have_title("Stop and escalate · Send an international wire transfer · Guidance")


@pytest.mark.allow_console_errors(r"status of 401")  # the refused login answers 401
def test_after_a_wrong_password_the_caret_is_in_the_password_box(page, live_server, width):
    page.goto(f"{live_server}/login")
    expect(page.get_by_label("Username")).to_be_focused()
    page.get_by_label("Username").fill("agent")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-error")).to_contain_text("do not match")
    expect(page.get_by_label("Username")).to_have_value("agent")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORDS["agent"])
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/")


def test_a_deep_link_code_matches_in_any_letter_case(logged_in, page, width):
    logged_in("/go/Transfer_Abroad")
    expect(page).to_have_url(re.compile(r"/d/processes/send-wire$"))
    expect(heading(page)).to_have_text("Verify the caller")


def test_progress_follows_the_path_taken_after_a_branch(logged_in, page, width):
    logged_in(WIRE)
    count = page.locator(".run-count")
    expect(count).to_contain_text("1 / 4")
    page.keyboard.press("j")
    expect(count).to_contain_text("2 / 4")
    page.keyboard.press("2")  # not sanctioned: the escalation step is skipped
    expect(heading(page)).to_have_text("Collect beneficiary details")
    expect(count).to_contain_text("3 / 4")  # was "Step 4 of 5"
    page.keyboard.press("k")
    expect(count).to_contain_text("2 / 4")
    page.keyboard.press("1")
    expect(heading(page)).to_have_text("Stop and escalate")
    expect(count).to_contain_text("3 / 3")
    assert page.locator("progress.run-bar").evaluate("bar => bar.value / bar.max") == 1


def test_only_the_writer_of_an_incorporated_note_is_thanked(logged_in, page, live_server, data_dir, width):
    logged_in(f"{WIRE}/steps/screen")
    page.keyboard.press("n")
    page.keyboard.type("Ask which bank first")
    page.get_by_label("Share with my team").check()
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".note-list")).to_contain_text("Ask which bank first")
    republish(data_dir, "processes/send-wire")
    app = make_app(data_dir)
    with app.test_request_context():
        note = db.session.scalar(select(StepNote))
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        apply_bulk([f"note:{note.id}"], "incorporate", admin)
    close(app)
    logged_in.login("senior")
    logged_in(f"{WIRE}/steps/screen")
    notes = page.locator(".note-list")
    expect(notes).to_contain_text("Ask which bank first")
    expect(notes).to_contain_text("Now part of the guidance (revision 2).")
    expect(notes).not_to_contain_text("Thank you")
    logged_in.login("agent")
    logged_in(f"{WIRE}/steps/screen")
    expect(page.locator(".note-list")).to_contain_text("Incorporated into the guidance (revision 2). Thank you.")


def test_the_edit_form_opened_from_a_step_ticks_its_feedback_named_as_in_the_inbox(logged_in, page, width):
    logged_in(f"{WIRE}/steps/screen")
    page.keyboard.press("n")
    page.keyboard.type("The list link is old")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".note-list")).to_contain_text("The list link is old")
    logged_in.login("admin")
    logged_in(f"{WIRE}/steps/screen")
    page.get_by_role("link", name="Edit this step").click()
    item = page.get_by_role("checkbox", name=re.compile(r"^Note \(private\) by agent"))
    expect(item).to_be_checked()


# ---- 7. the library covers what the README promises ------------------------------------------


def test_the_readmes_example_finds_the_sending_money_process_first(starter_server, page, width):
    log_in(page, starter_server)
    box = page.get_by_label("Search guidance")
    box.type("I want to send money to my sister in Spain")
    first = page.locator("#results .result-link").first
    expect(first).to_have_text("Send money abroad (international or euro transfer)")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/d/processes/transfers/send-money-abroad$"))
    expect(heading(page)).to_have_text("Verify the caller")
