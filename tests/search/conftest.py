"""Fixtures for search tests: a library tree to write files into and the app's search engine."""

from __future__ import annotations

import textwrap

import pytest

from guidance import search


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
