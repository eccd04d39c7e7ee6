"""Login, roles and CSRF, checked on every route the app has."""

from __future__ import annotations

import re

import pytest

from guidance.services.tokens import create_token
from tests.conftest import ROLE_OF

RUN = "{run}"
NOTE = "{note}"
TOKEN = "{token}"
# (method, path, endpoint, lowest role allowed; None = public)
ROUTES = [
    ("GET", "/login", "auth.login", None),
    ("POST", "/login", "auth.login", None),
    ("GET", "/static/app.css", "static", None),
    ("GET", "/healthz", "health.healthz", None),
    ("POST", "/logout", "auth.logout", "agent"),
    ("GET", "/", "home.index", "agent"),
    ("GET", "/tags/payments", "home.tag", "agent"),
    ("GET", "/search?q=wire", "search.results", "agent"),
    ("GET", "/search/suggest?q=wi", "search.suggest", "agent"),
    ("GET", "/api/v1/search?q=wire", "api.search", "agent"),
    ("GET", "/d/processes/send-wire", "documents.show", "agent"),
    ("GET", "/d/processes/send-wire/steps/screen", "documents.step", "agent"),
    ("POST", "/d/processes/send-wire/runs", "documents.start", "agent"),
    ("POST", "/d/processes/send-wire/pin", "documents.pin", "agent"),
    ("GET", "/d/processes/send-wire/source", "documents.source", "author"),
    ("GET", "/d/processes/send-wire/map", "documents.map", "agent"),
    ("GET", "/go/transfer_abroad", "home.go", "agent"),
    ("GET", f"/runs/{RUN}/steps/verify", "runs.step", "agent"),
    ("POST", f"/runs/{RUN}/steps/verify", "runs.move", "agent"),
    ("GET", f"/runs/{RUN}/done", "runs.done", "agent"),
    ("GET", "/admin/users", "admin.users", "admin"),
    ("POST", "/admin/users", "admin.users", "admin"),
    ("GET", "/admin/tokens", "tokens.index", "admin"),
    ("GET", f"/admin/tokens/{TOKEN}/revoke", "tokens.revoke", "admin"),
    ("POST", f"/admin/tokens/{TOKEN}/revoke", "tokens.revoke", "admin"),
    ("GET", "/admin/synonyms", "admin.synonyms", "admin"),
    ("POST", "/admin/synonyms", "admin.synonyms", "admin"),
    ("POST", "/d/processes/send-wire/steps/verify/notes", "feedback.add_note", "agent"),
    ("POST", "/d/processes/send-wire/steps/verify/rating", "feedback.rate", "agent"),
    ("GET", f"/notes/{NOTE}/edit", "notes.edit", "agent"),  # own note; others': tests/feedback
    ("POST", f"/notes/{NOTE}/edit", "notes.edit", "agent"),
    ("POST", f"/notes/{NOTE}/delete", "notes.delete", "agent"),
    ("GET", "/notifications", "notifications.index", "agent"),
    ("POST", "/notifications/read", "notifications.mark_read", "agent"),
    ("POST", "/search/opened", "search.opened", "agent"),
    ("GET", "/admin/inbox", "inbox.index", "admin"),
    ("POST", "/admin/inbox", "inbox.bulk", "admin"),
    ("GET", "/admin/health", "inbox.health", "admin"),
    ("GET", "/d/processes/send-wire/edit?step=verify", "editing.edit", "author"),
    ("POST", "/d/processes/send-wire/edit", "editing.edit", "author"),
    ("POST", "/d/processes/send-wire/edit/save", "drafting.save", "author"),
    ("POST", "/d/processes/send-wire/preview", "drafting.preview_fragment", "author"),
    ("GET", "/d/processes/send-wire/discard", "drafting.discard", "author"),
    ("POST", "/d/processes/send-wire/discard", "drafting.discard", "author"),
    ("GET", "/d/processes/send-wire/review", "review.show", "author"),
    ("POST", "/d/processes/send-wire/review", "review.decide", "author"),
    ("GET", "/d/processes/send-wire/history", "history.index", "author"),
    ("GET", "/d/processes/send-wire/compare?from=1&to=1", "history.compare", "author"),
    ("GET", "/d/processes/send-wire/revisions/1", "history.revision", "author"),
    ("GET", "/d/processes/send-wire/revisions/1/restore", "history.restore", "author"),
    ("POST", "/d/processes/send-wire/revisions/1/restore", "history.restore", "author"),
    ("GET", "/authoring", "authoring.index", "author"),
    ("GET", "/authoring/new", "authoring.new", "author"),
    ("POST", "/authoring/new", "authoring.new", "author"),
    ("GET", "/authoring/new/path?title=Refunds&kind=process", "authoring.check_path", "author"),
    ("GET", "/admin/audit", "audit.index", "admin"),
    ("GET", "/admin/health/processes/send-wire/steps/verify", "inbox.step_health", "admin"),
    ("GET", "/d/processes/card-arrival/archive", "editing.archive", "admin"),
    ("POST", "/d/processes/card-arrival/archive", "editing.archive", "admin"),
]
ORDER = ["agent", "author", "admin"]
FORM = {
    "step": "verify",
    "nav": "save",
    "username": "newbie",
    "role": "agent",
    "groups": "a, b",
    "body": "A note",
    "rating": "up",
    "action": "accept",
    "base": "1",
    "log": "0123456789abcdef",
    "slug": "processes/send-wire",
    "title": "Access test",
    "kind": "process",
    "decision": "return",
    "source": "---\ntitle: Send an international wire transfer\nkind: process\n---\n\n## Verify {#verify}\n\nCheck.\n",
}


