"""Meaning over every page: passages beside the index, embedded in the background and cached."""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict

import pytest
import wordfreq

from guidance import cli, search
from guidance.search import query as queries
from guidance.search import semantic, vectors
from guidance.services.library import import_tree
from tests.conftest import close, make_app
from tests.search.conftest import slugs, write


@pytest.fixture
def handbook(app, library):
    """Pages with no curated texts, whose words differ from how people ask."""
    write(
        library,
        "security/phishing.md",
        """
        # Reporting suspicious messages

        ## Spotting a fake {#spotting}
        Messages that imitate our sign-in page try to steal credentials. Look at the sender domain
        and never enter a password after following a link in an unexpected message.

        ## Where to forward it {#forward}
        Forward the suspicious message as an attachment to the security team mailbox.
        """,
    )
    write(
        library,
        "legal/erasure.md",
        """
        # Data subject requests

        ## Access requests {#access}
        A person may ask for a copy of the personal information we process about them.

        ## Deletion requests {#deletion}
        A person may ask that we delete all personal information about them. Confirm identity,
        then open a ticket with the privacy team, who remove the records within thirty days.
        """,
    )
    with app.app_context():
        import_tree(library)
        search.engine().wait_until_current()


def passage_files(app) -> tuple:
    directory = search.engine(app).index.directory()
    return directory, vectors.pointer(directory)


def test_a_page_sharing_no_word_with_the_query_is_found_by_meaning(app, engine, handbook):
    query = "weird email asking me to log in, think it's a scam"
    found = engine.search(query, role="agent")
    assert slugs(found)[0] == "security/phishing"
    engine.semantic = False
    assert "security/phishing" not in slugs(engine.search(query, role="agent"))  # no shared word


def test_the_result_links_to_the_best_section_of_a_page(app, agent, engine, handbook):
    hit = engine.search("user wants us to erase everything we hold on them", role="agent").hits[0]
    assert (hit.slug, hit.section) == ("legal/erasure", "deletion")
    page = agent.get("/search?q=weird+email+asking+me+to+log+in,+think+it's+a+scam").get_data(as_text=True)
    assert 'href="/d/security/phishing#spotting"' in page
    assert "Best section: <a" in page and "No good match" not in page


def test_the_result_links_to_the_best_step_of_a_process(engine):
    hit = engine.search("where do I enter the IBAN of the recipient", role="agent").hits[0]
    assert hit.slug == "processes/send-wire" and hit.step == "beneficiary"


def test_passages_and_matrix_are_rebuilt_and_swapped_with_the_index(app, engine, handbook):
    before, pointer = passage_files(app)
    assert pointer["rows"] == pointer["total"] > 0
    engine.rebuild()
    after, rebuilt = passage_files(app)
    assert after != before and (after / vectors.PASSAGES).is_file()
    assert rebuilt["rows"] == pointer["rows"]  # all there at once: every text was embedded before
    assert slugs(engine.search("weird email asking me to log in, think it's a scam", role="agent"))[0] == (
        "security/phishing"
    )


def test_a_restart_and_a_rebuild_reuse_every_cached_embedding(app, data_dir, handbook):
    close(app)
    again = make_app(data_dir)
    try:
        with again.app_context():
            engine = search.engine()
            engine.rebuild()
            engine.wait_until_current()
            assert engine.embedder.calls == 0
            assert engine.status()["semantic"]["state"] == "current"
    finally:
        close(again)


def test_a_moved_embedding_cache_is_filled_from_the_matrix_not_by_the_model(app, data_dir, handbook, tmp_path):
    close(app)
    moved = make_app(data_dir, EMBEDDING_CACHE=str(tmp_path / "elsewhere.sqlite"))
    try:
        with moved.app_context():
            engine = search.engine()
            assert engine.status()["semantic"]["state"] == "current"  # the matrix holds every passage
            engine.wait_until_current()
            assert engine.embedder.calls == 0
            matrix = engine.matrices.get(engine.index.directory())
            assert engine.index.cache.known(matrix.hashes) == set(matrix.hashes)
            assert engine.status()["semantic"]["state"] == "current"
    finally:
        close(moved)


