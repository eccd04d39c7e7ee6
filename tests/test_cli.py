"""The `flask guidance` commands: check, import, export, users, tokens, and the secret key they share."""

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
    tree = tmp_path / "tree"  # not tmp_path itself: the app's data dir, with its links, is there
    tree.mkdir()
    (tree / "p.md").write_text("---\nkind: process\n---\n## A {#a}\n## A {#a}\n- [x](#nowhere)\n")
    result = runner.invoke(args=["guidance", "check", str(tree)])
    assert result.exit_code != 0
    assert f"{tree}/p.md:5: duplicate step id 'a' (first used on line 4)" in result.output
    assert f"{tree}/p.md:6: link to #nowhere, which is not a heading of this document" in result.output
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


def link_secret_into(tree, data_dir):
    """Links to a data directory's signing key, to /etc/passwd and to a folder outside the tree."""
    data_dir.mkdir(exist_ok=True)
    (data_dir / "secret_key").write_text("s3cret-signing-key\n")
    (tree / "notes.md").symlink_to(data_dir / "secret_key")
    (tree / "passwd.md").symlink_to("/etc/passwd")
    (tree / "shared").symlink_to(LIBRARY / "policies", target_is_directory=True)


def test_check_reports_each_symbolic_link_with_its_file(runner, tmp_path):
    data_dir = tmp_path / "instance"
    tree = tmp_path / "tree"
    shutil.copytree(LIBRARY, tree)
    link_secret_into(tree, data_dir)
    result = runner.invoke(args=["guidance", "check", str(tree)])
    assert result.exit_code != 0
    assert (
        f"{tree}/notes.md:1: symbolic link (to {data_dir}/secret_key): only regular files inside the tree are read"
    ) in result.output
    assert f"{tree}/passwd.md:1: symbolic link (to /etc/passwd)" in result.output
    assert f"{tree}/shared:1: symbolic link to a directory (to {LIBRARY}/policies): not followed" in result.output
    assert "3 problem(s) in 9 file(s)" in result.output


def test_import_never_publishes_what_a_symbolic_link_points_at(app, runner, tmp_path):
    data_dir = tmp_path / "instance"
    tree = tmp_path / "tree"
    shutil.copytree(LIBRARY, tree)
    link_secret_into(tree, data_dir)
    result = runner.invoke(args=["guidance", "import", str(tree)])
    assert result.exit_code == 0, result.output
    assert f"not imported: {tree}/notes.md:1: symbolic link (to {data_dir}/secret_key)" in result.output
    assert f"not imported: {tree}/passwd.md:1: symbolic link (to /etc/passwd)" in result.output
    assert f"not imported: {tree}/shared:1: symbolic link to a directory" in result.output
    assert "0 created, 0 updated, 6 unchanged, 3 not imported" in result.output
    with app.app_context():
        assert db.session.scalar(select(Document).where(Document.slug.in_(["notes", "passwd"]))) is None
        assert not any("s3cret" in r.source or "root:" in r.source for r in db.session.scalars(select(Revision)))


def test_export_never_writes_through_a_symbolic_link_in_the_target(app, runner, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    (out / "processes").mkdir(parents=True)
    (out / "processes" / "send-wire.md").symlink_to(victim)
    (out / "policies").symlink_to(elsewhere, target_is_directory=True)
    result = runner.invoke(args=["guidance", "export", str(out)])
    assert result.exit_code != 0
    assert f"not written: {out}/processes/send-wire.md: a symbolic link is in the way" in result.output
    assert f"not written: {out}/policies/identity-verification.md: a symbolic link is in the way" in result.output
    assert victim.read_text() == "keep me\n" and list(elsewhere.iterdir()) == []
    assert (out / "processes" / "send-wire.md").is_symlink()
    assert (out / "articles" / "welcome.md").read_bytes() == (LIBRARY / "articles" / "welcome.md").read_bytes()
    assert "4 file(s) written to" in result.output and "2 not written" in result.output


def test_workers_starting_together_agree_on_one_secret_key(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from guidance import _stored_secret

    for attempt in range(20):
        data_dir = tmp_path / f"fresh-{attempt}"
        data_dir.mkdir()
        with ThreadPoolExecutor(8) as pool:
            keys = set(pool.map(_stored_secret, [data_dir] * 8))
        assert len(keys) == 1 and len(keys.pop()) == 64
        assert [p.name for p in data_dir.iterdir()] == ["secret_key"]  # no candidate left behind
        assert (data_dir / "secret_key").stat().st_mode & 0o777 == 0o600
