"""Take the README's screenshots of the agent's desk: home, a step of a run and the finish page,
at 480 and 1280 px (docs/screenshots.py takes the authoring ones).

    .venv/bin/python docs/desk_screenshots.py

Builds a throwaway data dir with the starter library (content/) and a demo agent, serves the app
on a free loopback port, and drives Debian's Chromium with Playwright (installed with the test
tools), writing docs/screenshots/<page>-<width>.png. The viewport is what an agent sees without
scrolling; screenshots are of that only, which keeps the files small.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from pathlib import Path

import flask_migrate
from playwright.sync_api import sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from guidance import create_app  # noqa: E402
from guidance.extensions import db  # noqa: E402
from guidance.models import Document, RevisionOrigin  # noqa: E402
from guidance.services.library import import_tree  # noqa: E402
from guidance.services.publishing import Publication, new_revision, publish  # noqa: E402
from guidance.services.users import create_user  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "screenshot-pass"
SIZES = {480: 900, 1280: 800}
# A CRM opening the card-delivery process for a customer whose card is late.
GO = "/go/card_arrival?customer.first_name=Ana&card.dispatch_date=3%20March&card.expected_date=10%20March"


def make(data_dir: Path):
    return create_app({"DATA_DIR": str(data_dir), "SECRET_KEY": "screenshots", "SEMANTIC_RERANK": False})


def seed(data_dir: Path) -> None:
    app = make(data_dir)
    with app.app_context():
        flask_migrate.upgrade()
        create_user("ana.agent", "agent", PASSWORD)
        import_tree(ROOT / "content")
    app.extensions["guidance_search"].index.close()


def republish(data_dir: Path, slug: str) -> None:
    """An author's new revision, so home has something 'updated since your last shift'."""
    app = make(data_dir)
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == slug))
        current = document.published_revision
        source = current.source.replace("Use this when", "Use this process when", 1)
        revision = new_revision(
            document, source, origin=RevisionOrigin.APP, author=None, source_path=current.source_path
        )
        publish([Publication(document, revision)], None)


def serve(data_dir: Path):
    server = make_server("127.0.0.1", 0, make(data_dir), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def log_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill("ana.agent")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def shoot(page, name: str, width: int) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("document.activeElement && document.activeElement.blur()")  # no focus ring in the picture
    page.screenshot(path=OUT / f"{name}-{width}.png")


def walk(page, base: str, width: int, data_dir: Path) -> None:
    page.set_viewport_size({"width": width, "height": SIZES[width]})
    log_in(page, base)
    # A first shift: a pinned process and one followed, then a new revision while away.
    page.goto(f"{base}/d/processes/transfers/send-money-abroad")
    page.get_by_text("Menu").click()
    page.get_by_role("button", name="Pin").click()
    page.goto(f"{base}{GO}")
    page.keyboard.press("2")
    page.locator("#step-title", has_text="Verify the caller").wait_for()
    page.get_by_role("button", name="Log out").click()
    republish(data_dir, "processes/cards/lost-or-stolen-card")
    log_in(page, base)
    shoot(page, "home", width)
    # A run opened by the CRM, at the step whose script carries its values.
    page.goto(f"{base}{GO}")
    page.keyboard.press("2")
    page.locator("#step-title", has_text="Verify the caller").wait_for()
    page.get_by_label("Caller verified").check()
    page.locator(".checklist input[checked]").wait_for()
    for key, title in (("j", "Check the order"), ("x", None), ("j", "Is the card late"), ("1", "Reassure")):
        page.keyboard.press(key)
        if title:
            page.locator("#step-title", has_text=title).wait_for()
    shoot(page, "run", width)
    page.keyboard.press("j")
    page.locator("#wrapup-text").wait_for()
    shoot(page, "finish", width)
    page.context.clear_cookies()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temp:
        for width in SIZES:
            data_dir = Path(temp) / f"data-{width}"
            seed(data_dir)
            server, base = serve(data_dir)
            try:
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(
                        executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
                    )
                    walk(browser.new_page(), base, width, data_dir)
                    browser.close()
            finally:
                server.shutdown()
                server.server_close()
            shutil.rmtree(data_dir, ignore_errors=True)
    for path in sorted(OUT.glob("*.png")):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
