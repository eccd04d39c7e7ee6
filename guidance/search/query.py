"""Turning what an agent typed into a Whoosh query: no syntax to learn, nothing that explodes.

Every word is matched in both text fields with a field weight, admin synonyms add their
alternatives, the last word of an as-you-type
query matches as a prefix, and unknown words are corrected from the index's own vocabulary
(a common English word is never taken for a typo).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA
from whoosh import query as q
from whoosh.analysis import RegexTokenizer
from whoosh.searching import Searcher

from .recent import kept
from .schema import ANALYZER, STOP_WORDS, WORDS

# The searched fields. `text` weighs titles, synonyms, phrasings and the rest by repetition
# (schema.TEXT_WEIGHTS). Proximity bonuses (word pairs as phrases) were measured too: slower,
# and worse on both query sets.
FIELD_BOOSTS = {"text": 1.0}
STEP_FIELDS = {"step_text": 1.0}
MAX_TERMS = 24
# A pasted message can hold twenty words; its rarest ones carry the meaning, and every common
# word added walks a long posting list (measured: the slowest searches at 10,000 documents).
MATCH_TERMS = 8
# A word this common in English (three uses in a million words or more) is not a typo even when
# the library never uses it: "what are black holes" is not "back holds", "john denver" is not
# "join deliver". Measured on search_quality.py against the bank library: out-of-scope requests
# told "no good match" 85.0 % -> 89.0 %; no in-scope figure of the app changed, and words alone
# lost one of 9,696 messages from their top three (README).
COMMON_WORD_ZIPF = 3.5
# A word in more than this share of the documents ranks little and costs much (every document
# holding it is scored): it is left out while rarer words remain.
COMMON_SHARE = 0.5
MIN_PREFIX = 4  # shorter prefixes expand to too many terms (measured: 110-135 ms for 3 letters)
_RAW = RegexTokenizer(WORDS)


@dataclass
class Analysed:
    terms: list[str]  # stemmed, in order, stop words removed
    words: list[str]  # the raw lower-case words, stop words removed
    prefix: str | None = None  # stem of an unfinished last word
    expansions: list[list[str]] = field(default_factory=list)  # synonym alternatives (stemmed)
    covered: set[str] = field(default_factory=set)  # query terms that an admin synonym stands for


def analyse(text: str, synonyms: list[list[list[str]]] | None = None, as_you_type: bool = False) -> Analysed:
    terms = [t.text for t in ANALYZER(text)][:MAX_TERMS]
    words = [t.text.lower() for t in _RAW(text) if t.text.lower() not in STOP_WORDS][:MAX_TERMS]
    prefix = None
    if as_you_type and text and not text[-1].isspace() and words and len(words[-1]) >= MIN_PREFIX:
        prefix = terms[-1] if terms else None
    expansions: list[list[str]] = []
    covered: set[str] = set()
    for group in synonyms or []:
        present = [phrase for phrase in group if _contains(terms, phrase)]
        if present:
            expansions += [phrase for phrase in group if phrase not in present]
            covered.update(term for phrase in present for term in phrase)
    return Analysed(terms, words, prefix, expansions, covered)


def focus(analysed: Analysed, reader, fields: dict[str, float] = FIELD_BOOSTS) -> Analysed:
    """Keep the rarest known words (in their order): at most MATCH_TERMS, and no very common
    word while rarer ones remain. Unknown words match nothing anyway."""
    unique = list(dict.fromkeys(analysed.terms))
    frequency = {t: max(reader.doc_frequency(name, t) for name in fields) for t in unique}
    known = sorted((t for t in unique if frequency[t]), key=lambda t: frequency[t])
    limit = COMMON_SHARE * max(reader.doc_count(), 1)
    rare = [t for t in known if frequency[t] <= limit]
    kept = set((rare if len(rare) >= 2 else known[:2])[:MATCH_TERMS])
    return Analysed(
        [t for t in unique if t in kept], analysed.words, analysed.prefix, analysed.expansions, analysed.covered
    )


def prefixes(text: str) -> list[str]:
    """Lower-case word starts for title suggestions (the index holds 2-12 letter prefixes)."""
    return [t.text.lower()[:12] for t in _RAW(text) if len(t.text) >= 2][:6]


def _contains(terms: list[str], phrase: list[str]) -> bool:
    size = len(phrase)
    return size > 0 and any(terms[i : i + size] == phrase for i in range(len(terms) - size + 1))


def _any_field(term: str, fields: dict[str, float], boost: float = 1.0) -> list[q.Query]:
    return [q.Term(name, term, boost=weight * boost) for name, weight in fields.items()]


def build(analysed: Analysed, fields: dict[str, float] = FIELD_BOOSTS) -> q.Query:
    if not analysed.terms and not analysed.expansions:
        return q.NullQuery
    clauses: list[q.Query] = [c for term in dict.fromkeys(analysed.terms) for c in _any_field(term, fields)]
    for phrase in analysed.expansions:
        clauses.append(q.And([q.Or(_any_field(term, fields, 0.5)) for term in phrase]))
    if analysed.prefix:
        clauses.append(q.Or([q.Prefix(name, analysed.prefix, boost=0.8) for name in fields]))
    return q.Or(clauses)


def correct(searcher: Searcher, words: list[str], choices: int = 1) -> dict[str, list[str]]:
    """Words the index has never seen, mapped to the closest words it has (closest first)."""
    reader = searcher.reader()
    corrections = {}
    for word in dict.fromkeys(words):
        if len(word) < 3 or word.isdigit() or reader.doc_frequency("spelling", word) or is_common_word(word):
            continue
        found = [w for w in suggest(reader, word, choices, 1 if len(word) <= 5 else 2) if w != word]
        if found:
            corrections[word] = found
    return corrections


def edits(words: list[str], corrected: list[str]) -> int:
    """How many letters a correction changed (each word's edit distance, as `suggest` measures it)."""
    return sum(OSA.distance(word, new) for word, new in zip(words, corrected, strict=True))


def prepare_corrections(searcher: Searcher) -> None:
    """Load what the first correction would wait for: the list of common English words (0.19 s)
    and the index's vocabulary of spellings (0.09 s at 10,000 documents; kept for its segments)."""
    is_common_word("warm")
    within(searcher.reader(), "spelling", "warm", 1)


def is_common_word(word: str) -> bool:
    """Is the word common in English (wordfreq's "small" list: every word used at least once in a
    million, 4 MB in memory), and so no typo?"""
    # Imported here: 0.14 s, paid by the first correction rather than by every process that
    # starts (each CLI command, each worker).
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en", wordlist="small") >= COMMON_WORD_ZIPF


def suggest(reader, word: str, limit: int, maxdist: int) -> list[str]:
    """The known words within `maxdist` edits of `word`: the closest first, the most frequent
    first among equally close ones. (Whoosh's corrector ranks by frequency alone: a frequent word
    two edits away came before the one a letter away, "perfect" before "perforce" for "perfoce".)"""
    ranked = sorted(
        (OSA.distance(w, word), -reader.frequency("spelling", w), w) for w in within(reader, "spelling", word, maxdist)
    )
    return [w for *_, w in ranked[:limit]]


def within(reader, field_name: str, word: str, maxdist: int) -> list[str]:
    """The field's words within `maxdist` edits of `word` and sharing its first letter, in order:
    what Whoosh's `reader.terms_within(field, word, maxdist, prefix=1)` yields. Whoosh computes
    its distance (Damerau-Levenshtein without repeated edits of a substring: "optimal string
    alignment") in Python to every word with that letter, 55 ms a query at 10,000 documents; here a
    length more than `maxdist` away rules a word out first, the same distance is RapidFuzz's (in
    C), and answers are kept."""

    def compute() -> list[str]:
        lengths = kept(reader, "vocabulary", field_name, lambda: _vocabulary(reader, field_name)).get(word[:1], {})
        return sorted(
            candidate
            for size in range(len(word) - maxdist, len(word) + maxdist + 1)
            for candidate in lengths.get(size, ())
            if OSA.distance(candidate, word, score_cutoff=maxdist) <= maxdist
        )

    return kept(reader, "within", (field_name, word, maxdist), compute)


def _vocabulary(reader, field_name: str) -> dict[str, dict[int, list[str]]]:
    """A field's words by first letter and length, for this reader: its segments' words joined.
    (Whoosh merged every segment's words through a heap in Python: 0.3 s at 10,000 documents,
    paid by each thread's first typo after every edit.)"""
    parts = [_segment_words(leaf, field_name) for leaf, _ in reader.leaf_readers()]
    if len(parts) == 1:
        return parts[0]
    joined: dict[str, dict[int, set[str]]] = {}
    for part in parts:
        for letter, lengths in part.items():
            mine = joined.setdefault(letter, {})
            for size, words in lengths.items():
                mine.setdefault(size, set()).update(words)
    return {letter: {size: sorted(words) for size, words in lengths.items()} for letter, lengths in joined.items()}


# A segment's words never change (deleting documents leaves them in its lexicon, as Whoosh
# reads it), and a reader after an edit shares all its segments but the new one: each is read
# once per process. Segment ids are random (from the global `random`, so the key holds the
# segment's size too, in case something seeded it and two indexes drew the same id).
SEGMENTS_KEPT = 64
_segments: OrderedDict[tuple, dict[str, dict[int, list[str]]]] = OrderedDict()
_segments_lock = threading.Lock()


def _segment_words(leaf, field_name: str) -> dict[str, dict[int, list[str]]]:
    segment = leaf.segment() if leaf.is_atomic() else None
    key = None
    if segment is not None:
        key = (segment.segment_id(), leaf.doc_count_all(), leaf.field_length(field_name), field_name)
    with _segments_lock:
        found = _segments.get(key) if key else None
        if found is not None:
            _segments.move_to_end(key)
            return found
    grouped: dict[str, dict[int, list[str]]] = {}
    for raw in leaf.lexicon(field_name):
        known = raw.decode("utf-8")
        grouped.setdefault(known[:1], {}).setdefault(len(known), []).append(known)
    if key:
        with _segments_lock:
            _segments[key] = grouped
            while len(_segments) > SEGMENTS_KEPT:
                _segments.popitem(last=False)
    return grouped
