"""A note is shown inside other people's pages: it loads nothing and takes none of their ids."""

from __future__ import annotations

import re

from tests.feedback.conftest import WIRE, add_note, login


def ids(page: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', page)


def test_a_notes_heading_id_cannot_take_the_pages_ids(app, agent, other):
    add_note(agent, "## Tip {#note-body}\n\nUse the *callback* line.\n\n### Also {#feedback}", shared="1")
    for session in (agent, other, login(app, "admin")):
        page = session.get(f"{WIRE}/steps/verify").get_data(as_text=True)
        assert "<h2>Tip</h2>" in page
        found = ids(page)
        assert len(found) == len(set(found)), sorted(i for i in found if found.count(i) > 1)


def test_no_image_in_a_note_loads_anywhere_it_is_shown(app, agent):
    add_note(agent, '![](/search?q=wire) <img src="/notifications" alt="bell">')
    admin = login(app, "admin")
    pages = {
        "step": agent.get(f"{WIRE}/steps/verify"),
        "inbox": admin.get("/admin/inbox"),
        "editor": admin.get(f"{WIRE}/edit?step=verify"),
    }
    for name, response in pages.items():
        page = response.get_data(as_text=True)
        assert "<img" not in page, name
        assert '<a href="/search?q=wire" rel="noopener noreferrer">/search?q=wire</a>' in page, name
        assert '<a href="/notifications" rel="noopener noreferrer">bell</a>' in page, name
