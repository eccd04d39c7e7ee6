"""Checks on the starter content library in content/ against the banking77 corpus.

Plain pytest: reads the Markdown files and their YAML front matter directly, no app fixtures.
The corpus lives outside the repository, at ../shared/corpora/banking77 relative to the repo root.
A banking77 category becomes a contact-reason code as the app maps any outside label
(`reason_code`): lowercase, characters outside a-z, 0-9 and _ dropped, so "Refund_not_showing_up"
is refund_not_showing_up and "reverted_card_payment?" is reverted_card_payment.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from guidance.content import frontmatter
from guidance.content.frontmatter import reason_code

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
CORPUS = ROOT.parent / "shared" / "corpora" / "banking77"
MAX_PHRASINGS = 8

pytestmark = pytest.mark.skipif(
    not (CORPUS / "categories.json").exists() or not CONTENT.is_dir(),
    reason=f"banking77 corpus not found at {CORPUS} or no content/ directory",
)

# Calls banking77 has no label for: sending money. The bank's own codes, each in one process too.
OWN_CODES = {"transfer_abroad", "transfer_domestic"}
SAY = re.compile(r'^> \*\*Say:\*\* "', re.M)
POLICY_LINK = re.compile(r"\]\((?:\.\./)+policies/[a-z0-9-]+\.md(?:#[a-z0-9-]+)?\)")


def read_doc(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{path.relative_to(ROOT)}: no YAML front matter"
    try:
        raw, body, _ = frontmatter.split(text)
    except ValueError as error:
        pytest.fail(f"{path.relative_to(ROOT)}: {error}")
    meta = yaml.safe_load(raw)
    assert isinstance(meta, dict), f"{path.relative_to(ROOT)}: front matter is not a mapping"
    return meta, body


def load_processes() -> dict[str, tuple[dict, str]]:
    docs = {}
    for path in sorted(CONTENT.rglob("*.md")):
        meta, body = read_doc(path)
        if meta.get("kind") == "process":
            docs[str(path.relative_to(ROOT))] = (meta, body)
    return docs


@pytest.fixture(scope="module")
def processes() -> dict[str, tuple[dict, str]]:
    docs = load_processes()
    assert docs, f"no process documents found under {CONTENT}"
    return docs


@pytest.fixture(scope="module")
def codes() -> list[str]:
    return [reason_code(label) for label in json.loads((CORPUS / "categories.json").read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def train() -> dict[str, set[str]]:
    labels: dict[str, set[str]] = defaultdict(set)
    with open(CORPUS / "train.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            labels[row["text"]].add(reason_code(row["category"]))
    return labels


def test_every_code_is_in_exactly_one_process(processes, codes):
    owners: dict[str, list[str]] = defaultdict(list)
    for name, (meta, _) in processes.items():
        reasons = meta.get("contact_reasons") or []
        assert isinstance(reasons, list), f"{name}: contact_reasons must be a list"
        for code in reasons:
            owners[code].append(name)
    missing = [c for c in [*codes, *OWN_CODES] if not owners[c]]
    duplicated = {c: owners[c] for c in [*codes, *OWN_CODES] if len(owners[c]) > 1}
    assert not missing, f"contact reasons not covered by any process: {missing}"
    assert not duplicated, f"contact reasons covered by more than one process: {duplicated}"


def test_no_unknown_codes(processes, codes):
    known = set(codes) | OWN_CODES
    unknown = {
        name: sorted(set(meta.get("contact_reasons") or []) - known)
        for name, (meta, _) in processes.items()
        if set(meta.get("contact_reasons") or []) - known
    }
    assert not unknown, f"contact reasons that are not banking77 codes: {unknown}"


def test_phrasings_are_few_and_verbatim(processes, train):
    problems = []
    for name, (meta, _) in processes.items():
        phrasings = meta.get("phrasings") or []
        reasons = set(meta.get("contact_reasons") or [])
        if len(phrasings) > MAX_PHRASINGS:
            problems.append(f"{name}: {len(phrasings)} phrasings, at most {MAX_PHRASINGS} allowed")
        if len(set(phrasings)) != len(phrasings):
            problems.append(f"{name}: duplicate phrasings")
        for phrasing in phrasings:
            if phrasing not in train:
                problems.append(f"{name}: phrasing is not a verbatim train.csv message: {phrasing!r}")
            elif not train[phrasing] & reasons:
                problems.append(
                    f"{name}: phrasing {phrasing!r} is labelled {sorted(train[phrasing])}, "
                    f"not one of this process's codes {sorted(reasons)}"
                )
    assert not problems, "\n".join(problems)


def test_each_process_has_a_script_line(processes):
    without = [name for name, (_, body) in processes.items() if not SAY.search(body)]
    assert not without, f'processes without a > **Say:** "..." line: {without}'


def test_each_process_links_to_a_policy(processes):
    without = [name for name, (_, body) in processes.items() if not POLICY_LINK.search(body)]
    assert not without, f"processes that link to no policy: {without}"


def test_linked_policies_exist(processes):
    broken = []
    for name, (_, body) in processes.items():
        for match in re.finditer(r"\]\(((?:\.\./)+policies/[a-z0-9-]+\.md)", body):
            target = (ROOT / name).parent / match.group(1)
            if not target.resolve().is_file():
                broken.append(f"{name} -> {match.group(1)}")
    assert not broken, f"links to policies that do not exist: {broken}"


def test_the_library_passes_the_validator_with_crm_placeholders_instead_of_blanks():
    from guidance.content import check_tree

    assert [str(problem) for problem in check_tree(CONTENT)] == []
    delivery = (CONTENT / "processes" / "cards" / "card-delivery.md").read_text(encoding="utf-8")
    assert "{{card.dispatch_date}}" in delivery and "[dispatch date]" not in delivery
