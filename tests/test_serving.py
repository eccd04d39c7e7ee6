"""Issue 12: a gunicorn worker is ready for pages when it starts taking requests."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from jinja2 import ChoiceLoader, DictLoader

from guidance import search, serving
from guidance.services import search_log
from tests.conftest import Session


class CompileCounter:
    def __init__(self, environment) -> None:
        self.compile, self.names = environment.compile, []

    def __call__(self, source, name=None, *args, **kwargs):
        self.names.append(name)
        return self.compile(source, name, *args, **kwargs)


@pytest.fixture
def compiled(app, monkeypatch):
    counter = CompileCounter(app.jinja_env)
    monkeypatch.setattr(app.jinja_env, "bytecode_cache", None)  # (tests share one, to save time)
    monkeypatch.setattr(app.jinja_env, "compile", counter)
    return counter


def test_a_page_compiles_its_templates_on_a_cold_worker(agent, compiled):
    """The cost the hook below moves off the request path (and proof the counter sees it)."""
    assert agent.get("/d/processes/send-wire").status_code == 200
    assert "process.html" in compiled.names


def test_a_starting_worker_compiles_every_template_before_its_first_request(app, compiled, monkeypatch):
    monkeypatch.setattr(search, "warm_up", lambda app: None)  # search's own warm-up is tested with search
    serving.post_worker_init(SimpleNamespace(wsgi=app, log=logging.getLogger("test")))
    folder = Path(app.root_path).parent / "templates"
    templates = {path.relative_to(folder).as_posix() for path in folder.rglob("*.html")}
    assert len(templates) >= 40 and sorted(compiled.names) == sorted(templates)
    at_start = len(compiled.names)

    agent = Session(app.test_client())
    assert agent.login("agent").status_code == 302
    for path in ("/", "/d/processes/send-wire", "/d/processes/send-wire/steps/screen", "/search?q=wire"):
        assert agent.get(path).status_code == 200, path
    assert compiled.names[at_start:] == []


def test_a_template_that_does_not_compile_is_named_and_the_worker_starts_all_the_same(
    app, compiled, monkeypatch, caplog
):
    monkeypatch.setattr(search, "warm_up", lambda app: None)
    broken = DictLoader({"broken.html": "{% if %}"})
    monkeypatch.setattr(app, "jinja_loader", ChoiceLoader([broken, app.jinja_loader]))
    with caplog.at_level(logging.ERROR, logger="test"):
        serving.post_worker_init(SimpleNamespace(wsgi=app, log=logging.getLogger("test")))
    assert "templates that do not compile: broken.html" in caplog.text
    assert {"base.html", "process.html"} <= set(compiled.names)  # the others, all the same

    agent = Session(app.test_client())
    assert agent.login("agent").status_code == 302
    assert agent.get("/d/processes/send-wire").status_code == 200


def test_a_worker_that_stops_while_warming_up_waits_for_the_warm_up(app, monkeypatch):
    """A process that exits while a thread is inside the search model is aborted: a worker stopped
    two seconds after it started, while its warm-up embedded a query, died with SIGABRT."""
    inside, finished = threading.Event(), []

    def slow_warm_up(app) -> None:
        inside.set()
        time.sleep(0.5)  # (in the model)
        finished.append(True)

    monkeypatch.setattr(search, "warm_up", slow_warm_up)
    monkeypatch.setattr(search_log, "close_all", lambda: None)  # (other tests' apps keep their writers)
    worker = SimpleNamespace(wsgi=app, log=logging.getLogger("test"))
    serving.post_worker_init(worker)
    assert inside.wait(timeout=10)

    serving.worker_exit(None, worker)

    assert finished == [True]  # waited for, before the worker went on to exit
