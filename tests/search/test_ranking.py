"""What comes first: stemming, field weights, audience, typos, natural language, filters."""

from __future__ import annotations

from guidance.services.library import import_tree
from tests.search.conftest import slugs, write


def test_stemming_matches_other_forms_of_a_word(engine):
    assert slugs(engine.search("arriving cards", role="agent"))[0] == "processes/card-arrival"
    assert slugs(engine.search("verifying", role="agent"))[0] in {
        "processes/send-wire",
        "policies/identity-verification",
    }


def test_a_title_match_outranks_the_same_word_in_a_body(app, engine, library):
    write(library, "a.md", "# Refund timing\n\nHow long things take.\n")
    write(library, "b.md", "# Other matters\n\nSometimes a refund is mentioned here in passing.\n")
    import_tree(library)
    assert slugs(engine.search("refund", role="agent"))[:2] == ["a", "b"]


def test_synonyms_in_front_matter_find_a_document_by_another_name(engine):
    assert slugs(engine.search("overseas payment", role="agent"))[0] == "processes/send-wire"


def test_audience_is_filtered_inside_the_query_not_after_the_limit(app, engine, library):
    # The senior-only document would score highest; with limit=1 an agent must still get a hit.
    write(library, "secret.md", "---\ntitle: Chargeback chargeback chargeback\naudience: [senior]\n---\nchargeback\n")
    write(library, "open.md", "# Disputes\n\nA chargeback is a card dispute.\n")
    import_tree(library)
    assert slugs(engine.search("chargeback", role="agent", limit=1)) == ["open"]
    assert slugs(engine.search("chargeback", role=None, limit=1)) == ["secret"]
    assert slugs(engine.search("chargeback", role="senior", limit=1)) == ["secret"]


def test_natural_language_and_pasted_messages_find_the_process(engine):
    assert slugs(engine.search("customer says card never arrived", role="agent"))[0] == "processes/card-arrival"
    pasted = "Hi, I ordered my new card over a week ago and it still has not arrived. Can you help?"
    assert slugs(engine.search(pasted, role="agent"))[0] == "processes/card-arrival"


def test_typos_are_corrected_from_the_library_vocabulary(engine):
    results = engine.search("benificiary detials", role="agent")
    assert results.corrected == "beneficiary details"
    assert slugs(results)[0] == "processes/send-wire"


def test_best_matching_step_is_offered_for_a_process(engine):
    hit = engine.search("sanctions desk escalate", role="agent").hits[0]
    assert (hit.slug, hit.step, hit.step_title) == ("processes/send-wire", "escalate", "Stop and escalate")


def test_a_query_with_no_good_match_says_so_and_offers_closest_titles(engine):
    results = engine.search("quantum welcome lecture", role="agent")
    assert results.weak
    assert [h.title for h in results.closest] == ["Welcome to the contact centre"]


def test_kind_and_tag_filters(engine):
    assert {h.kind for h in engine.search("verification", role="agent", kind="policy").hits} == {"policy"}
    assert {h.kind for h in engine.search("verification", role="agent", kind="process").hits} == {"process"}
    assert slugs(engine.search("passcode", role="agent", tag="payments")) == ["processes/send-wire"]
    assert slugs(engine.search("passcode", role="agent", tag="security")) == ["policies/identity-verification"]


def test_suggestions_complete_title_words(engine):
    assert [h.title for h in engine.suggest("card arr", role="agent")] == ["Card has not arrived"]
    assert [h.title for h in engine.suggest("Wel", role="agent")] == ["Welcome to the contact centre"]
    assert engine.suggest("overr", role="agent") == []  # a senior-only title
    assert [h.title for h in engine.suggest("overr", role=None)] == ["Override a fraud block"]


def test_a_retitled_document_is_suggested_by_its_new_title_not_a_remembered_one(app, engine, library):
    write(library, "lost.md", "# Lost parcel claim\n\nWhat to ask.\n")
    import_tree(library)
    assert [h.title for h in engine.suggest("lost parc", role="agent")] == ["Lost parcel claim"]
    write(library, "lost.md", "# Lost parcel or letter claim\n\nWhat to ask.\n")
    import_tree(library)
    assert [(h.slug, h.title) for h in engine.suggest("lost parc", role="agent")] == [
        ("lost", "Lost parcel or letter claim")
    ]


def test_a_rebuilt_index_corrects_into_the_word_more_pages_use_and_learns_words_of_an_edit(
    app, engine, library, monkeypatch
):
    # The words on offer, judged lexically: with the semantic stage, whether a one-word page
    # counts as a good match would depend on whether its passages were embedded yet.
    monkeypatch.setattr(engine, "semantic", False)
    for number in range(3):
        write(library, f"ledge-{number}.md", f"# Window {number}\n\nNothing may stand on the ledge.\n")
    write(library, "lodge.md", "# Visits\n\nThe branch keeps a lodge for visitors.\n")
    import_tree(library)
    engine.rebuild()
    # "lodge" is as close, on fewer pages (and, on a tie, Whoosh would offer it: it sorts last)
    assert engine.search("ldge", role="agent").corrected == "ledge"
    write(library, "lodge.md", "# Visits\n\nThe branch keeps a lodge and a parapetto for visitors.\n")
    import_tree(library)  # one page changed: applied to the index as an update, not a rebuild
    assert engine.search("parapeto", role="agent").corrected == "parapetto"
