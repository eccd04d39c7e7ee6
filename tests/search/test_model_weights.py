"""The embedding model is a dependency like any other: its weights are checked before use, and
search without them still answers (lexically) and says why in the log and /healthz."""

from __future__ import annotations

import logging
import shutil

import pytest

from guidance.search import minilm, semantic
from tests.conftest import close, make_app
from tests.test_health import settled


@pytest.fixture
def tampered_model(tmp_path, monkeypatch):
    """A copy of the model directory with one byte of the weights flipped, loaded instead."""
    original = minilm.model_dir()
    copy = tmp_path / "model"
    copy.mkdir()
    for item in original.iterdir():
        if item.name != "model.safetensors":
            (copy / item.name).symlink_to(item)
    weights = copy / "model.safetensors"
    shutil.copyfile(original / "model.safetensors", weights)
    with weights.open("r+b") as handle:
        handle.seek(-100, 2)  # inside the last tensor's data: still a readable file
        byte = handle.read(1)
        handle.seek(-100, 2)
        handle.write(bytes([byte[0] ^ 0xFF]))
    monkeypatch.setattr(minilm, "model_dir", lambda: copy)
    # A fresh process's state: the model is loaded (and checked) on first use.
    monkeypatch.setattr(semantic, "_model", None)
    monkeypatch.setattr(semantic, "_unavailable", None)
    return copy


def test_the_pinned_weights_load_through_the_safetensors_library(monkeypatch):
    read = []
    monkeypatch.setattr(minilm, "load_file", lambda path, real=minilm.load_file: read.append(path) or real(path))
    vector = minilm.MiniLM().encode(["my card is gone"])[0]
    assert read == [minilm.model_dir() / "model.safetensors"]
    assert vector.dtype.name == "float32" and vector.shape == (minilm.MiniLM.dimensions,)
    assert float(vector @ vector) == pytest.approx(1.0, abs=1e-5)


def test_weights_that_do_not_match_the_pinned_hash_are_refused(tampered_model):
    with pytest.raises(minilm.WeightsMismatch, match="SHA-256"):
        minilm.MiniLM(tampered_model)


def test_tampered_weights_turn_semantic_search_off_and_search_still_answers(data_dir, tampered_model, caplog):
    app = make_app(data_dir)
    try:
        with caplog.at_level(logging.WARNING, logger="guidance.search.semantic"):
            status = settled(app.test_client())  # the first answers say "loading"
        assert status["status"] == "ok"
        assert status["search"]["semantic"]["state"] == "off"
        assert "SHA-256" in status["search"]["semantic"]["reason"]
        assert any(
            "semantic re-ranking is off" in r.getMessage() and "SHA-256" in r.getMessage() for r in caplog.records
        )
        with app.app_context():
            from guidance import search

            results = search.engine().search("card", role="agent", wait=True)
        assert results.hits and results.unavailable is None
    finally:
        close(app)
