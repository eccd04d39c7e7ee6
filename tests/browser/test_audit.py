"""Every kind of page passes axe-core and the Nu HTML checker, as a real browser renders it."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from guidance.services.tokens import create_token
from tests.conftest import LIBRARY, Session, close, make_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / os.environ.get("VNU_JAR", ".cache/vnu-26.9.27/vnu.jar")


def visit(page, base: str) -> dict[str, str]:
    """Open one page of each kind (as the admin, who sees every control) and keep its HTML."""
    pages = {}

    def keep(name: str, path: str | None = None):
        if path:
            page.goto(base + path)
        page.wait_for_load_state("networkidle")
        pages[name] = page.content()

    keep("home", "/")
    page.evaluate("document.querySelectorAll('details').forEach(fold => { fold.open = true; })")
    keep("home-open")
    keep("search", "/search?q=wire")
    keep("process", "/d/processes/send-wire")
    # Every fold open (the menu, the keys, about this process), and a link with context it cannot use.
    page.goto(base + "/d/processes/send-wire?customer.first_name=Ana&customer.shoe_size=42")
    page.evaluate("document.querySelectorAll('details').forEach(fold => { fold.open = true; })")
    keep("process-open")
    page.keyboard.press("j")
    page.wait_for_url(re.compile(r"/runs/\d+/steps/screen$"))
    keep("run-step")
    page.keyboard.press("1")
    page.wait_for_url(re.compile(r"/steps/escalate$"))
    page.get_by_role("button", name="Finish").click()
    page.wait_for_url(re.compile(r"/runs/\d+/done$"))
    keep("done")
    # The feedback loop: a note and a thumbs down on a step, then the pages that harvest them.
    page.goto(base + "/d/processes/send-wire/steps/screen")
    page.keyboard.press("n")
    page.keyboard.type("Check the **updated** sanctions list")
    page.get_by_role("button", name="Save note").click()
    page.locator(".note-list").wait_for()
    page.get_by_role("button", name="No (thumbs down)").click()
    page.get_by_label("Reason").wait_for()
    keep("step-feedback")
    page.get_by_role("link", name=re.compile("^Edit your note")).click()
    page.wait_for_url(re.compile(r"/notes/\d+/edit"))
    keep("note-edit")
    keep("inbox", "/admin/inbox")
    # Dismissing the note notifies its author, so the notifications page has "Mark all as read".
    page.get_by_label(re.compile(r"^\s*Note")).check()
    page.get_by_label("Action").select_option("dismiss")
    page.get_by_label("Reason for dismissing (the agents see it)").fill("Covered by the policy")
    page.get_by_role("button", name="Apply").click()
    page.get_by_text("now dismissed").wait_for()
    keep("notifications", "/notifications")
    assert "Mark all as read" in pages["notifications"]
    keep("health", "/admin/health")
    keep("edit", "/d/processes/send-wire/edit?step=screen")
    visit_authoring(page, base, keep)
    keep("policy", "/d/policies/identity-verification")
    keep("article", "/d/articles/welcome")
    keep("go-several", "/go/card_arrival")
    keep("source", "/d/processes/send-wire/source")
    keep("flow-map", "/d/processes/send-wire/map")
    keep("archive", "/d/processes/card-arrival/archive")
    keep("tag", "/tags/payments")
    keep("users", "/admin/users")
    keep("tokens", "/admin/tokens")
    keep("token-revoke", "/admin/tokens/1/revoke")
    keep("not-found", "/d/no-such-document")
    return pages


def visit_authoring(page, base: str, keep) -> None:
    """The authoring pages: the desk, a new document, the editor with a draft, review, history, the audit log."""
    keep("authoring", "/authoring")
    keep("new-document", "/authoring/new")
    page.get_by_label("Title", exact=True).fill("Lost card abroad")
    page.get_by_text("It will be processes/lost-card-abroad.md: free.").wait_for()
    keep("new-document-typed")
    page.get_by_role("button", name="Create the draft").click()
    page.wait_for_url(re.compile(r"/d/processes/lost-card-abroad/edit$"))
    keep("editor-new")
    page.goto(base + "/d/processes/send-wire/edit")
    source = page.locator("#editor-source")
    source.fill(source.input_value().replace("(#escalate)", "(#escalte)"))
    page.get_by_text("points to #escalte").wait_for()
    keep("editor-problems")
    source.fill(source.input_value().replace("(#escalte)", "(#escalate)").replace("two working days", "one day"))
    page.get_by_label("Change note").fill("One day now")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(re.compile(r"/review$"))
    keep("review")
    keep("editor-in-review", "/d/processes/send-wire/edit")
    page.goto(base + "/d/processes/send-wire/review")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(re.compile(r"/d/processes/send-wire$"))
    keep("history", "/d/processes/send-wire/history")
    keep("compare", "/d/processes/send-wire/compare?from=1&to=2")
    keep("revision", "/d/processes/send-wire/revisions/1")
    keep("restore", "/d/processes/send-wire/revisions/1/restore")
    keep("discard", "/d/processes/lost-card-abroad/discard")
    keep("audit-log", "/admin/audit")
    keep("step-over-time", "/admin/health/processes/send-wire/steps/screen")


def conflict_page(data_dir: Path) -> str:
    """The editor's conflict page (two people saved the same draft), as the app answers it."""
    app = make_app(data_dir)
    try:
        first, second = Session(app.test_client()), Session(app.test_client())
        first.login("admin")
        second.login("author")
        page = second.get("/d/processes/card-arrival/edit").get_data(as_text=True)
        form = dict(
            re.findall(
                r'<input type="hidden" name="(\w+)" value="([^"]*)"',
                page.split('id="editor-form"')[1].split("</form>")[0],
            )
        )
        form.pop("csrf_token")
        source = (LIBRARY / "processes" / "card-arrival.md").read_text()
        first.post("/d/processes/card-arrival/edit", {**form, "source": source + "\nTheirs.\n"})
        response = second.post("/d/processes/card-arrival/edit", {**form, "source": source + "\nMine.\n"})
        assert response.status_code == 409
        return response.get_data(as_text=True)
    finally:
        close(app)


