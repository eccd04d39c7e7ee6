"""Parse one guidance Markdown file into a ParsedDocument and the problems found in it."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from markdown.extensions.toc import slugify as _slugify

from . import frontmatter, placeholders
from .model import MAX_LABEL, MAX_NAME, Block, Choice, DocumentKind, Link, ParsedDocument, Problem, Step
from .plaintext import inline_text

FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*$")
ATTRS = re.compile(r"[ \t]*\{:?[ \t]*([^{}]*)\}[ \t]*$")
INLINE_CODE = re.compile(r"`+[^`]*`+")
LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)")
SAY = re.compile(r"^\s{0,3}>\s?\*\*Say:?\*\*:?\s*(.*)$")
QUOTE = re.compile(r"^\s{0,3}>\s?(.*)$")
CHECK = re.compile(r"^\s{0,3}[-*+]\s+\[[ xX]\]\s+(.*)$")
LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+(.*)$")
CHOICE = re.compile(r"^(?:\*\*(?P<answer>.+?)\*\*)?.*?\[(?P<label>[^\]]+)\]\(#(?P<target>[^)\s]+)\)")


def slugify(text: str) -> str:
    """The same ids Python-Markdown's table of contents gives headings."""
    return _slugify(text, "-")


def parse_document(text: str, path: str) -> tuple[ParsedDocument, list[Problem]]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    problems: list[Problem] = []
    fm = frontmatter.read(text)
    problems += [Problem(path, line, message) for line, message in fm.errors]
    _, body, body_start = _safe_split(text)
    lines = body.split("\n")

    doc = ParsedDocument(path=path, title="", **{k: v for k, v in fm.fields.items() if k != "title"})
    doc.title = fm.fields.get("title", "")
    lines, body_start = _take_title_heading(doc, lines, body_start)
    if not doc.title:
        doc.title = _title_from_path(path)
    doc.body = "\n".join(lines)

    headings, doc.links, slots = _scan(lines, body_start)
    if doc.kind == DocumentKind.PROCESS:  # only a process's steps are filled with the CRM's context
        problems += [
            Problem(path, line, message, False)
            for line, name in slots
            if (message := placeholders.problem_with(name)) is not None
        ]
    if doc.kind == DocumentKind.PROCESS:
        _parse_steps(doc, lines, body_start, headings, problems)
    else:
        doc.anchors = {heading_id for _, _, _, heading_id, _ in headings}
    _check_local_links(doc, problems)
    problems += _check_limits(doc, text)
    return doc, problems


def _check_limits(doc: ParsedDocument, text: str) -> list[Problem]:
    found = []
    if "\x00" in text:
        found.append((text[: text.index("\x00")].count("\n") + 1, "contains a NUL character"))
    if len(doc.path) - 3 > MAX_NAME:
        found.append((1, f"the file path is longer than {MAX_NAME} characters"))
    if len(doc.title) > MAX_NAME:
        found.append((1, f"the title is longer than {MAX_NAME} characters"))
    for step in doc.steps:
        if len(step.id) > MAX_NAME or len(step.title) > MAX_NAME:
            found.append((step.line, f"a step heading or id is longer than {MAX_NAME} characters"))
    for field in ("tags", "contact_reasons"):
        for value in getattr(doc, field):
            if len(value) > MAX_LABEL:
                found.append((1, f"'{field}' has an item longer than {MAX_LABEL} characters"))
    if len(",".join(doc.audience)) + 2 > MAX_NAME:  # stored as ",role,role,"
        found.append((1, f"'audience' is longer than {MAX_NAME} characters in all"))
    return [Problem(doc.path, line, message) for line, message in found]


def _safe_split(text: str) -> tuple[str, str, int]:
    try:
        return frontmatter.split(text)
    except ValueError:
        return "", text, 1


def _take_title_heading(doc: ParsedDocument, lines: list[str], start: int) -> tuple[list[str], int]:
    """A leading '# Title' names the document; it is dropped so pages do not show it twice."""
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        match = HEADING.match(line)
        if match and len(match.group(1)) == 1:
            title = inline_text(ATTRS.sub("", match.group(2)).rstrip("#").strip())
            doc.title = doc.title or title
            return lines[index + 1 :], start + index + 1
        break
    return lines, start


def _title_from_path(path: str) -> str:
    pure = PurePosixPath(path)
    stem = pure.parent.name if pure.stem.lower() in ("index", "readme", "_index") and pure.parent.name else pure.stem
    words = stem.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else path


def _scan(
    lines: list[str], start: int
) -> tuple[list[tuple[int, int, str, str, set[str]]], list[Link], list[tuple[int, str]]]:
    """Headings (index, level, text, id, classes), links and placeholders (line, name), skipping code."""
    headings, links, slots, fence = [], [], [], None
    for index, line in enumerate(lines):
        fence_match = FENCE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
            continue
        if fence:
            continue
        match = HEADING.match(line)
        if match:
            text, heading_id, classes = _heading_parts(match.group(2))
            headings.append((index, len(match.group(1)), text, heading_id, classes))
        outside_code = INLINE_CODE.sub("", line)
        for target in LINK.findall(outside_code):
            links.append(Link(target, start + index))
        slots += [(start + index, name) for _, name in placeholders.names_in(outside_code)]
    return headings, links, slots


