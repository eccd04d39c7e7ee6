"""/healthz tells a load balancer whether this worker can serve: database, index, semantic stage."""

from __future__ import annotations

import shutil
import sqlite3

from tests.conftest import close, make_app


def test_a_healthy_worker_answers_200_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == {"state": "ok"}
    assert body["search"]["state"] == "ok" and body["search"]["behind"] == 0
    assert body["search"]["semantic"]["state"] in ("on", "off")


def test_a_lost_index_makes_the_worker_unhealthy_until_it_is_rebuilt(client, data_dir):
    shutil.rmtree(data_dir / "search")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["search"]["state"] in ("missing", "rebuilding")


def test_without_the_semantic_model_search_is_still_healthy(data_dir):
    app = make_app(data_dir, SEMANTIC_RERANK=False)
    try:
        body = app.test_client().get("/healthz").get_json()
        assert body["status"] == "ok" and body["search"]["semantic"]["state"] == "off"
    finally:
        close(app)


def test_a_locked_database_answers_503(data_dir):
    app = make_app(data_dir, SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 0.2}})
    holder = sqlite3.connect(data_dir / "guidance.db", timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        response = app.test_client().get("/healthz")
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert response.get_json()["database"]["state"] == "unavailable"
    finally:
        holder.rollback()
        holder.close()
        close(app)
