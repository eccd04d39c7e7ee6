"""The numpy scoring (search/scoring.py) ranks exactly as Whoosh's own search does: same entries,
same order, same scores, with filters, role masks, and entries deleted by edits."""

from __future__ import annotations

import itertools
import random

import pytest
from rapidfuzz.distance import OSA
from sqlalchemy import select
from whoosh import query as q
from whoosh.collectors import FilterCollector, TopCollector

from guidance.extensions import db
from guidance.models import Document
from guidance.search import query as queries
from guidance.search import scoring
from guidance.search.judging import mask_for
from guidance.services.library import import_tree
from tests.conftest import publish_text
from tests.search.conftest import write

WORDS = [
    "refund",
    "card",
    "wire",
    "transfer",
    "fraud",
    "limit",
    "fee",
    "account",
    "close",
    "travel",
    "notice",
    "branch",
    "cash",
]


@pytest.fixture
def edited(app, engine, library):
    """The fixture library, plus pages sharing words in varying measure, two of them edited
    since (their old entries deleted in an older segment), one for seniors only."""
    rng = random.Random(3)
    for number in range(40):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 40)))
        title = " ".join(rng.sample(WORDS, 2)).capitalize()
        audience = "audience: [senior]\n" if number == 7 else ""
        write(library, f"pages/p{number}.md", f"---\ntitle: {title} {number}\n{audience}---\n{body}\n")
    import_tree(library)
    for slug in ("pages/p3", "pages/p11"):
        document = db.session.scalar(select(Document).where(Document.slug == slug))
        publish_text(document, document.published_revision.source + "\nrefund refund fee\n")
    engine.search("refund", role="agent", wait=True)  # the index has caught up with the edits
    return engine


def whoosh(searcher, built, limit, filter=None, mask=None):
    """Whoosh's own scoring of every match, without its shortcuts: skipping blocks and pruning
    the matcher tree as the top scores rise can drop the best match of a union (seen here: an
    as-you-type query's top entry found at limit 4 and lost at limit 10)."""
    collector = TopCollector(limit=limit, usequality=False, replace=0)
    if filter is not None or mask is not None:
        collector = FilterCollector(collector, allow=filter, restrict=mask)
    searcher.search_with_collector(built, collector)
    return collector.results()


def ranked(results) -> list[tuple[int, float]]:
    return [(hit.docnum, hit.score) for hit in results]


def same(whoosh_results, numpy_results) -> None:
    """The same entries with the same scores, in the same order. Scores equal to 9 decimals are
    ties, listed by entry: the two add a document's word scores in different orders, which can
    make equal scores differ in the last bit."""

    def canonical(results) -> list[tuple[float, int]]:
        return sorted(((round(score, 9), docnum) for docnum, score in ranked(results)), key=lambda s: (-s[0], s[1]))

    assert canonical(numpy_results) == canonical(whoosh_results)
    assert [s for _, s in ranked(numpy_results)] == pytest.approx([s for _, s in ranked(whoosh_results)], rel=1e-12)
    assert bool(numpy_results) == bool(whoosh_results)
    scores = [s for _, s in ranked(numpy_results)]
    assert scores == sorted(scores, reverse=True)  # best first


def test_every_query_of_one_and_several_words_ranks_as_whoosh_does(edited):
    with edited.index.searcher() as searcher:
        assert searcher.reader().has_deletions()
        mask = mask_for("agent", searcher)
        assert mask is not None
        compared = 0
        for size in (1, 2, 3):
            for words in itertools.combinations(WORDS, size):
                built = queries.build(queries.analyse(" ".join(words)))
                for limit, kind_filter, role_mask in itertools.product(
                    (3, 30), (None, q.Term("kind", "page")), (None, mask)
                ):
                    same(
                        whoosh(searcher, built, limit=limit, filter=kind_filter, mask=role_mask),
                        scoring.search(searcher, built, limit=limit, filter=kind_filter, mask=role_mask),
                    )
                    compared += 1
        assert compared > 2000


def test_ties_at_the_limit_keep_the_earlier_entry_as_whoosh_does(edited):
    with edited.index.searcher() as searcher:
        built = q.Term("type", "doc")  # every document scores the same
        for limit in (1, 5, 17):
            same(whoosh(searcher, built, limit=limit), scoring.search(searcher, built, limit=limit))


def test_a_senior_only_page_is_masked_for_agents_and_found_for_seniors(edited):
    with edited.index.searcher() as searcher:
        built = q.Term("key", "pages/p7")
        assert not scoring.search(searcher, built, limit=5, mask=mask_for("agent", searcher))
        assert len(scoring.search(searcher, built, limit=5, mask=mask_for("senior", searcher))) == 1


def test_admin_synonym_phrases_rank_as_whoosh_ranks_them(edited):
    with edited.index.searcher() as searcher:
        for words in itertools.combinations(WORDS, 2):
            typed = queries.analyse(" ".join(words))
            for phrases in ([["card", "fee"]], [["refund"], ["wire", "transfer"]], [["nosuchword", "card"]]):
                built = queries.build(queries.Analysed(typed.terms, typed.words, expansions=phrases))
                assert "AND" in str(built).upper()
                same(whoosh(searcher, built, limit=10), scoring.search(searcher, built, limit=10))