def _heading_parts(raw: str) -> tuple[str, str, set[str]]:
    attrs = ATTRS.search(raw)
    text = ATTRS.sub("", raw).rstrip("#").strip() if attrs else raw.rstrip("#").strip()
    heading_id, classes = "", set()
    if attrs:
        for token in attrs.group(1).split():
            if token.startswith("#"):
                heading_id = token[1:]
            elif token.startswith("."):
                classes.add(token[1:])
    return text, heading_id or slugify(text), classes


def _parse_steps(doc, lines, start, headings, problems) -> None:
    sections = [h for h in headings if h[1] == 2]
    if not sections:
        problems.append(Problem(doc.path, start, "a process needs at least one step: a '## ' heading"))
        doc.intro = "\n".join(lines).strip()
        return
    doc.intro = "\n".join(lines[: sections[0][0]]).strip()
    seen: dict[str, int] = {}
    for number, (index, _, title, step_id, classes) in enumerate(sections):
        end = sections[number + 1][0] if number + 1 < len(sections) else len(lines)
        line = start + index
        if step_id in seen:
            problems.append(
                Problem(doc.path, line, f"duplicate step id '{step_id}' (first used on line {seen[step_id]})")
            )
            continue
        seen[step_id] = line
        # The id comes from the heading as written, so step links keep working.
        step = Step(id=step_id, title=inline_text(title), line=line, ends="end" in classes)
        step.blocks = _blocks(lines[index + 1 : end], line + 1)
        doc.steps.append(step)
    doc.anchors = set(seen)
    for step in doc.steps:
        for choice in step.choices:
            if choice.target not in seen:
                problems.append(
                    Problem(
                        doc.path,
                        choice.line,
                        f"decision '{choice.answer}' points to #{choice.target}, which is not a step of this process",
                    )
                )
    _check_reachable(doc, problems)


def _blocks(lines: list[str], first_line: int) -> list[Block]:
    decision, lines = _split_decision(lines, first_line)
    blocks: list[Block] = []
    text: list[str] = []
    fence = None

    def flush() -> None:
        if "\n".join(text).strip():
            blocks.append(Block("markdown", text="\n".join(text).strip("\n")))
        text.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        if FENCE.match(line):
            fence = None if fence else line
        say = None if fence else SAY.match(line)
        check = None if fence else CHECK.match(line)
        if say:
            flush()
            words = [say.group(1)]
            while index + 1 < len(lines) and QUOTE.match(lines[index + 1]) and lines[index + 1].strip() != ">":
                index += 1
                words.append(QUOTE.match(lines[index]).group(1))
            blocks.append(Block("say", text=" ".join(w.strip() for w in words if w.strip())))
        elif check:
            flush()
            items = [check.group(1).strip()]
            while index + 1 < len(lines):
                following = lines[index + 1]
                if CHECK.match(following):
                    items.append(CHECK.match(following).group(1).strip())
                elif following.startswith(("  ", "\t")) and following.strip():
                    items[-1] += " " + following.strip()
                else:
                    break
                index += 1
            blocks.append(Block("checklist", items=items))
        else:
            text.append(line)
        index += 1
    flush()
    if decision:
        blocks.append(decision)
    return blocks


def _split_decision(lines: list[str], first_line: int) -> tuple[Block | None, list[str]]:
    """A step whose last block is a list of links to steps of this file is a decision."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    begin = end
    while begin and (
        not lines[begin - 1].strip() or LIST_ITEM.match(lines[begin - 1]) or lines[begin - 1].startswith(("  ", "\t"))
    ):
        begin -= 1
    items = [(i, LIST_ITEM.match(lines[i])) for i in range(begin, end) if LIST_ITEM.match(lines[i])]
    if not items or any(CHECK.match(lines[i]) for i, _ in items):
        return None, lines
    choices = []
    for i, match in items:
        choice = CHOICE.match(match.group(1))
        if not choice:
            return None, lines
        answer = (choice.group("answer") or choice.group("label")).strip().rstrip(":")
        choices.append(Choice(answer, choice.group("label").strip(), choice.group("target"), first_line + i))
    return Block("decision", choices=choices), lines[:begin]


def _check_reachable(doc: ParsedDocument, problems: list[Problem]) -> None:
    if not doc.steps:
        return
    reached, queue = set(), [doc.steps[0].id]
    while queue:
        step_id = queue.pop()
        step = doc.step(step_id)  # an index lookup: this loop runs once per step
        if step_id in reached or step is None:
            continue
        reached.add(step_id)
        following = doc.next_step(step_id)
        queue += [c.target for c in step.choices] + ([following.id] if following else [])
    for step in doc.steps:
        if step.id not in reached:
            problems.append(Problem(doc.path, step.line, f"step '{step.id}' cannot be reached from the first step"))


def _check_local_links(doc: ParsedDocument, problems: list[Problem]) -> None:
    decision_lines = {choice.line for step in doc.steps for choice in step.choices}
    for link in doc.links:
        if link.line in decision_lines:
            continue  # reported as a decision problem
        if link.target.startswith("#") and link.target[1:] not in doc.anchors:
            problems.append(
                Problem(doc.path, link.line, f"link to {link.target}, which is not a heading of this document", False)
            )
