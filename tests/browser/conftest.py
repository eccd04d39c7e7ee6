"""A live server on loopback and Debian's Chromium, driven by Playwright."""

from __future__ import annotations

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


@pytest.fixture
def live_server(data_dir):
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
def logged_in(page, live_server):
    """A page logged in as the agent; returns a function that opens a path."""

    def login(username: str = "agent"):
        page.context.clear_cookies()
        page.goto(f"{live_server}/login")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORDS[username])
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server}/")

    login()

    def open_path(path: str):
        page.goto(f"{live_server}{path}")
        page.bring_to_front()  # focus and the clipboard need the page to be the focused one
        return page

    open_path.login = login
    return open_path
