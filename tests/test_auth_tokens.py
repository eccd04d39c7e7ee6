"""API tokens expire, can be revoked from the command line and by an admin, and are never shown again."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from guidance.extensions import db
from guidance.models import ApiToken
from guidance.models._base import utcnow
from tests.conftest import make_app

API = "/api/v1/search?q=wire"


def new_token(runner, *args: str) -> str:
    result = runner.invoke(args=["guidance", "create-token", *args])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def call(client, token: str):
    return client.get(API, headers={"Authorization": f"Bearer {token}"})


def token_row(app, token_id: int | None = None) -> ApiToken:
    with app.app_context():
        query = select(ApiToken).order_by(ApiToken.id.desc())
        if token_id is not None:
            query = query.where(ApiToken.id == token_id)
        row = db.session.scalar(query)
        db.session.expunge(row)
        return row


def test_a_new_token_expires_after_90_days_or_as_asked(app, runner):
    new_token(runner, "agent")
    row = token_row(app)
    assert row.expires_at.date() == (row.created_at + timedelta(days=90)).date()
    new_token(runner, "agent", "--days", "7")
    row = token_row(app)
    assert row.expires_at.date() == (row.created_at + timedelta(days=7)).date()


def test_the_default_lifetime_is_a_setting(data_dir):
    app = make_app(data_dir, API_TOKEN_DAYS=30)
    new_token(app.test_cli_runner(), "agent")
    row = token_row(app)
    assert row.expires_at.date() == (row.created_at + timedelta(days=30)).date()


def test_an_expired_token_is_refused_with_a_clear_401(app, client, runner):
    token = new_token(runner, "agent")
    assert call(client, token).status_code == 200
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = call(client, token)
    assert response.status_code == 401
    assert "expired" in response.get_json()["error"]
    assert "invalid_token" in response.headers["WWW-Authenticate"]


def test_revoke_token_by_id_and_by_user(app, client, runner):
    first = new_token(runner, "agent")
    second = new_token(runner, "agent")
    admins = new_token(runner, "admin")
    first_id = token_row(app).id - 2
    result = runner.invoke(args=["guidance", "revoke-token", str(first_id)])
    assert result.exit_code == 0 and f"revoked token {first_id} of agent" in result.output
    response = call(client, first)
    assert response.status_code == 401 and "not valid" in response.get_json()["error"]
    assert call(client, second).status_code == 200
    result = runner.invoke(args=["guidance", "revoke-token", "--user", "agent"])
    assert result.exit_code == 0 and "revoked 1 token(s) of agent" in result.output
    assert call(client, second).status_code == 401
    assert call(client, admins).status_code == 200
    missing = runner.invoke(args=["guidance", "revoke-token", "999"])
    assert missing.exit_code != 0 and "no token 999" in missing.output
    neither = runner.invoke(args=["guidance", "revoke-token"])
    assert neither.exit_code != 0


def test_admins_list_tokens_without_the_secret_and_revoke_after_confirming(app, admin, runner):
    token = new_token(runner, "agent")
    row = token_row(app)
    page = admin.get("/admin/tokens").get_data(as_text=True)
    assert token not in page and row.token_hash not in page
    assert re.search(rf"<td>{row.id}</td>\s*<td>agent</td>", page)
    assert row.expires_at.strftime("%Y-%m-%d") in page and "never" in page  # not used yet
    confirm = admin.get(f"/admin/tokens/{row.id}/revoke")
    assert confirm.status_code == 200 and "Revoke token" in confirm.get_data(as_text=True)
    assert call(app.test_client(), token).status_code == 200  # asking is not revoking
    done = admin.post(f"/admin/tokens/{row.id}/revoke")
    assert done.status_code == 303 and done.headers["Location"] == "/admin/tokens"
    assert "Revoked token" in admin.get("/admin/tokens").get_data(as_text=True)
    assert call(app.test_client(), token).status_code == 401
    assert token_row(app, row.id).revoked_at is not None
    assert admin.get("/admin/tokens/999/revoke").status_code == 404


def test_the_tokens_page_is_linked_for_admins_only(admin, client):
    assert 'href="/admin/tokens"' in admin.get("/").get_data(as_text=True)
