"""A live server on loopback and Debian's Chromium, driven by Playwright.

Every browser test fails on a console error or an uncaught exception in the page: an agent never
sees the console, so the tests have to. A test that opens an error page on purpose says which
messages it expects with `@pytest.mark.allow_console_errors(r"regex", ...)`.
"""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORDS, close, make_app

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "allow_console_errors(*patterns): console errors matching these regexes do not fail the test"
    )


@pytest.fixture(autouse=True)
def console_errors(request, page):
    """Collect console errors and page exceptions; fail the test at its end if any was unexpected."""
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: seen.append(f"uncaught: {error}"))
    yield seen
    marker = request.node.get_closest_marker("allow_console_errors")
    allowed = [re.compile(pattern) for pattern in (marker.args if marker else ())]
    unexpected = [text for text in seen if not any(pattern.search(text) for pattern in allowed)]
    assert not unexpected, f"console errors: {unexpected}"


def _serve(data_dir: Path):
    app = make_app(data_dir)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        close(app)


@pytest.fixture
def live_server(data_dir):
    yield from _serve(data_dir)


@pytest.fixture
def starter_data(tmp_path, starter_dir) -> Path:
    """A copy of the data dir holding the starter library of content/."""
    target = tmp_path / "starter"
    shutil.copytree(starter_dir, target, symlinks=True)
    return target


@pytest.fixture
def starter_server(starter_data):
    """A live server on the starter library (content/), with the test users."""
    yield from _serve(starter_data)


def log_in(page, base: str, username: str = "agent") -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORDS[username])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


@pytest.fixture
def logged_in(page, live_server):
    """A page logged in as the agent; returns a function that opens a path."""

    def login(username: str = "agent"):
        log_in(page, live_server, username)

    login()

    def open_path(path: str):
        page.goto(f"{live_server}{path}")
        page.bring_to_front()  # focus and the clipboard need the page to be the focused one
        return page

    open_path.login = login
    return open_path