def test_a_starting_worker_opens_the_passage_matrix_before_any_search(app, data_dir, handbook):
    close(app)
    started = make_app(data_dir)  # as gunicorn's post_worker_init hook (guidance/serving.py) sees it
    try:
        engine = search.engine(started)
        assert engine.matrices._matrix is None
        search.warm_up(started)
        _, live = passage_files(started)
        assert engine.matrices._matrix is not None and engine.matrices._matrix.name == live["name"]
    finally:
        close(started)


def test_a_starting_worker_loads_what_the_first_typo_needs_before_any_search(app, data_dir, monkeypatch):
    close(app)
    started = make_app(data_dir)
    monkeypatch.setattr(queries, "_segments", OrderedDict())  # (process-wide: earlier tests filled them)
    monkeypatch.setattr(wordfreq, "_wf_cache", {})
    wordfreq.get_frequency_dict.cache_clear()
    try:
        search.warm_up(started)
        assert wordfreq.get_frequency_dict.cache_info().currsize == 1  # the common words, loaded
        assert [key for key in queries._segments if key[-1] == "spelling"]  # the index's spellings, read
        read = len(queries._segments)
        with started.app_context():
            assert search.engine(started).search("benificiary detials", role="agent").corrected == "beneficiary details"
        assert len(queries._segments) == read  # the typo found them ready
    finally:
        close(started)


def test_an_edited_document_embeds_only_its_changed_passage(app, engine, handbook, library):
    engine.embedder.join()
    calls = engine.embedder.calls
    text = (library / "legal" / "erasure.md").read_text().replace("thirty days", "one month")
    (library / "legal" / "erasure.md").write_text(text)
    import_tree(library)
    engine.wait_until_current()
    assert engine.embedder.calls == calls + 1  # one batch: the one passage that changed


def test_lexical_search_works_while_passages_are_still_being_embedded(app, engine, library, monkeypatch):
    release = threading.Event()

    def slow(texts):
        release.wait(10)
        return semantic.model().encode(texts)

    monkeypatch.setattr(engine.embedder, "_encode", slow)
    write(library, "pots.md", "# Savings pots\n\nA pot keeps money aside for a goal.\n")
    import_tree(library)
    try:
        assert engine.status()["semantic"]["state"] == "embedding"
        assert slugs(engine.search("savings pot", role="agent"))[0] == "pots"
    finally:
        release.set()
    engine.wait_until_current()
    assert engine.status() == {
        "lexical": {"state": "current", "behind": 0},
        "semantic": {**engine.status()["semantic"], "state": "current", "current": True},
    }


