"""Re-ranking by meaning: it helps where words differ, and search works the same without it."""

from __future__ import annotations

import pytest

from guidance import search
from guidance.search import semantic
from guidance.search.minilm import MiniLM
from guidance.services.library import import_tree
from tests.search.conftest import slugs, write


def test_the_model_gives_the_reference_similarities():
    # Values from sentence-transformers' own all-MiniLM-L6-v2 on the same sentences.
    vectors = MiniLM().encode(["I lost my card", "my card is gone", "how do I top up by bank transfer?"])
    assert float(vectors[0] @ vectors[1]) == pytest.approx(0.8351, abs=1e-3)
    assert float(vectors[0] @ vectors[2]) == pytest.approx(0.0901, abs=1e-3)


def test_a_text_has_the_same_vector_alone_and_beside_longer_texts():
    # In a batch, shorter texts are padded: the padding must change nothing of theirs.
    model = MiniLM()
    texts = ["card", "my card was charged twice at the same shop yesterday afternoon", "how do I top up?"]
    together = model.encode(texts)
    for text, vector in zip(texts, together, strict=True):
        assert model.encode([text])[0] == pytest.approx(vector, abs=1e-5)
    assert float(together[0] @ together[1]) < 0.9  # and they are not one vector


def test_on_two_cores_the_model_gives_the_vectors_it_gives_on_one():
    texts = ["card", "my card was charged twice at the same shop yesterday afternoon", "how do I top up?"]
    one, two = MiniLM(), MiniLM(threads=2)
    assert two.session.get_session_options().intra_op_num_threads == 2
    assert two.encode(texts) == pytest.approx(one.encode(texts), abs=1e-5)


def test_the_cores_asked_for_apply_to_the_model_loaded_next_not_the_loaded_one(unloaded_model):
    assert semantic.use_threads(2) is True
    assert semantic.model().session.get_session_options().intra_op_num_threads == 2
    assert semantic.use_threads(1) is False
    assert semantic.model().session.get_session_options().intra_op_num_threads == 2


@pytest.fixture
def paraphrase_library(app, library):
    # Both mention the machine and the card; only one is about a machine keeping the card.
    write(
        library,
        "swallowed.md",
        """
        ---
        title: Card kept by a cash machine
        summary: The ATM retained the customer's card.
        phrasings: ["The ATM ate my card", "cash machine did not give my card back"]
        ---
        Ask where and when the machine kept the card.
        """,
    )
    write(
        library,
        "fees.md",
        """
        ---
        title: Cash machine fees
        summary: Charges for using a card at a cash machine.
        phrasings: ["why was I charged for taking out money", "fee for using the machine with my card"]
        ---
        Cash machine withdrawals with your card cost 1% above the free allowance; machine card card.
        """,
    )
    import_tree(library)
    search.engine().wait_until_current()


def test_re_ranking_puts_the_document_that_means_the_same_first(app, engine, paraphrase_library):
    query = "I used the cash machine and now my card is gone"
    assert slugs(engine.search(query, role="agent"))[0] == "swallowed"
    engine.semantic = False
    assert slugs(engine.search(query, role="agent"))[0] == "fees"  # words alone mislead


def test_search_works_without_the_model(app, engine, paraphrase_library, monkeypatch):
    monkeypatch.setattr(semantic, "_load", lambda: None)
    results = engine.search("machine card fee", role="agent")
    assert slugs(results)[:2] == ["fees", "swallowed"]
    assert engine.status()["semantic"]["state"] == "off"


def test_pages_without_curated_texts_keep_their_lexical_rank():
    assert semantic.texts_for("Title only", "", [], []) == []
    assert semantic.texts_for("T", "A summary", ["a synonym"], []) == ["T", "A summary", "a synonym"]
