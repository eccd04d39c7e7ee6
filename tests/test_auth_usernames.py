"""Usernames: NFKC-normalised, ASCII letters, digits, '.', '-' and '_', unique regardless of case."""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import func, select

from guidance.extensions import db
from guidance.models import User

LOOKALIKES = [
    ("\u0430dmin", "a username is 1-64 characters"),  # Cyrillic а
    ("\uff41\uff47\uff45\uff4e\uff54", "already exists"),  # full-width ａｇｅｎｔ is agent
    ("\uff4e\uff45\uff57", "type it as 'new'"),  # full-width ｎｅｗ
    ("Agent", "differs only by case"),
    ("ADMIN", "differs only by case"),
    ("bad name", "a username is 1-64 characters"),
]


@pytest.mark.parametrize(("name", "message"), LOOKALIKES)
def test_create_user_refuses_lookalike_and_case_variant_names(app, runner, name, message):
    result = runner.invoke(args=["guidance", "create-user", name])
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 4


@pytest.mark.parametrize(("name", "message"), LOOKALIKES)
def test_the_users_page_refuses_them_too(admin, name, message):
    response = admin.post("/admin/users", {"username": name, "role": "agent"})
    assert response.status_code == 422
    assert message in unescape(response.get_data(as_text=True))


def test_plain_names_with_dots_dashes_and_underscores_are_accepted(runner):
    result = runner.invoke(args=["guidance", "create-user", "mary-jane.o_neil"])
    assert result.exit_code == 0 and "'mary-jane.o_neil'" in result.output


def test_login_normalises_the_name_the_same_way(session):
    response = session.login("agent")  # sanity: the plain name
    assert response.status_code == 302
    session.post("/logout")
    session.user = None
    token = session.token()
    response = session.client.post(
        "/login", data={"username": " \uff41\uff47\uff45\uff4e\uff54 ", "password": "agent-pass", "csrf_token": token}
    )
    assert response.status_code == 302
