"""What search can say about itself for a health check: is the index there, how far behind the
database it is, and whether the semantic stage runs."""

from __future__ import annotations

from typing import Any

from . import semantic
from .engine import SearchEngine
from .index import IndexMissing


def status(engine: SearchEngine, database_generation: int) -> dict[str, Any]:
    try:
        generation = engine.index.generation()
    except IndexMissing as problem:
        state = "rebuilding" if engine.rebuilding else "missing"
        return {"state": state, "problem": str(problem), "semantic": _semantic(engine)}
    return {
        "state": "ok",
        "generation": generation,
        "behind": max(0, database_generation - generation),  # caught up by the next search
        "semantic": _semantic(engine),
    }


def _semantic(engine: SearchEngine) -> dict[str, str]:
    if not engine.semantic:  # and the model is not loaded to say so
        return {"state": "off", "reason": "turned off (SEMANTIC_RERANK)"}
    return semantic.status()
