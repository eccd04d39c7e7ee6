"""What the editor reports about a text: the validator's problems, and links to documents or
steps the library does not have (checked against what is published, as an import checks them
against the tree). Reading only."""

from __future__ import annotations

from sqlalchemy import select

from ..content import ParsedDocument, Problem, parse_document
from ..content.tree import resolve_link
from ..extensions import db
from ..models import Document
from .documents import parsed as parsed_revision
from .library import slug_for


def problems_of(source: str, path: str) -> list[Problem]:
    """The validator's problems, and links to documents or steps the library does not have."""
    parsed, problems = parse_document(source, path)
    return sorted(problems + link_problems(parsed, path), key=lambda problem: problem.line)


def link_problems(parsed: ParsedDocument, path: str) -> list[Problem]:
    """Links to other documents checked against the published library (as an import checks them
    against the tree): a broken link is a warning, it does not block publishing."""
    wanted = {}
    for link in parsed.links:
        resolved = resolve_link(path, link.target)
        if resolved:
            wanted[link] = resolved
    slugs = {slug_for(target) for target, _ in wanted.values()} - {slug_for(path)}
    found = (
        {
            d.slug: d
            for d in db.session.scalars(
                select(Document).where(Document.slug.in_(slugs), Document.published_revision_id.is_not(None))
            )
        }
        if slugs
        else {}
    )
    problems = []
    for link, (target, anchor) in wanted.items():
        if slug_for(target) == slug_for(path):
            anchors = parsed.anchors
        elif slug_for(target) in found:
            anchors = parsed_revision(found[slug_for(target)].published_revision).anchors
        else:
            problems.append(Problem(path, link.line, f"link to {link.target}: no such document", False))
            continue
        if anchor and anchor not in anchors:
            problems.append(
                Problem(path, link.line, f"link to {link.target}: {target} has no step or heading '{anchor}'", False)
            )
    return problems
