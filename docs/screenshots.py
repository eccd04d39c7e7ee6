"""Take the README's screenshots of the authoring pages and a flow map: `.venv/bin/python docs/screenshots.py`.

Starts the app on a throwaway data directory with the starter library, drives Debian's Chromium
with Playwright, and writes PNGs next to this file. Re-run it after changing the pages.
"""

from __future__ import annotations

import re
import sys
import tempfile
import threading
from pathlib import Path

import flask_migrate
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guidance import create_app  # noqa: E402
from guidance.services.library import import_tree  # noqa: E402
from guidance.services.users import create_user  # noqa: E402

SLUG = "processes/payments/charged-twice"
PASSWORD = "screenshots-pass"


def serve(data_dir: Path) -> str:
    app = create_app({"DATA_DIR": str(data_dir), "SECRET_KEY": "screenshots", "SEMANTIC_RERANK": False})
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        for name in ("author", "admin"):
            create_user(name, name, PASSWORD)
        import_tree(ROOT / "content")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def log_in(page, base: str, name: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def main() -> None:
    base = serve(Path(tempfile.mkdtemp()))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 760})
        log_in(page, base, "author")
        page.goto(f"{base}/d/{SLUG}/edit?step=what")
        source = page.locator("#editor-source")
        source.press("End")
        source.press("Enter")
        source.type("- **Not sure** → [Compare the two entries](#compare-them)")
        page.get_by_text("not a step of this process").wait_for()
        page.wait_for_timeout(400)
        page.screenshot(path=str(ROOT / "docs" / "editor.png"))
        page.set_viewport_size({"width": 480, "height": 760})
        page.screenshot(path=str(ROOT / "docs" / "editor-narrow.png"))
        page.set_viewport_size({"width": 1200, "height": 760})
        source.fill(
            source.input_value().replace("(#compare-them)", "(#compare)").replace("within a few days", "within 3 days")
        )
        page.get_by_label("Change note").fill("Hold drop-off in days; a third answer for unsure callers")
        page.get_by_role("button", name="Submit for review").click()
        page.wait_for_url(re.compile(r"/review$"))
        log_in(page, base, "admin")
        page.goto(f"{base}/d/{SLUG}/review")
        page.screenshot(path=str(ROOT / "docs" / "review.png"))
        page.set_viewport_size({"width": 900, "height": 720})
        page.goto(f"{base}/d/{SLUG}/map")
        page.screenshot(path=str(ROOT / "docs" / "flow-map.png"))
        browser.close()
    for name in ("editor.png", "editor-narrow.png", "review.png", "flow-map.png"):
        print(f"docs/{name}: {(ROOT / 'docs' / name).stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
