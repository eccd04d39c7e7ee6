"""A tree of guidance files: load every file, then check the links between them."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from .files import walk_markdown
from .model import DocumentKind, ParsedDocument, Problem
from .parser import parse_document

EXTERNAL = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*:|//|/)")


@dataclass
class SourceFile:
    path: str  # relative to the tree's root, with forward slashes
    source: str | None
    document: ParsedDocument | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def importable(self) -> bool:
        return self.document is not None and not any(p.blocking for p in self.problems)


def load_tree(root: Path) -> list[SourceFile]:
    files = []
    for entry in walk_markdown(root):
        if entry.refusal:
            files.append(SourceFile(entry.path, None, problems=[Problem(entry.path, 1, entry.refusal)]))
        else:
            try:
                source = entry.data.decode("utf-8")
            except UnicodeDecodeError as error:
                problem = Problem(entry.path, 1, f"not UTF-8 text (byte {error.start})")
                files.append(SourceFile(entry.path, None, problems=[problem]))
            else:
                document, problems = parse_document(source, entry.path)
                files.append(SourceFile(entry.path, source, document, problems))
    files.sort(key=lambda f: f.path)
    check_links(files)
    return files


def resolve_link(from_path: str, target: str) -> tuple[str, str] | None:
    """('policies/x.md', 'anchor') for a relative link to a Markdown file, else None."""
    if target.startswith("#") or EXTERNAL.match(target):
        return None
    path, _, anchor = target.partition("#")
    path = path.split("?", 1)[0]
    if not path.endswith(".md"):
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(from_path), path)), anchor


def check_links(files: list[SourceFile]) -> None:
    documents = {f.path: f.document for f in files if f.document is not None}
    for file in files:
        if file.document is None:
            continue
        for link in file.document.links:
            resolved = resolve_link(file.path, link.target)
            if resolved is None:
                continue
            path, anchor = resolved
            target = documents.get(path)
            if target is None:
                file.problems.append(Problem(file.path, link.line, f"link to {link.target}: no such document", False))
            elif anchor and anchor not in target.anchors:
                what = "step" if target.kind == DocumentKind.PROCESS else "heading"
                file.problems.append(
                    Problem(file.path, link.line, f"link to {link.target}: {path} has no {what} '{anchor}'", False)
                )


def check_tree(root: Path) -> list[Problem]:
    problems = [p for f in load_tree(root) for p in f.problems]
    return sorted(problems, key=lambda p: (p.path, p.line))
