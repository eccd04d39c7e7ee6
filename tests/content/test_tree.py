"""Trees of files: loading, links between documents, and what is never read (links, special files)."""

from __future__ import annotations

import os

from guidance.content import check_tree, load_tree
from tests.conftest import LIBRARY


def test_fixture_library_has_no_problems():
    assert [str(p) for p in check_tree(LIBRARY)] == []


def test_links_to_missing_files_and_anchors_are_reported(tmp_path):
    (tmp_path / "a.md").write_text(
        "# A\n\n[ok](b.md) [gone](missing.md) [bad anchor](b.md#nope) [step](p.md#two)\n"
        "[site](https://example.com/x.md) [image](pic.png)\n"
    )
    (tmp_path / "b.md").write_text("# B\n\n## Section\n")
    (tmp_path / "p.md").write_text("---\nkind: process\n---\n## One {#one}\n")
    problems = [str(p) for p in check_tree(tmp_path)]
    assert problems == [
        "a.md:3: link to missing.md: no such document",
        "a.md:3: link to b.md#nope: b.md has no heading 'nope'",
        "a.md:3: link to p.md#two: p.md has no step 'two'",
    ]


def test_a_file_that_is_not_utf8_is_reported_not_fatal(tmp_path):
    (tmp_path / "good.md").write_text("# Good\n")
    (tmp_path / "latin1.md").write_bytes("# Caf\xe9\n".encode("latin-1"))
    files = {f.path: f for f in load_tree(tmp_path)}
    assert files["good.md"].importable
    assert not files["latin1.md"].importable
    assert str(files["latin1.md"].problems[0]) == "latin1.md:1: not UTF-8 text (byte 5)"


def tree_with_links(tmp_path):
    """A tree whose links point at a data directory's secret key, /etc/passwd and a folder outside."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "secret_key").write_text("s3cret-signing-key\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "outside.md").write_text("# Outside the tree\n")
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "good.md").write_text("# Good\n")
    (tree / "notes.md").symlink_to(data / "secret_key")
    (tree / "sub" / "passwd.md").symlink_to("/etc/passwd")
    (tree / "alias.md").symlink_to("good.md")  # even a link that stays inside the tree
    (tree / "linked").symlink_to(elsewhere, target_is_directory=True)
    return tree


def test_symbolic_links_are_never_read_and_each_gets_a_line(tmp_path):
    tree = tree_with_links(tmp_path)
    files = {f.path: f for f in load_tree(tree)}
    assert set(files) == {"alias.md", "good.md", "linked", "notes.md", "sub/passwd.md"}
    assert files["good.md"].importable
    for path in ("alias.md", "linked", "notes.md", "sub/passwd.md"):
        assert files[path].source is None and not files[path].importable, path
    assert [str(p) for p in check_tree(tree)] == [
        "alias.md:1: symbolic link (to good.md): only regular files inside the tree are read",
        f"linked:1: symbolic link to a directory (to {tmp_path}/elsewhere): not followed",
        f"notes.md:1: symbolic link (to {tmp_path}/data/secret_key): only regular files inside the tree are read",
        "sub/passwd.md:1: symbolic link (to /etc/passwd): only regular files inside the tree are read",
    ]


def test_a_tree_given_through_a_symbolic_link_is_read(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.md").write_text("# A\n")
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    files = load_tree(tmp_path / "link")
    assert [(f.path, f.importable) for f in files] == [("a.md", True)]


def test_a_named_pipe_is_reported_not_read(tmp_path):
    (tmp_path / "good.md").write_text("# Good\n")
    os.mkfifo(tmp_path / "pipe.md")
    assert [str(p) for p in check_tree(tmp_path)] == ["pipe.md:1: not a regular file"]