def test_index_status_wait_finishes_the_work_itself(app, library):
    write(library, "pots.md", "# Savings pots\n\nA pot keeps money aside for a goal.\n")
    with app.app_context():
        engine = search.engine()
        engine.semantic = False  # the import leaves the passages to embed
        import_tree(library)
        assert engine.status()["semantic"]["current"] is False
        engine.semantic = True
    result = app.test_cli_runner().invoke(args=["guidance", "index-status", "--wait"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("semantic: current (" + result.output.split("(")[-1].strip())
    assert "lexical: current; semantic: current" in result.output


def test_index_status_wait_embeds_on_every_core_when_it_loads_the_model(app, library, unloaded_model, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    write(library, "pots.md", "# Savings pots\n\nA pot keeps money aside for a goal.\n")
    with app.app_context():
        engine = search.engine()
        engine.semantic = False  # the import leaves the passages to embed
        import_tree(library)
        engine.semantic = True
    result = app.test_cli_runner().invoke(args=["guidance", "index-status", "--wait"])
    assert "lexical: current; semantic: current" in result.output
    assert semantic.model().session.get_session_options().intra_op_num_threads == 2
    with app.app_context():
        assert slugs(search.engine().search("put money aside for a holiday", role="agent"))[0] == "pots"


def test_embedding_takes_the_cores_this_process_may_use_and_no_more_than_eight(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    assert cli.usable_cores() == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))
    assert cli.usable_cores() == 8


def test_without_the_model_search_is_lexical_and_says_so(app, engine, handbook, monkeypatch):
    monkeypatch.setattr(semantic, "_load", lambda: None)
    assert slugs(engine.search("deletion requests", role="agent"))[0] == "legal/erasure"
    assert engine.status()["semantic"]["state"] == "off"
    assert engine.search("weird email asking me to log in, think it's a scam", role="agent").no_good_match


def test_a_restricted_document_never_comes_back_by_meaning(app, engine, library):
    write(
        library,
        "internal.md",
        """
        ---
        title: Staff bonus schedule
        audience: [admin]
        ---
        When yearly bonuses are paid to employees.
        """,
    )
    import_tree(library)
    engine.wait_until_current()
    assert "internal" in slugs(engine.search("when do staff get their annual extra pay", role=None))
    assert "internal" not in slugs(engine.search("when do staff get their annual extra pay", role="agent"))


def test_cli_json_says_whether_anything_fits(runner):
    result = runner.invoke(args=["guidance", "search", "-", "--json"], input="wire transfer\nxyzzy plover\n")
    good, nothing = (json.loads(line) for line in result.output.splitlines())
    assert (good["no_good_match"], good["corrected"]) == (False, None)
    assert (nothing["no_good_match"], nothing["corrected"]) == (True, None)


@pytest.fixture
def starter(tmp_path, starter_dir):
    """The starter library (the bank processes), passages embedded."""
    import shutil

    target = tmp_path / "starter"
    shutil.copytree(starter_dir, target, symlinks=True)
    app = make_app(target)
    with app.app_context():
        yield app, search.engine()
    close(app)


def test_a_typo_is_corrected_into_the_request_it_was_not_into_another(starter):
    _, engine = starter
    found = engine.search("chargd twise", role="agent")
    assert slugs(found)[0] == "processes/payments/charged-twice" and not found.no_good_match
    assert found.corrected and found.corrected.startswith("charge")
    nothing = engine.search("xyzzy plover", role="agent")
    assert nothing.corrected is None and nothing.no_good_match


def test_a_typo_whose_spelling_finds_a_far_better_answer_is_corrected_to_it(starter):
    """The other word alone finds some card process; the misspelt one is what the customer needs."""
    _, engine = starter
    for typed, meant, slug in (
        ("card declnied", "card declined", "processes/cards/card-declined-or-not-working"),
        ("card stolnen", "card stolen", "processes/cards/lost-or-stolen-card"),
    ):
        found = engine.search(typed, role="agent")
        assert (found.corrected, slugs(found)[0], found.no_good_match) == (meant, slug, False)


def test_a_spelling_one_letter_away_wins_over_one_two_letters_away(starter):
    """Each letter a correction changes asks for a clearer gain: "though" and "merchant" (two
    letters from what was typed) scored a little higher than "through" and "merchants" (one)."""
    _, engine = starter
    for typed, meant, slug in (
        ("Has my top-up gone thhrough", "top up gone through", "processes/top-ups/top-up-problem"),
        ("Which meerchants accept my card?", "merchants accept card", "processes/cards/where-to-use-your-card"),
        ("My payment was declind", "payment declined", "processes/cards/card-declined-or-not-working"),
    ):
        found = engine.search(typed, role="agent")
        assert (found.corrected, slugs(found)[0]) == (meant, slug), typed


def test_a_common_word_the_library_never_uses_is_no_typo(starter):
    _, engine = starter
    for text in ("what are black holes", "where was john denver born"):  # not "back holds", "join deliver"
        found = engine.search(text, role="agent")
        assert (found.corrected, found.no_good_match) == (None, True), text
    engine.semantic = False  # words alone: the same
    assert engine.search("what are black holes", role="agent").corrected is None
    assert engine.search("chargd twise", role="agent").corrected.startswith("charge")  # words no one writes


def test_out_of_scope_requests_are_told_no_good_match(starter):
    _, engine = starter
    assert engine.search("what size wipers does this car take", role="agent").no_good_match
    assert not engine.search("I was charged twice for one purchase", role="agent").no_good_match


def test_api_json_says_whether_anything_fits_and_what_was_corrected(starter):
    app, _ = starter
    token = app.test_cli_runner().invoke(args=["guidance", "create-token", "agent"]).output.strip()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    typo = client.get("/api/v1/search", query_string={"q": "chargd twise"}, headers=headers).get_json()
    assert typo["no_good_match"] is False and typo["corrected"].startswith("charge")
    nothing = client.get("/api/v1/search", query_string={"q": "xyzzy plover"}, headers=headers).get_json()
    assert (nothing["no_good_match"], nothing["corrected"]) == (True, None)


def test_the_page_says_no_good_match_and_offers_tags(starter):
    app, _ = starter
    from tests.conftest import Session

    session = Session(app.test_client())
    session.login("agent")
    page = session.get("/search?q=what+size+wipers+does+this+car+take").get_data(as_text=True)
    assert "No good match for" in page and "Or browse by tag:" in page


def test_a_documents_similarity_is_its_best_passage_and_its_best_three():
    import numpy as np

    from guidance.search import hybrid

    rng = np.random.default_rng(5)
    lengths = rng.integers(1, 9, 60)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    scores = np.round(rng.uniform(-1, 1, int(lengths.sum())), 1).astype(np.float32)  # rounded: ties
    spans = [(int(s), int(s + n)) for s, n in zip(starts, lengths, strict=True)][::-1]
    similarity, rows = hybrid._similarities(scores, spans)
    for (start, end), found, row in zip(spans, similarity, rows, strict=True):
        own = sorted(scores[start:end].tolist(), reverse=True)
        share = hybrid.BEST_SHARE
        assert found == pytest.approx(share * own[0] + (1 - share) * sum(own[:3]) / len(own[:3]), abs=1e-6)
        assert row == start + int(np.argmax(scores[start:end]))  # the first of equally good passages


def test_the_document_the_words_clearly_pick_moves_up_in_the_order_not_in_its_fit():
    from guidance.search import hybrid

    def candidates(*lexical):
        return [hybrid.Candidate(f"d{n}", None, value, 0.5, score=0.5) for n, value in enumerate(lexical)]

    picked, other, by_meaning = candidates(10.0, 4.0, 0.0)
    hybrid._give_lead([by_meaning, other, picked])
    assert picked.lead == pytest.approx(hybrid.LEXICAL_LEAD * 0.6) and other.lead == by_meaning.lead == 0
    assert picked.score == 0.5  # "no good match" and corrections judge the fit, not the order
    tied = candidates(10.0, 10.0)
    hybrid._give_lead(tied)
    assert [c.lead for c in tied] == [0, 0]  # no clear pick, no lead


def test_a_large_matrix_looked_at_in_int8_first_ranks_exactly_as_the_full_product():
    import numpy as np

    from guidance.search import coarse, hybrid

    rng = np.random.default_rng(7)
    documents, per_document = coarse.COARSE_FROM // 8, 8
    centres = rng.standard_normal((documents, 384)).astype(np.float32)
    rows = np.repeat(centres, per_document, axis=0) + rng.standard_normal((documents * per_document, 384))
    rows = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    slugs = [f"doc-{i // per_document}" for i in range(len(rows))]
    blank = [""] * len(rows)
    matrix = vectors.Matrix("m", rows, slugs, blank, blank, blank, blank, {})
    exact = vectors.Matrix("m", rows, slugs, blank, blank, blank, blank, {})
    matrix.coarse = coarse.CoarseRows(rows)
    for query_number in range(20):
        query = centres[query_number * 97] + 1.5 * rng.standard_normal(384).astype(np.float32)
        query /= np.linalg.norm(query)
        lexical = [f"doc-{rng.integers(documents)}" for _ in range(5)]  # anywhere, near or not
        scores, best = hybrid.nearest(matrix, query, exact_for=lexical)
        true_scores, true_best = hybrid.nearest(exact, query)
        top = np.argsort(-true_best, kind="stable")[: hybrid.SEMANTIC_DEPTH]
        assert np.argsort(-best, kind="stable")[: hybrid.SEMANTIC_DEPTH].tolist() == top.tolist()
        assert best[top] == pytest.approx(true_best[top], abs=1e-6)
        for slug in lexical:  # what fusing reads of the lexical candidates is exact too
            start, end = matrix.rows[slug]
            assert scores[start:end] == pytest.approx(true_scores[start:end], abs=1e-6)
