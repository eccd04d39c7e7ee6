"""Front matter is read with libyaml where PyYAML has it, and with the pure-Python loader where
libyaml refuses the text: either way, what a page's front matter says is what PyYAML's safe
loader reads, and errors name the line it names."""

from __future__ import annotations

from pathlib import Path

import yaml

from guidance.content import frontmatter

CONTENT = Path(__file__).parents[2] / "content"
HANDBOOK = Path(__file__).parents[3] / "shared" / "corpora" / "sourcegraph-handbook" / "content"


def front_matters() -> list[str]:
    found = []
    for page in sorted(CONTENT.rglob("*.md")) + sorted(HANDBOOK.rglob("*.md")):
        raw = frontmatter.split(page.read_text(encoding="utf-8", errors="replace"))[0]
        if raw.strip():
            found.append(raw)
    return found


def test_every_front_matter_of_the_libraries_reads_as_the_safe_loader_reads_it():
    texts = front_matters()
    assert len(texts) > 40
    for raw in texts:
        assert frontmatter._load(raw) == yaml.safe_load(raw)


def test_text_libyaml_refuses_is_read_by_the_pure_python_loader():
    raw = 'title: "Phones \\ud83d\\udcf1"'
    assert frontmatter._load(raw) == {"title": "Phones \ud83d\udcf1"}
    assert frontmatter.read(f"---\n{raw}\n---\nBody\n").fields["title"] == "Phones 📱"
