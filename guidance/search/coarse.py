"""A first, approximate look at every passage of a large matrix: int8 rows, multiplied by ONNX Runtime.

Comparing a query with every passage reads the whole float32 matrix (58,001 rows at 10,000
documents: 89 MB, 3.6-8 ms a search, bound by memory). The same rows as int8 with a scale each
are a quarter of that, and ONNX Runtime, given them once as a constant, packs them for its
integer product when the matrix opens. Their scores are approximate (within a few hundredths), so
they only choose which documents to compare exactly: hybrid.nearest then compares every row of
the documents they put first, and of the lexical candidates, in float32. Small matrices skip this:
their exact product is already cheap.
"""

from __future__ import annotations

import os

import numpy as np

# Passages from which a matrix gets its int8 copy; below, the exact product costs about as much.
COARSE_FROM = int(os.environ.get("GUIDANCE_COARSE_FROM", 20_000))
BLOCK = 4096


class CoarseRows:
    def __init__(self, vectors: np.ndarray) -> None:
        # (dimensions, rows): the shape ONNX Runtime's integer product takes on its right. Filled
        # a block of rows at a time: float temporaries of the whole matrix would be 89 MB each.
        columns = np.empty((vectors.shape[1], len(vectors)), np.int8)
        self.scale = np.empty(len(vectors), np.float32)
        for start in range(0, len(vectors), BLOCK):
            block = vectors[start : start + BLOCK]
            scale = np.abs(block).max(axis=1) / 127
            scale[scale == 0] = 1.0
            self.scale[start : start + BLOCK] = scale
            columns[:, start : start + BLOCK] = np.rint(block / scale[:, None]).T
        self.columns = columns  # the session reads this memory: kept as long as it is
        self.session = _session(columns)

    def scores(self, query: np.ndarray) -> np.ndarray:
        """Every row's approximate similarity with a unit query (float32)."""
        step = float(np.abs(query).max()) / 127 or 1.0
        # uint8 with 128 as zero: the product of the integers is exact, in int32.
        shifted = (np.rint(query / step) + 128).astype(np.uint8)[None]
        (product,) = self.session.run(None, {"query": shifted})
        return product[0].astype(np.float32) * (self.scale * np.float32(step))


def _session(columns: np.ndarray):
    """A one-node graph whose right-hand side is `columns`."""
    from onnx import TensorProto, helper, numpy_helper

    from .encoder_graph import declared, session  # (onnx loads only once a matrix is this large)

    node = helper.make_node("MatMulInteger", ["query", "rows", "zero"], ["scores"])
    graph = helper.make_graph(
        [node],
        "coarse",
        [helper.make_tensor_value_info("query", TensorProto.UINT8, [1, columns.shape[0]])],
        [helper.make_tensor_value_info("scores", TensorProto.INT32, [1, columns.shape[1]])],
        [declared("rows", columns), numpy_helper.from_array(np.array(128, np.uint8), "zero")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return session(model, {"rows": columns})