def add_api_token(data_dir: Path) -> None:
    """Token 1, so the tokens page and its confirmation have something to show."""
    app = make_app(data_dir)
    with app.app_context():
        create_token("agent", 90)
    close(app)


@pytest.mark.allow_console_errors(r"status of 404")  # the not-found page, visited on purpose
def test_pages_have_no_axe_violations_and_are_valid_html(logged_in, page, live_server, tmp_path, data_dir):
    add_api_token(data_dir)
    logged_in.login("admin")
    axe = Axe()
    failures = {}
    html = visit(page, live_server)
    html["editor-conflict"] = conflict_page(data_dir)
    for name, content in html.items():
        page.set_content(content)  # same markup, checked without re-requesting
        # The page's own requests (the editor's preview) finish before the next page's markup
        # replaces it: set_content keeps the window, so a late answer would meet the wrong page.
        page.wait_for_load_state("networkidle")
        result = axe.run(page)
        if result.violations_count:
            failures[name] = result.generate_report()
    assert not failures, "\n".join(f"{name}:\n{report}" for name, report in failures.items())

    assert VNU_JAR.exists(), f"{VNU_JAR} is missing: `make test` fetches it (npm package vnu-jar)"
    for name, content in html.items():
        (tmp_path / f"{name}.html").write_text(content)
    checked = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--stdout", *sorted(map(str, tmp_path.glob("*.html")))],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['type']}: {m['message']}"
        for m in json.loads(checked.stdout)["messages"]
    ]
    assert messages == []


def test_login_page_is_accessible_to_anonymous_users(page, live_server):
    page.goto(live_server + "/login")
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()
