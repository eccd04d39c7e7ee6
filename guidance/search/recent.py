"""Answers given recently, and what ranking reads of each index entry.

A contact centre asks the same things again and again (a suggestion clicked, an outage everyone
calls about): a repeated search is answered from memory. The key holds everything the answer
depends on, the index's state and the passage matrix included, so any content change, synonym
edit or newly embedded passage makes a new key; old keys just age out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from whoosh import query as q
from whoosh.idsets import BitSet

ANSWERS = 256  # per process: a few hundred recent questions, a few MB at most
LIGHT = ("slug", "title", "kind", "meaning", "step", "step_title")


class Recent:
    """A small least-recently-used map, shared by a worker's threads."""

    def __init__(self, size: int = ANSWERS) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def light(searcher, docnum: int) -> dict:
    """The few stored fields ranking and suggestions need of an entry. Whoosh stores an entry's
    fields compressed together, the page's whole text with them: reading a slug decompresses the
    body. Kept per searcher (its entries never change), so each entry is read once, not once per
    search."""
    seen = searcher.__dict__.setdefault("_guidance_light", {})
    found = seen.get(docnum)
    if found is None:
        stored = searcher.stored_fields(docnum)
        found = seen[docnum] = {name: stored.get(name) for name in LIGHT}
    return found


WORDS_KEPT = 20_000  # per reader and kind: that many answers (typed words' expansions), then forgotten


def kept(reader, kind: str, key: Hashable, compute):
    """`compute()` once per reader or searcher: neither ever changes, so what is worked out from
    one (a word's near spellings, a field's vocabulary, a filter, decoded postings) holds for it."""
    seen = reader.__dict__.setdefault("_guidance_" + kind, {})
    if key not in seen:
        if len(seen) >= WORDS_KEPT:
            seen.clear()
        seen[key] = compute()
    return seen[key]


def kept_filter(searcher, query: q.Query) -> BitSet:
    """The documents a constant filter allows, worked out once per searcher."""
    return kept(
        searcher, "filters", repr(query), lambda: BitSet(searcher.docs_for_query(query), size=searcher.doc_count_all())
    )
