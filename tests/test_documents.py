"""Reading policies and articles, links between documents, deep links, pins and sanitising."""

from __future__ import annotations

POLICY = "/d/policies/identity-verification"


def test_a_policy_renders_as_a_page_with_a_table_of_contents(agent):
    page = agent.get(POLICY).get_data(as_text=True)
    assert "<h1>Identity verification policy</h1>" in page
    toc = page.split('class="toc"')[1].split("</nav>")[0]
    assert '<a href="#questions-we-ask">Questions we ask</a>' in toc
    assert '<a href="#passcode">One-time passcode</a>' in toc
    assert '<a href="#if-the-passcode-fails">If the passcode fails</a>' in toc
    assert '<h2 id="passcode">One-time passcode</h2>' in page
    assert "Owner: Risk" in page


def test_links_between_documents_point_to_app_urls(agent):
    policy = agent.get(POLICY).get_data(as_text=True)
    assert 'href="/d/processes/send-wire/steps/verify"' in policy  # a link to a process step
    wire = agent.get("/d/processes/send-wire").get_data(as_text=True)
    assert 'href="/d/policies/identity-verification#passcode"' in wire
    assert agent.get("/d/processes/send-wire/steps/verify").status_code == 200


def test_script_in_a_document_never_reaches_the_page(agent):
    page = agent.get(POLICY).get_data(as_text=True)
    assert "<script>alert" not in page
    assert 'alert("stolen")' not in page
    assert "onerror" not in page
    assert page.count("<script") == 3  # only our own htmx, app.js and run.js


def test_a_script_in_step_text_is_escaped_too(app, agent, tmp_path):
    (tmp_path / "evil.md").write_text(
        "---\nkind: process\n---\n## Step <script>alert(1)</script> {#s}\n"
        "> **Say:** <img src=x onerror=alert(2)>\n- [ ] <script>alert(3)</script>\n"
    )
    app.test_cli_runner().invoke(args=["guidance", "import", str(tmp_path)])
    page = agent.get("/d/evil").get_data(as_text=True)
    assert "<script>alert" not in page and "onerror" not in page
    assert "Step alert(1)" in page  # a title shows its words, without the tags (issue 11)


def test_article_without_front_matter_takes_its_heading_as_title(agent):
    page = agent.get("/d/articles/welcome").get_data(as_text=True)
    assert "<h1>Welcome to the contact centre</h1>" in page
    assert agent.get("/d/articles/no-heading").get_data(as_text=True).count("<h1>No heading</h1>") == 1


def test_audience_hides_documents_from_other_roles(client, session):
    session.login("agent")
    assert session.get("/d/processes/senior-override").status_code == 404
    assert "Override a fraud block" not in session.get("/").get_data(as_text=True)
    admin = type(session)(client.application.test_client())
    admin.login("admin")
    assert admin.get("/d/processes/senior-override").status_code == 200


def test_go_link_opens_the_process_for_a_contact_reason(client, agent):
    response = agent.get("/go/transfer_abroad")
    assert response.status_code == 302
    assert response.headers["Location"] == "/d/processes/send-wire"
    # The senior-only process shares card_arrival, but the agent cannot see it: one match.
    assert agent.get("/go/card_arrival").headers["Location"] == "/d/processes/card-arrival"


def test_go_link_lists_several_matches_and_explains_none(client, session):
    session.login("admin")
    several = session.get("/go/card_arrival")
    body = several.get_data(as_text=True)
    assert several.status_code == 200
    assert "Card has not arrived" in body and "Override a fraud block" in body
    none = session.get("/go/no_such_reason")
    assert none.status_code == 404
    assert "No process handles the contact reason" in none.get_data(as_text=True)


def test_pinning_puts_a_document_on_home_and_unpinning_removes_it(agent):
    agent.post("/d/policies/identity-verification/pin")
    pinned = agent.get("/").get_data(as_text=True).split('id="pinned-title"')[1].split("</section>")[0]
    assert "Identity verification policy" in pinned
    agent.post("/d/policies/identity-verification/pin")
    pinned = agent.get("/").get_data(as_text=True).split('id="pinned-title"')[1].split("</section>")[0]
    assert "Nothing pinned yet" in pinned


def test_home_shows_the_library_once_by_kind_and_its_tags_folded(agent):
    home = agent.get("/").get_data(as_text=True)
    library = home.split('id="library-title"')[1]
    processes = library.split('id="kind-process"')[1].split("</section>")[0]
    assert processes.count("Send an international wire transfer") == 1
    assert "Identity verification policy" in library.split('id="kind-policy"')[1].split("</section>")[0]
    tags = library.split('<details class="tag-browse">')[1].split("</details>")[0]
    assert 'href="/tags/payments"' in tags and 'href="/tags/security"' in tags
    assert library.count("Send an international wire transfer") == 1  # once, though it has two tags


def test_unknown_document_and_step_give_helpful_404s(agent):
    missing = agent.get("/d/nope")
    assert missing.status_code == 404 and "There is no document &#39;nope&#39;" in missing.get_data(as_text=True)
    assert agent.get("/d/processes/send-wire/steps/nope").status_code == 404


def test_authors_can_read_the_markdown_source(client, session):
    session.login("author")
    page = session.get("/d/processes/send-wire/source").get_data(as_text=True)
    assert "## Verify the caller {#verify}" in page
    assert "Revision 1" in page


def test_an_admin_archives_a_document_after_confirming(admin):
    page = admin.get("/d/processes/card-arrival")
    assert 'href="/d/processes/card-arrival/archive">Archive…</a>' in page.get_data(as_text=True)
    confirm = admin.get("/d/processes/card-arrival/archive")
    assert confirm.status_code == 200 and "Archive “Card has not arrived”?" in confirm.get_data(as_text=True)
    assert admin.get("/d/processes/card-arrival").status_code == 200  # asking changes nothing
    done = admin.post("/d/processes/card-arrival/archive")
    assert done.status_code == 303
    assert admin.get("/d/processes/card-arrival").status_code == 404
    found = admin.get("/api/v1/search?q=card+arrived").get_json()["results"]
    assert "processes/card-arrival" not in [hit["slug"] for hit in found]


def test_agents_see_no_archive_link(agent):
    assert "Archive…" not in agent.get("/d/processes/card-arrival").get_data(as_text=True)