def test_every_route_is_in_the_access_table(app):
    covered = {(endpoint, method) for method, _, endpoint, _ in ROUTES}
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (rule.endpoint, method) in covered, f"{method} {rule.rule} has no access test"


@pytest.mark.parametrize(("method", "path", "endpoint", "role"), ROUTES, ids=[f"{r[0]} {r[1]}" for r in ROUTES])
def test_each_path_in_the_table_is_served_by_the_endpoint_it_names(app, method, path, endpoint, role):
    urls = app.url_map.bind("localhost")
    concrete = path.replace(RUN, "1").replace(NOTE, "1").replace(TOKEN, "1").split("?")[0]
    assert urls.match(concrete, method=method)[0] == endpoint


def start_run(session) -> int:
    response = session.post("/d/processes/send-wire/runs", {"step": "verify", "nav": "save"})
    return int(re.search(r"/runs/(\d+)/", response.headers["Location"]).group(1))


def add_note(session) -> int:
    session.post("/d/processes/send-wire/steps/verify/notes", {"body": "Access-test note"})
    page = session.get("/d/processes/send-wire/steps/verify").get_data(as_text=True)
    return int(re.findall(r'id="note-(\d+)"', page)[0])


def fill(path: str, session) -> str:
    """Put a run, a note and an API token of `session`'s user into a path that needs them."""
    if RUN in path:
        path = path.replace(RUN, str(start_run(session)))
    if NOTE in path:
        path = path.replace(NOTE, str(add_note(session)))
    if TOKEN in path:
        with session.client.application.app_context():
            path = path.replace(TOKEN, str(create_token(session.user, 1)[1].id))
    return path


@pytest.mark.parametrize(("method", "path", "endpoint", "role"), ROUTES, ids=[f"{r[0]} {r[1]}" for r in ROUTES])
def test_anonymous_users_are_sent_to_log_in(client, session, method, path, endpoint, role):
    owner = type(session)(client.application.test_client())
    owner.login("agent")
    path = fill(path, owner)
    token = session.token()
    response = client.open(path, method=method, data={**FORM, "csrf_token": token})
    response.close()  # a static file response holds the file open until closed
    if role is None:
        assert response.status_code in (200, 401)  # 401: the form's made-up credentials
    elif path.startswith("/api/"):
        assert response.status_code == 401 and "Bearer" in response.get_json()["error"]
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("user", ["agent", "author", "admin"])
@pytest.mark.parametrize(("method", "path", "endpoint", "role"), ROUTES, ids=[f"{r[0]} {r[1]}" for r in ROUTES])
def test_roles_are_enforced_on_the_server(session, user, method, path, endpoint, role):
    session.login(user)
    path = fill(path, session)
    response = session.get(path) if method == "GET" else session.post(path, FORM)
    response.close()
    allowed = role is None or ORDER.index(ROLE_OF[user]) >= ORDER.index(role)
    if allowed:
        assert response.status_code in (200, 204, 302, 303), response.status_code
    else:
        assert response.status_code == 403
        assert "Not allowed" in response.get_data(as_text=True)


@pytest.mark.parametrize(("method", "path", "endpoint", "role"), [r for r in ROUTES if r[0] == "POST"])
def test_every_form_post_needs_a_csrf_token(session, method, path, endpoint, role):
    session.login("admin")
    path = fill(path, session)
    response = session.client.post(path, data=FORM)
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)


def test_a_run_belongs_to_the_agent_who_started_it(client, session):
    session.login("agent")
    run = start_run(session)
    other = type(session)(client.application.test_client())
    other.login("senior")
    assert other.get(f"/runs/{run}/steps/verify").status_code == 404
    assert other.post(f"/runs/{run}/steps/verify", {"nav": "next"}).status_code == 404


def test_login_rejects_a_wrong_password_and_logout_ends_the_session(session):
    response = session.login("agent", "wrong")
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)
    session.login("agent")
    assert session.get("/").status_code == 200
    session.post("/logout")
    assert session.get("/").status_code == 302


def test_login_never_redirects_off_site(session):
    token = session.token()
    response = session.client.post(
        "/login?next=//evil.example/x",
        data={"username": "agent", "password": "agent-pass", "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_admin_can_create_a_user_and_sees_the_password_once(admin):
    response = admin.post("/admin/users", {"username": "zoe", "role": "author"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    password = re.search(r"Their password is <code>([^<]+)</code>", body).group(1)
    other = type(admin)(admin.client.application.test_client())
    assert other.login("zoe", password).status_code == 302
    duplicate = admin.post("/admin/users", {"username": "zoe", "role": "agent"})
    assert duplicate.status_code == 422
    assert "already exists" in duplicate.get_data(as_text=True)
