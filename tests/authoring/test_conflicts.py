"""No silent overwrite between people (issue 10, point 7): the second to save sees both texts
and the diff between them, and nothing is lost."""

from __future__ import annotations

from tests.authoring.conftest import WIRE, WIRE_SOURCE, draft_of, editor_form, open_editor, published_source, save
from tests.feedback.conftest import login, make_agents

MINE = WIRE_SOURCE.replace("two working days", "one working day")
THEIRS = WIRE_SOURCE.replace("Before we start", "Hello. Before we start")


def second_author(app):
    from sqlalchemy import select

    from guidance.extensions import db
    from guidance.models import User

    [name] = make_agents(app, 1, prefix="writer")
    with app.app_context():
        db.session.scalar(select(User).where(User.username == name)).role = "author"
        db.session.commit()
    return login(app, name, "agent-pass")


def test_two_authors_the_second_to_save_sees_both_texts_and_loses_nothing(app):
    first, second = login(app, "author"), second_author(app)
    form_first, form_second = open_editor(first, WIRE), open_editor(second, WIRE)
    assert save(first, WIRE, form_first, source=THEIRS).status_code == 303
    draft = draft_of(app, WIRE)
    first_form = open_editor(first, WIRE)
    assert save(first, WIRE, first_form, source=THEIRS + "\nMore.\n").status_code == 303  # a second save
    response = save(second, WIRE, form_second, source=MINE)
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Not saved: The draft" not in body and "saved this draft at" in body and "after you opened it" in body
    conflict = body.split('<section id="conflict"')[1]
    assert "Hello. Before we start" in conflict and "one working day" in conflict  # both texts
    assert '<tr class="diff-del">' in conflict and '<tr class="diff-ins">' in conflict  # and the diff
    assert draft_of(app, WIRE).source == THEIRS + "\nMore.\n"  # theirs is saved, untouched
    kept = editor_form(body)
    assert kept["source"] == MINE  # mine is in the editor, to bring across and save again
    assert (kept["draft"], kept["saves"]) == (str(draft.id), "2")
    merged = THEIRS.replace("two working days", "one working day") + "\nMore.\n"
    assert save(second, WIRE, kept, source=merged).status_code == 303
    assert draft_of(app, WIRE).source == merged


def test_two_authors_starting_a_draft_at_once_do_not_overwrite_each_other(app):
    first, second = login(app, "author"), second_author(app)
    form_first, form_second = open_editor(first, WIRE), open_editor(second, WIRE)
    assert save(first, WIRE, form_first, source=THEIRS).status_code == 303
    response = save(second, WIRE, form_second, source=MINE)
    assert response.status_code == 409 and draft_of(app, WIRE).source == THEIRS
    assert editor_form(response.get_data(as_text=True))["source"] == MINE


def test_a_draft_published_meanwhile_is_a_conflict_not_a_new_draft_over_it(app):
    author, admin = login(app, "author"), login(app, "admin")
    form = open_editor(author, WIRE)
    save(author, WIRE, form, source=THEIRS)
    stale = open_editor(author, WIRE)
    admin_form = open_editor(admin, WIRE)
    assert save(admin, WIRE, admin_form, action="publish", note="Straight out").status_code == 303
    response = save(author, WIRE, stale, source=MINE)
    assert response.status_code == 409 and "published or discarded meanwhile" in response.get_data(as_text=True)
    assert published_source(app, WIRE) == THEIRS and draft_of(app, WIRE) is None
    kept = editor_form(response.get_data(as_text=True))
    assert kept["base"] == "2" and kept["draft"] == ""  # saving again starts a draft on revision 2
    assert save(author, WIRE, kept, source=MINE).status_code == 303
    assert draft_of(app, WIRE).base_revision_id is not None


def test_autosave_never_overwrites_another_authors_save(app):
    first, second = login(app, "author"), second_author(app)
    save(first, WIRE, open_editor(first, WIRE), source=THEIRS)
    stale = open_editor(second, WIRE)
    save(first, WIRE, open_editor(first, WIRE), source=THEIRS + "\nAgain.\n")
    response = second.post(f"/d/{WIRE}/edit/save", {**stale, "source": MINE})
    assert response.status_code == 409 and response.get_json()["conflict"]
    assert draft_of(app, WIRE).source == THEIRS + "\nAgain.\n"


def test_an_admins_direct_publish_keeps_its_stale_edit_check(app):
    admin = login(app, "admin")
    form = open_editor(admin, WIRE)
    from tests.feedback.conftest import republish

    republish(app, WIRE, lambda s: s + "\nSomeone else's change.\n")
    response = save(admin, WIRE, form, source=MINE, action="publish")
    body = response.get_data(as_text=True)
    assert response.status_code == 409 and "Someone published revision 2 while you were editing" in body
    assert "Someone else&#39;s change." in body.split('<section id="conflict"')[1]
    assert editor_form(body)["base"] == "2" and editor_form(body)["source"] == MINE
