"""A throwaway PostgreSQL server for the whole test session, and a fresh database per test.

The server comes from Debian's postgresql package (`make test` installs it). It runs in a
temporary directory, listens on 127.0.0.1 on a free port with trust authentication, and is
always stopped and removed at the end of the session, also when a test or the start fails.
As root the binaries run as the `postgres` user; otherwise as the current user.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import flask_migrate
import psycopg
import pytest
from sqlalchemy.engine import make_url

from guidance import create_app
from guidance.services.library import import_tree
from guidance.services.users import create_user
from tests.conftest import LIBRARY, PASSWORDS, ROLE_OF, TEST_CONFIG, close

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
SERVER_OPTIONS = "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def postgres_bin_dir() -> Path:
    """The newest installed /usr/lib/postgresql/<version>/bin with the tools we need."""
    candidates = [
        Path(d)
        for d in glob.glob(PG_BIN_GLOB)
        if all((Path(d) / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres"))
    ]
    if not candidates:
        pytest.fail(
            f"PostgreSQL server binaries not found ({PG_BIN_GLOB}/initdb, pg_ctl). "
            "Install Debian's 'postgresql' package (`make test` does this through "
            "bin/ensure-debian-packages).",
            pytrace=False,
        )

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in path.parent.name.split(".") if part.isdigit())

    return max(candidates, key=version)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scratch_dir() -> str | None:
    """tmpfs when there is room (CREATE DATABASE takes ~20 ms there, ~300 ms on disk), else the temp dir.

    The default temp dir must be one the `postgres` user can enter (it normally is /tmp).
    """
    shm = Path("/dev/shm")
    try:
        if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free >= 512 * 2**20:
            return str(shm)
    except OSError:
        pass
    return None


class Server:
    """initdb + pg_ctl in a temporary directory, run as `postgres` when we are root."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.as_root = os.geteuid() == 0
        owner = None
        if self.as_root:  # PostgreSQL refuses to run as root
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail(
                    "running as root, but there is no 'postgres' user to run the server as "
                    "(Debian's postgresql package creates it)",
                    pytrace=False,
                )
        self.base = Path(tempfile.mkdtemp(prefix="guidance-pg-", dir=scratch_dir()))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.port = 0
        self.started = False
        self.interrupted = False
        if owner is not None:
            os.chown(self.base, owner.pw_uid, owner.pw_gid)

    def run(self, tool: str, *args: str) -> None:
        command = [str(self.bin_dir / tool), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        # cwd: the postgres user may not be allowed into the directory pytest runs from.
        result = subprocess.run(
            command,
            cwd=self.base,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "LC_ALL": "C.UTF-8"},
        )
        if result.returncode != 0:
            server_log = self.log.read_text(errors="replace") if self.log.exists() else ""
            pytest.fail(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
                + (f"\nserver log:\n{server_log}" if server_log else ""),
                pytrace=False,
            )

    def start(self) -> None:
        self.run(
            "initdb",
            "-D",
            str(self.data),
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "-U",
            "postgres",
            "--no-sync",
        )
        self.port = free_port()
        self.started = True  # from here on, stop() must run even if start fails half-way
        try:
            # -l: the server's output goes to a file, so it never holds our captured pipes open.
            self.run(
                "pg_ctl",
                "start",
                "-w",
                "-t",
                "30",
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                f"-p {self.port} -k {self.base} {SERVER_OPTIONS}",
            )
        except pytest.fail.Exception:
            raise  # pg_ctl reported the failure: no server is left running
        except BaseException:
            self.interrupted = True  # e.g. Ctrl-C: the server may still be starting
            raise

    def stop(self) -> None:
        try:
            pid_file = self.data / "postmaster.pid"
            if self.interrupted:  # give a server that is still starting time to write its pid file
                deadline = time.monotonic() + 10
                while not pid_file.exists() and time.monotonic() < deadline:
                    time.sleep(0.05)
            if self.started and pid_file.exists():
                self.run("pg_ctl", "stop", "-w", "-m", "immediate", "-D", str(self.data))
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    server = Server(postgres_bin_dir())
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server) -> Callable[[], str]:
    """A factory: each call creates an empty database and returns its SQLAlchemy URL."""
    counter = itertools.count(1)

    def new_database() -> str:
        return postgres_server.create_database(f"test_{next(counter)}")

    return new_database


def make_pg_app(data_dir: Path, url: str):
    return create_app({**TEST_CONFIG, "DATA_DIR": str(data_dir), "DATABASE_URL": url})


@pytest.fixture
def pg_database(postgres_server, postgres_url) -> Iterator[str]:
    """The URL of a fresh, empty database, dropped after the test."""
    url = postgres_url()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture
def pg_empty_app(tmp_path, pg_database):
    """The app on a fresh, empty PostgreSQL database (no schema yet)."""
    app = make_pg_app(tmp_path, pg_database)
    yield app
    close(app)


@pytest.fixture
def pg_app(tmp_path, pg_database):
    """The app on a fresh PostgreSQL database: migrated, with the test users and library."""
    app = make_pg_app(tmp_path, pg_database)
    try:
        with app.app_context():
            flask_migrate.upgrade()
            for name, password in PASSWORDS.items():
                create_user(name, ROLE_OF[name], password)
            import_tree(LIBRARY)
        yield app
    finally:
        close(app)
