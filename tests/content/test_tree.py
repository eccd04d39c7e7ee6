from __future__ import annotations

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
