"""Fixtures every test shares: an app on a copy of a seeded data dir, clients that log in and send CSRF tokens."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import flask_migrate
import pytest
from jinja2.bccache import Bucket, BytecodeCache

from guidance import create_app, search
from guidance.extensions import db
from guidance.search import semantic
from guidance.services.library import import_tree
from guidance.services.users import create_user

FIXTURES = Path(__file__).parent / "fixtures"
LIBRARY = FIXTURES / "library"
PASSWORDS = {"agent": "agent-pass", "senior": "senior-pass", "author": "author-pass", "admin": "admin-pass"}
ROLE_OF = {"agent": "agent", "senior": "agent", "author": "author", "admin": "admin"}


# Hashing as cheaply as werkzeug allows: what the tests check is who may log in, not the cost
# (the default, scrypt, spends ~80 ms per login, which was half the suite's time).
TEST_CONFIG = {"TESTING": True, "SECRET_KEY": "test-secret", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}


class _SharedBytecode(BytecodeCache):
    """Compiled templates shared by every app the tests make: each app has its own Jinja
    environment, and compiling the same templates again was an eighth of the suite's time."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _SharedBytecode()


def make_app(data_dir: Path, **config):
    app = create_app({**TEST_CONFIG, "DATA_DIR": str(data_dir), **config})
    app.jinja_env.bytecode_cache = _BYTECODE
    return app


def close(app) -> None:
    """Release the database and index files, as a worker does when it exits."""
    engine = app.extensions.get("guidance_search")
    if engine is not None:
        engine.index.close()
    search_log = app.extensions.get("guidance_search_log")
    if search_log is not None:
        search_log.close()
    with app.app_context():
        db.engine.dispose()


def publish_text(document, source: str) -> None:
    """Publish `source` as the document's next revision, as the app would (call in an app context)."""
    from guidance.models import RevisionOrigin
    from guidance.services.publishing import Publication, new_revision, publish

    current = document.published_revision
    revision = new_revision(document, source, origin=RevisionOrigin.APP, author=None, source_path=current.source_path)
    publish([Publication(document, revision)], None)


def build_data_dir(data_dir: Path, tree: Path) -> Path:
    """A migrated database with the test users and `tree` imported, its passages embedded."""
    app = make_app(data_dir)
    with app.app_context():
        flask_migrate.upgrade()
        for name, password in PASSWORDS.items():
            create_user(name, ROLE_OF[name], password)
        import_tree(tree)
        search.engine().wait_until_current()  # every test app starts with the passages embedded
    close(app)
    return data_dir


@pytest.fixture(scope="session")
def seeded_dir(tmp_path_factory) -> Path:
    """A data dir (database and search index) with users and the fixture library, built once."""
    return build_data_dir(tmp_path_factory.mktemp("seed"), LIBRARY)


CONTENT = Path(__file__).parents[1] / "content"


@pytest.fixture(scope="session")
def starter_dir(tmp_path_factory) -> Path:
    """A data dir with the users and the starter library of content/ (search as shipped), built once."""
    return build_data_dir(tmp_path_factory.mktemp("starter"), CONTENT)


@pytest.fixture
def data_dir(tmp_path, seeded_dir) -> Path:
    target = tmp_path / "data"
    shutil.copytree(seeded_dir, target, symlinks=True)
    return target


@pytest.fixture
def app(data_dir):
    app = make_app(data_dir)
    yield app
    close(app)


@pytest.fixture
def empty_app(tmp_path):
    """A migrated database with nothing in it."""
    app = make_app(tmp_path)
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    close(app)


@pytest.fixture
def unloaded_model(monkeypatch):
    """This process as a fresh one sees it: no search model loaded or refused yet, one core asked."""
    monkeypatch.setattr(semantic, "_model", None)
    monkeypatch.setattr(semantic, "_unavailable", None)
    monkeypatch.setattr(semantic, "_threads", 1)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
CSRF_VALUE = re.compile(r'(name="csrf_token" value=|name="csrf-token" content=)"[^"]+"')


def without_tokens(html: str) -> str:
    """A page without its CSRF tokens: they are signed afresh on every page, and random enough
    to spell any short word a test means to find absent."""
    return CSRF_VALUE.sub(r'\1"-"', html)


class Session:
    """A test client that logs in and sends the CSRF token like a browser form would."""

    def __init__(self, client):
        self.client = client
        self.user: str | None = None
        self._token: str | None = None

    def token(self) -> str:
        """The session's CSRF token, read from a page once: it lasts as long as the session."""
        if self._token is None:
            page = self.client.get("/notifications" if self.user else "/login")  # small pages
            self._token = CSRF.search(page.get_data(as_text=True)).group(1)
        return self._token

    def login(self, username: str, password: str | None = None):
        self._token = None  # a new session after logging in
        response = self.client.post(
            "/login",
            data={"username": username, "password": password or PASSWORDS[username], "csrf_token": self.token()},
        )
        if response.status_code == 302:
            self.user = username
            self._token = None
        return response

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def post(self, path: str, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token())
        response = self.client.post(path, data=data, **kwargs)
        if path == "/logout":
            self.user, self._token = None, None
        return response


@pytest.fixture
def session(client):
    return Session(client)


@pytest.fixture
def agent(session):
    session.login("agent")
    return session


@pytest.fixture
def admin(session):
    session.login("admin")
    return session
