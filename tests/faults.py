"""Helpers for fault tests: the app served by real gunicorn processes, clients that log in over
HTTP, an import run as a separate command that can be killed."""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import pty
import re
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# What a client sees when the worker answering it is killed: refused or reset connections are
# OSErrors, but a body cut off part-way is http.client.IncompleteRead, which is not.
CUT_OFF = (OSError, http.client.HTTPException)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "GUIDANCE_DATA_DIR": str(data_dir),
        "GUIDANCE_SECRET_KEY": "fault-tests",
        "FLASK_APP": "guidance",
    }
    if database_url:
        env["GUIDANCE_DATABASE_URL"] = database_url
    return env


@contextmanager
def gunicorn(data_dir: Path, database_url: str | None = None, workers: int = 2):
    """The app as `make serve` runs it; yields (base URL, master process)."""
    port = free_port()
    env = {
        **environment(data_dir, database_url),
        "GUIDANCE_BIND": f"127.0.0.1:{port}",
        "GUIDANCE_WORKERS": str(workers),
        "GUIDANCE_ACCESS_LOG": "/dev/null",
    }
    master = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "python:guidance.serving", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz")
        wait_for_the_model(f"{base}/healthz")
        yield base, master
    finally:
        master.send_signal(signal.SIGTERM)
        try:
            master.wait(timeout=30)
        except subprocess.TimeoutExpired:
            master.kill()
            master.wait()


HELLO = 'from flask import Flask\napp = Flask(__name__)\n\n\n@app.get("/")\ndef hello():\n    return "hello"\n'


@contextmanager
def hello_server(work: Path):
    """A trivial Flask page on the same gunicorn settings as the app: the ceiling to compare with."""
    (work / "hello.py").write_text(HELLO)
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-c",
            "python:guidance.serving",
            "--chdir",
            str(work),
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "hello:app",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        yield base
    finally:
        server.terminate()
        server.wait()


def wait_until_up(url: str, seconds: float = 60) -> None:
    """Until the server answers: a booting worker may take seconds (it loads the search model)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=10)
            return
        except OSError:  # refused, reset or timed out
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def wait_for_the_model(url: str, seconds: float = 60) -> None:
    """Until /healthz no longer says the model is loading: measure the workers warmed up, as they
    serve all day (the health check answers without waiting for it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                body = json.load(response)
        except urllib.error.HTTPError as unhealthy:  # a 503 says why in the same form
            with unhealthy:
                body = json.load(unhealthy)
        if body.get("search", {}).get("semantic", {}).get("state") != "loading":
            return
        time.sleep(0.05)


def workers_of(master: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return [int(pid) for pid in children]


class Browser:
    """A logged-in client over real HTTP, with cookies and the CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )
        self.token = ""

    def login(self, username: str, password: str) -> None:
        page = self.opener.open(f"{self.base}/login", timeout=10).read().decode()
        self.token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        self.post("/login", {"username": username, "password": password})
        page = self.opener.open(f"{self.base}/notifications", timeout=10).read().decode()
        self.token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def post(self, path: str, form: dict[str, str]) -> int:
        data = urllib.parse.urlencode({**form, "csrf_token": self.token}).encode()
        try:
            with self.opener.open(f"{self.base}{path}", data=data, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 303 after a save is the acknowledgement: keep it


def import_killed_half_way(tree: Path, data_dir: Path, database_url: str | None = None, share: int = 40) -> bool:
    """Run `flask guidance import TREE` and SIGKILL it once its progress bar passes `share` percent
    (its standard error is a terminal, so the bar is drawn). False if it finished first."""
    terminal, ours = pty.openpty()
    process = subprocess.Popen(
        [str(BIN / "flask"), "guidance", "import", str(tree)],
        cwd=ROOT,
        env=environment(data_dir, database_url),
        stdout=subprocess.DEVNULL,
        stderr=ours,
        close_fds=True,
    )
    os.close(ours)
    seen = b""
    try:
        while process.poll() is None:
            ready, _, _ = select.select([terminal], [], [], 0.5)
            if ready:
                try:
                    seen = (seen + os.read(terminal, 4096))[-400:]
                except OSError:  # the command closed its terminal: it has finished
                    break
            percents = [int(p) for p in re.findall(rb"(\d+)%", seen)]
            if percents and percents[-1] >= share:
                process.send_signal(signal.SIGKILL)
                process.wait()
                return True
        process.wait()
        return False
    finally:
        os.close(terminal)
