"""Search as agents, scripts and CRMs use it: the page, the CLI, the JSON API, the log, synonyms."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from guidance.extensions import db
from guidance.models import SearchLog
from guidance.services.search_log import flush


def test_results_page_highlights_words_and_links_the_best_step(agent):
    page = agent.get("/search?q=sanctions+escalate").get_data(as_text=True)
    assert '<a class="result-link" href="/d/processes/send-wire" data-log=' in page
    assert re.search(r"<mark[^>]*>sanctions</mark>", page)
    assert 'Best step: <a href="/d/processes/send-wire/steps/escalate" data-log=' in page


def test_highlights_never_let_document_html_through(app, agent, tmp_path):
    (tmp_path / "limits.md").write_text(
        "# Limits\n\nA payment <script>alert(1)</script> of amount <500 & fee>3 <b onclick=x>is</b> fine.\n"
    )
    app.test_cli_runner().invoke(args=["guidance", "import", str(tmp_path)])
    results = agent.get("/search?q=payment+amount+fee").get_data(as_text=True).split('id="results"')[1]
    assert "Limits" in results
    assert "&lt;500 &amp; <mark" in results  # text that looks like markup comes back escaped
    assert "<script" not in results and "alert(1)" not in results and "onclick" not in results


@pytest.mark.parametrize(
    "query", ["", "   ", "*", "?", "AND OR NOT (", "the of and", "\\", "x" * 4000, "'; DROP TABLE"]
)
def test_empty_and_odd_queries_give_a_message_not_an_error(agent, query):
    response = agent.get("/search", query_string={"q": query})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    if query.strip() in ("",):
        assert "Results appear as you type" in body


def test_common_words_only_explain_themselves(agent):
    body = agent.get("/search?q=the+of+and").get_data(as_text=True)
    assert "Those words are too common to search for" in body


def test_no_good_match_offers_the_closest_titles(agent):
    body = agent.get("/search?q=quantum+welcome+lecture").get_data(as_text=True)
    assert "No good match for “quantum welcome lecture”" in body
    assert "Welcome to the contact centre" in body


def test_live_search_returns_the_fragment(agent):
    response = agent.get("/search?q=wire&live=1", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "<html" not in body and "Send an international wire transfer" in body


def test_suggestions_list_titles_completing_the_words(agent):
    body = agent.get("/search/suggest?q=card+arr").get_data(as_text=True)
    assert re.findall(r'href="([^"]+)">([^<]+)</a>', body) == [("/d/processes/card-arrival", "Card has not arrived")]


def test_searches_are_logged_and_opening_a_result_is_recorded(app, agent):
    body = agent.get("/search?q=wire+transfer").get_data(as_text=True)
    link = re.search(r'class="result-link" href="[^"]+" data-log="([0-9a-f]+)" data-slug="([^"]+)" data-rank="1"', body)
    # what static/app.js sends when the link is clicked
    agent.post("/search/opened", {"log": link.group(1), "slug": link.group(2), "rank": "1"})
    with app.app_context():
        flush()
        entry = db.session.scalars(select(SearchLog)).one()
        assert entry.query == "wire transfer"
        assert entry.results[0] == "processes/send-wire"
        assert (entry.opened_slug, entry.opened_rank) == ("processes/send-wire", 1)


def test_typing_grows_one_log_row_instead_of_one_per_keystroke(app, agent):
    for typed in ("wir", "wire", "wire tra", "wire transfer"):
        agent.get("/search", query_string={"q": typed, "live": "1"}, headers={"HX-Request": "true"})
    with app.app_context():
        flush()
        assert [e.query for e in db.session.scalars(select(SearchLog))] == ["wire transfer"]


def test_admin_synonyms_take_effect_without_a_restart(client, session, admin):
    assert "processes/send-wire" not in admin.get("/api/v1/search?q=remittance").get_json()["results"]
    response = admin.post("/admin/synonyms", {"groups": "remittance, wire transfer\n"})
    assert response.status_code == 302
    results = admin.get("/api/v1/search?q=remittance").get_json()["results"]
    assert results[0]["slug"] == "processes/send-wire"
    assert "remittance, wire transfer" in admin.get("/admin/synonyms").get_data(as_text=True)
    page = admin.get("/search?q=remittance").get_data(as_text=True)
    assert "No good match" not in page and "Send an international wire transfer" in page


def test_a_synonym_line_with_one_term_is_refused_and_kept_in_the_form(admin):
    response = admin.post("/admin/synonyms", {"groups": "ok, fine\nlonely\n"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Line 2 has one term" in body and "ok, fine\nlonely" in body


def test_cli_search_prints_json(runner):
    result = runner.invoke(args=["guidance", "search", "wire transfer", "--json", "--limit", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["query"] == "wire transfer"
    first = data["results"][0]
    assert len(data["results"]) <= 2
    assert first["slug"] == "processes/send-wire"
    assert first["source_path"] == "processes/send-wire.md"
    assert first["contact_reasons"] == ["transfer_abroad", "wire_transfer"]
    assert set(first) == {"slug", "title", "kind", "step", "section", "score", "source_path", "contact_reasons"}
    assert data["no_good_match"] is False and data["corrected"] is None


def test_cli_search_reads_queries_from_stdin_one_json_line_each(runner):
    result = runner.invoke(args=["guidance", "search", "-", "--json"], input="wire transfer\n\ncard arrived\n")
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["query"] for line in lines] == ["wire transfer", "", "card arrived"]
    assert lines[1]["results"] == []
    assert lines[2]["results"][0]["slug"] == "processes/card-arrival"


def test_api_takes_a_token_or_a_session(app, client, runner, agent):
    token = runner.invoke(args=["guidance", "create-token", "agent"]).output.strip()
    other = app.test_client()
    assert other.get("/api/v1/search?q=wire").status_code == 401
    assert other.get("/api/v1/search?q=wire", headers={"Authorization": "Bearer nope"}).status_code == 401
    response = other.get("/api/v1/search?q=wire&limit=1", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert [r["slug"] for r in response.get_json()["results"]] == ["processes/send-wire"]
    assert agent.get("/api/v1/search?q=wire").get_json()["results"][0]["slug"] == "processes/send-wire"
    with app.app_context():
        from guidance.models import ApiToken

        assert db.session.scalars(select(ApiToken)).one().last_used_at is not None


def test_api_respects_the_audience_of_the_token_owner(runner, app):
    token = runner.invoke(args=["guidance", "create-token", "agent"]).output.strip()
    found = app.test_client().get("/api/v1/search?q=override+fraud+block", headers={"Authorization": f"Bearer {token}"})
    assert "processes/senior-override" not in [r["slug"] for r in found.get_json()["results"]]


def test_reindex_command_rebuilds(runner):
    result = runner.invoke(args=["guidance", "reindex"])
    assert result.exit_code == 0 and "indexed 16 entries" in result.output


def test_the_page_shows_the_few_that_fit_and_more_on_request(app, agent, library):
    from guidance.services.library import import_tree
    from tests.search.conftest import write

    for number in range(8):
        write(library, f"pot-{number}.md", f"# Savings pot {number}\n\nA pot for savings.\n")
    with app.app_context():
        import_tree(library)
    first = agent.get("/search?q=savings+pot").get_data(as_text=True)
    assert first.count('class="result-link"') == 5
    assert "More results for “savings pot”" in first
    more = agent.get("/search?q=savings+pot&more=1").get_data(as_text=True)
    assert more.count('class="result-link"') == 8 and "More results" not in more