def test_as_you_type_ranks_as_whoosh_ranks_a_large_index(edited, monkeypatch):
    """Whoosh only counts a prefix's completions under 5,000 entries and scores them above; the
    app scores them at every size: compared with Whoosh made to choose as in a large index."""
    monkeypatch.setattr(q.Or, "matcher_type", q.Or.DEFAULT_MATCHER)
    with edited.index.searcher() as searcher:
        compared = 0
        for first, last in itertools.product(WORDS, WORDS):
            for typed in range(1, len(last) + 1):
                built = queries.build(queries.analyse(f"{first} {last[:typed]}", as_you_type=True))
                same(whoosh(searcher, built, limit=10), scoring.search(searcher, built, limit=10))
                compared += "Prefix" in repr(built)
        assert compared > 100


def test_other_query_shapes_are_left_to_whoosh(edited):
    with edited.index.searcher() as searcher:
        for built in (
            q.And([q.Term("text", "refund"), q.Term("text", "fee")]),
            q.Or([q.Term("text", "refund"), q.Term("text", "fee")], minmatch=2),
            q.FuzzyTerm("text", "refnd"),
        ):
            same(whoosh(searcher, built, limit=10), scoring.search(searcher, built, limit=10))


def test_spelling_suggestions_are_whoosh_s_words_the_closest_first_then_the_most_frequent(edited):
    with edited.index.searcher() as searcher:
        reader = searcher.reader()
        known = [word.decode() for word in reader.lexicon("spelling")]
        typed = [w[:i] + c + w[i + 1 :] for w in known if len(w) > 3 for i in (1, len(w) - 1) for c in "ae"]
        typed += ["refnd", "tranfser", "acount", "xyzzy", "cardd"]
        differs = 0
        for word in typed:
            for limit, maxdist in ((1, 1), (3, 1), (3, 2)):
                words = [*reader.terms_within("spelling", word, maxdist, prefix=1)]
                closest = sorted(words, key=lambda w: (OSA.distance(w, word), -reader.frequency("spelling", w), w))
                assert queries.suggest(reader, word, limit, maxdist) == closest[:limit], word
                whoosh_s = searcher.corrector("spelling").suggest(word, limit=limit, maxdist=maxdist, prefix=1)
                differs += whoosh_s != closest[:limit]
        assert differs > 10  # Whoosh ranks by frequency alone: a frequent word two edits away came first
        assert queries.suggest(reader, "tranfser", 1, 2) == ["transfer"]
        for word in typed[:200]:
            for maxdist in (1, 2):
                assert queries.within(reader, "title", word, maxdist) == [
                    *reader.terms_within("title", word, maxdist, prefix=1)
                ]


def test_each_segment_s_words_are_read_once_and_a_new_reader_reads_only_its_new_segments(tmp_path, monkeypatch):
    from whoosh import fields, index
    from whoosh.reading import SegmentReader

    read = []
    lexicon = SegmentReader.lexicon
    monkeypatch.setattr(
        SegmentReader, "lexicon", lambda self, name: read.append(self.segment().segment_id()) or lexicon(self, name)
    )
    ix = index.create_in(str(tmp_path), fields.Schema(spelling=fields.TEXT))
    for words in ("ledge lodge window", "parapetto visitors"):
        writer = ix.writer()
        writer.add_document(spelling=words)
        writer.commit(merge=False)  # (segments kept apart, as a big index's are)
    with ix.reader() as reader:
        assert len(reader.leaf_readers()) == 2
        assert queries.within(reader, "spelling", "parapeto", 1) == ["parapetto"]
        assert queries.within(reader, "spelling", "ldge", 1) == ["ledge", "lodge"]
        first = list(read)
    assert len(first) == 2
    writer = ix.writer()
    writer.add_document(spelling="ledger")
    writer.commit(merge=False)
    with ix.reader() as reader:
        assert queries.within(reader, "spelling", "ledgr", 1) == ["ledge", "ledger"]
        assert queries.within(reader, "spelling", "parapeto", 1) == ["parapetto"]
    assert len(read) == 3 and read[2] not in first  # only the new segment was read


def test_two_indexes_whose_segments_drew_the_same_id_keep_their_own_words(tmp_path):
    from whoosh import fields, index

    readers = []
    for name, words in (("one", "ledge window"), ("two", "lodge visitors bench")):
        random.seed(11)  # Whoosh names segments from the global random: the same id twice
        (tmp_path / name).mkdir()
        ix = index.create_in(str(tmp_path / name), fields.Schema(spelling=fields.TEXT))
        with ix.writer() as writer:
            writer.add_document(spelling=words)
        readers.append(ix.reader())
    random.seed()
    ids = [reader.segment().segment_id() for reader in readers]
    assert ids[0] == ids[1]
    assert [queries.within(reader, "spelling", "ldge", 1) for reader in readers] == [["ledge"], ["lodge"]]
    for reader in readers:
        reader.close()
