from __future__ import annotations

import shutil

from sqlalchemy import func, select

from guidance.extensions import db
from guidance.models import Document, Revision, User
from tests.conftest import LIBRARY


def test_check_passes_on_a_valid_tree(runner):
    result = runner.invoke(args=["guidance", "check", str(LIBRARY)])
    assert result.exit_code == 0, result.output
    assert "6 file(s) checked, no problems" in result.output


def test_check_fails_with_one_line_per_problem(runner, tmp_path):
    (tmp_path / "p.md").write_text("---\nkind: process\n---\n## A {#a}\n## A {#a}\n- [x](#nowhere)\n")
    result = runner.invoke(args=["guidance", "check", str(tmp_path)])
    assert result.exit_code != 0
    assert f"{tmp_path}/p.md:5: duplicate step id 'a' (first used on line 4)" in result.output
    assert f"{tmp_path}/p.md:6: link to #nowhere, which is not a heading of this document" in result.output
    assert "2 problem(s) in 1 file(s)" in result.output


def test_import_reports_counts_and_failures_and_imports_the_rest(app, runner, tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(LIBRARY, tree)
    (tree / "broken.md").write_text("---\ntitle: [oops\n---\n")
    (tree / "articles" / "new.md").write_text("# Brand new\n\n[dead link](nowhere.md)\n")
    result = runner.invoke(args=["guidance", "import", str(tree)])
    assert result.exit_code == 0, result.output
    assert f"not imported: {tree}/broken.md:2: front matter is not valid YAML" in result.output
    assert f"warning: {tree}/articles/new.md:3: link to nowhere.md: no such document" in result.output
    assert "1 created, 0 updated, 6 unchanged, 1 not imported" in result.output
    with app.app_context():
        assert db.session.scalar(select(Document).where(Document.slug == "articles/new")).title == "Brand new"
        assert db.session.scalar(select(Document).where(Document.slug == "broken")) is None


def test_import_twice_creates_no_new_revisions_and_a_change_publishes_one(app, runner, tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(LIBRARY, tree)
    with app.app_context():
        before = db.session.scalar(select(func.count(Revision.id)))
    assert "0 created, 0 updated, 6 unchanged" in runner.invoke(args=["guidance", "import", str(tree)]).output
    wire = tree / "processes" / "send-wire.md"
    wire.write_text(wire.read_text().replace("two working days", "one working day"))
    assert "0 created, 1 updated, 5 unchanged" in runner.invoke(args=["guidance", "import", str(tree)]).output
    with app.app_context():
        assert db.session.scalar(select(func.count(Revision.id))) == before + 1
        document = db.session.scalar(select(Document).where(Document.slug == "processes/send-wire"))
        assert [r.number for r in document.revisions] == [1, 2]
        assert document.published_revision.number == 2
        assert "one working day" in document.published_revision.source
        assert document.published_revision.status == "published"


def test_export_after_import_gives_identical_files(app, runner, tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(LIBRARY, tree)
    (tree / "articles" / "crlf.md").write_bytes(b"# Windows file\r\n\r\nLine one.\r\n")
    runner.invoke(args=["guidance", "import", str(tree)])
    out = tmp_path / "out"
    result = runner.invoke(args=["guidance", "export", str(out)])
    assert result.exit_code == 0, result.output
    originals = sorted(p.relative_to(tree) for p in tree.rglob("*.md"))
    assert sorted(p.relative_to(out) for p in out.rglob("*.md")) == originals
    for relative in originals:
        assert (out / relative).read_bytes() == (tree / relative).read_bytes(), relative


def test_create_user_prints_password_and_rejects_duplicates(app, runner):
    result = runner.invoke(args=["guidance", "create-user", "carol", "--role", "author"])
    assert result.exit_code == 0
    password = result.output.strip().rsplit(" ", 1)[-1]
    with app.app_context():
        carol = db.session.scalar(select(User).where(User.username == "carol"))
        assert carol.role == "author" and carol.check_password(password)
    again = runner.invoke(args=["guidance", "create-user", "carol"])
    assert again.exit_code != 0 and "user 'carol' already exists" in again.output
    bad_role = runner.invoke(args=["guidance", "create-user", "dave", "--role", "boss"])
    assert bad_role.exit_code != 0


def test_demo_users_are_created_once_and_their_passwords_work(empty_app):
    runner = empty_app.test_cli_runner()
    first = runner.invoke(args=["guidance", "demo-users"])
    second = runner.invoke(args=["guidance", "demo-users"])
    assert first.exit_code == 0 and first.output == second.output
    passwords = dict(line.split() for line in first.output.splitlines()[1:])
    assert set(passwords) == {"agent", "author", "admin"}
    with empty_app.app_context():
        for name, password in passwords.items():
            user = db.session.scalar(select(User).where(User.username == name))
            assert user.role == name and user.check_password(password)
