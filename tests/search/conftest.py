"""Fixtures for search tests: a library tree to write files into, the app's search engine, the starter
library, and readers of Markdown that count or die in the processes they run in."""

from __future__ import annotations

import os
import shutil
import textwrap

import pytest

from guidance import search
from guidance.content.plaintext import to_plain_text
from tests.conftest import close, make_app


def write(tree, path: str, text: str) -> None:
    target = tree / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(textwrap.dedent(text).lstrip("\n"))


@pytest.fixture
def library(tmp_path):
    """A small tree to import, separate from the shared fixture library."""
    tree = tmp_path / "library"
    tree.mkdir()
    return tree


@pytest.fixture
def engine(app):
    with app.app_context():
        yield search.engine()


def slugs(results) -> list[str]:
    return [hit.slug for hit in results.hits]


PARENT = os.getpid()
READ_HERE: list[str] = []  # the texts this process read itself (the others' lists are their own)


def read_and_counted(source: str) -> str:
    if os.getpid() == PARENT:
        READ_HERE.append(source)
    return to_plain_text(source)


def dies_in_another_process(source: str) -> str:
    if os.getpid() != PARENT:
        os._exit(1)  # as a process killed for memory would
    return to_plain_text(source)


@pytest.fixture
def starter(tmp_path, starter_dir):
    """An app context on a copy of the starter library's data."""
    app = make_app(shutil.copytree(starter_dir, tmp_path / "data", symlinks=True))
    with app.app_context():
        yield app
    close(app)
