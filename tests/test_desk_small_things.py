"""Issue 13, point 6: the little things found walking the agent's desk that erode trust."""

from __future__ import annotations

import re


def test_after_a_refused_login_the_password_box_has_the_focus(session):
    page = session.login("agent", "wrong").get_data(as_text=True)
    assert re.search(r'<input id="password"[^>]*\bautofocus', page)
    assert not re.search(r'<input id="username"[^>]*\bautofocus', page)
    assert 'value="agent"' in page  # the name typed stays


def test_a_fresh_login_page_starts_in_the_username_box(client):
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'<input id="username"[^>]*\bautofocus', page)


def test_check_refuses_contact_reasons_that_cannot_be_deep_links(runner, tmp_path):
    (tmp_path / "p.md").write_text(
        "---\nkind: process\ncontact_reasons: [Refund_not_showing_up, 'reverted_card_payment?', card_arrival]\n---\n"
        '## Only step\n\n> **Say:** "Hello."\n'
    )
    result = runner.invoke(args=["guidance", "check", str(tmp_path)])
    assert result.exit_code != 0
    assert "contact reason 'Refund_not_showing_up' must be" in result.output
    assert "contact reason 'reverted_card_payment?' must be" in result.output
    assert "'card_arrival'" not in result.output
    assert "lowercase letters, digits and _" in result.output


def test_go_links_match_contact_reasons_whatever_the_letter_case(agent):
    assert agent.get("/go/TRANSFER_ABROAD").headers["Location"] == "/d/processes/send-wire"
    assert agent.get("/go/Transfer_Abroad").headers["Location"] == "/d/processes/send-wire"


def test_the_code_for_a_data_set_label_is_lowercase_without_other_characters():
    from guidance.content.frontmatter import reason_code

    assert reason_code("Refund_not_showing_up") == "refund_not_showing_up"
    assert reason_code("reverted_card_payment?") == "reverted_card_payment"
    assert reason_code("card_arrival") == "card_arrival"
