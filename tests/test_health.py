"""/healthz tells a load balancer whether this worker can serve: database, index, semantic stage."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time

from guidance.search import semantic
from tests.conftest import close, make_app


def settled(client, seconds: float = 60) -> dict:
    """/healthz's answer once the semantic model is no longer loading, as a monitor would see it."""
    deadline = time.monotonic() + seconds
    while True:
        body = client.get("/healthz").get_json()
        if body["search"]["semantic"]["state"] != "loading" or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def test_a_healthy_worker_answers_200_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == {"state": "ok"}
    assert body["search"]["state"] == "ok" and body["search"]["behind"] == 0
    assert settled(client)["search"]["semantic"]["state"] in ("on", "off")


def test_a_starting_worker_answers_at_once_while_its_model_is_loading(client, unloaded_model):
    answers = []
    with semantic._model_lock:  # the worker's warm-up is loading the model
        asking = threading.Thread(target=lambda: answers.append(client.get("/healthz")))
        asking.start()
        asking.join(timeout=10)
        assert answers, "the health check waited for the model"
    assert answers[0].status_code == 200
    assert answers[0].get_json()["search"]["semantic"] == {"state": "loading"}
    asking.join()
    assert settled(client)["search"]["semantic"]["state"] == "on"  # loaded meanwhile, in the background


def test_with_semantic_search_turned_off_a_health_check_does_not_load_the_model(data_dir, unloaded_model, monkeypatch):
    loads = []
    monkeypatch.setattr(semantic, "_load", lambda: loads.append(1))
    app = make_app(data_dir, SEMANTIC_RERANK=False)
    try:
        body = app.test_client().get("/healthz").get_json()
        assert body["search"]["semantic"] == {"state": "off", "reason": "turned off (SEMANTIC_RERANK)"}
        assert loads == []  # it was loaded (a second or more, and about 90 MB a worker) only to be reported off
    finally:
        close(app)


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
