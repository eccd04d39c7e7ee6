"""Agents never see drafts (issue 10, point 5): not in pages, search, /go/, the API or step counts."""

from __future__ import annotations

import pytest

from guidance.extensions import db
from guidance.services.search_log import flush
from tests.authoring.conftest import WIRE, WIRE_SOURCE, open_editor, save
from tests.feedback.conftest import login

DRAFTED = (
    WIRE_SOURCE.replace("title: Send an international wire transfer", "title: Zanzibar payout procedure")
    .replace("tags: [payments, wires]", "tags: [payments, wires, zanzibar]")
    .replace(
        "contact_reasons: [transfer_abroad, wire_transfer]",
        "contact_reasons: [transfer_abroad, wire_transfer, zanzibar_payout]",
    )
    + "\n## Quokka confirmation {#quokka}\n\nConfirm the quokka code.\n"
)


@pytest.fixture
def drafted(app):
    """An open draft of the wire process, and a new document never published."""
    author = login(app, "author")
    form = open_editor(author, WIRE)
    assert "contact_reasons: [transfer_abroad, wire_transfer]" in form["source"]
    assert save(author, WIRE, form, source=DRAFTED).status_code == 303
    created = author.post("/authoring/new", {"kind": "process", "title": "Wombat refunds", "folder": "processes"})
    new = open_editor(author, "processes/wombat-refunds")
    source = new["source"].replace("synonyms: []", "synonyms: []\ncontact_reasons: [wombat_refund]")
    assert (
        created.status_code == 303 and save(author, "processes/wombat-refunds", new, source=source).status_code == 303
    )
    return app


@pytest.mark.parametrize("who", ["agent", "author", "admin"])
def test_pages_show_the_published_revision_only(drafted, who):
    reader = login(drafted, who)
    page = reader.get(f"/d/{WIRE}").get_data(as_text=True)
    assert "Send an international wire transfer" in page and "Zanzibar" not in page
    assert "Step 1 of 4" in page and "Quokka" not in page  # the longest way through the published steps
    assert reader.get(f"/d/{WIRE}/steps/quokka").status_code == 404
    assert reader.get("/d/processes/wombat-refunds").status_code == 404
    assert reader.get("/d/processes/wombat-refunds/steps/verify").status_code == 404
    assert reader.get("/tags/zanzibar").status_code == 404
    home = reader.get("/").get_data(as_text=True)
    assert "Zanzibar" not in home and "Wombat" not in home
    source = reader.get(f"/d/{WIRE}/source")
    assert source.status_code == 403 if who == "agent" else "Zanzibar" not in source.get_data(as_text=True)


@pytest.mark.parametrize("who", ["agent", "admin"])
def test_go_links_search_and_the_api_never_find_a_draft(drafted, who):
    reader = login(drafted, who)
    assert reader.get("/go/zanzibar_payout").status_code == 404
    assert reader.get("/go/wombat_refund").status_code == 404
    assert reader.get("/go/transfer_abroad").headers["Location"] == f"/d/{WIRE}"
    for query in ("zanzibar payout", "quokka confirmation", "wombat refunds"):
        page = reader.get("/search", query_string={"q": query}).get_data(as_text=True)
        assert "Zanzibar" not in page and "Quokka" not in page and "Wombat" not in page, query
        api = reader.get("/api/v1/search", query_string={"q": query}).get_json()
        assert all(
            r["slug"] not in ("processes/wombat-refunds",) and "Zanzibar" not in r["title"] for r in api["results"]
        )
        assert all(r.get("step") != "quokka" for r in api["results"])
    suggest = reader.get("/search/suggest", query_string={"q": "zanz"}).get_data(as_text=True)
    assert "Zanzibar" not in suggest and "Wombat" not in reader.get("/search/suggest?q=wom").get_data(as_text=True)
    with drafted.app_context():
        flush()
        db.session.remove()


def test_a_run_follows_the_published_steps(drafted):
    agent = login(drafted, "agent")
    started = agent.post(f"/d/{WIRE}/runs", {"step": "verify", "nav": "save"})
    run = started.headers["Location"].rsplit("/steps/", 1)[0]
    assert "Step 1 of 4" in agent.get(started.headers["Location"]).get_data(as_text=True)
    assert agent.get(f"{run}/steps/quokka").status_code == 404
