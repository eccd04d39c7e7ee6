"""What the index's words are: Whoosh's stemming analyser, with a faster cache."""

from __future__ import annotations

import pickle

from whoosh.analysis import StemmingAnalyzer

from guidance.content.tree import load_tree
from guidance.search.schema import ANALYZER, STOP_WORDS, WORDS, make_schema
from tests.conftest import CONTENT


def words(analyzer, text: str) -> list[str]:
    return [token.text for token in analyzer(text)]


def test_the_words_are_those_of_whooshs_stemming_analyzer():
    whooshs = StemmingAnalyzer(expression=WORDS, stoplist=STOP_WORDS, minsize=1)
    texts = [file.source for file in load_tree(CONTENT) if file.source]
    texts.append("Customers' cards were charged twice; REFUNDS refunded, refunding: 3.5% fee_code")

    assert [words(ANALYZER, text) for text in texts] == [words(whooshs, text) for text in texts]
    assert words(ANALYZER, "charged twice refunds")[::2] == ["charg", "refund"]


def test_a_schema_read_back_from_an_index_stems_the_same_way():
    # Whoosh pickles the schema into the index; its writing processes read it back from there.
    read_back = pickle.loads(pickle.dumps(make_schema()))

    assert words(read_back["text"].analyzer, "refunding charged cards") == ["refund", "charg", "card"]
    assert words(read_back["text"].analyzer, "refunding") == words(ANALYZER, "refunding")
