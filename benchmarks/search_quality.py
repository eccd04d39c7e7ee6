"""Search-quality benchmark: the app's search against a plain BM25 baseline (SQLite FTS5).

Run from the repository root:

    .venv/bin/python benchmarks/search_quality.py                  # everything (a few minutes)
    .venv/bin/python benchmarks/search_quality.py --limit-queries 500 --only bank
    .venv/bin/python benchmarks/search_quality.py --keep           # keep the imported data dirs
    .venv/bin/python benchmarks/search_quality.py --data-dir DIR   # reuse them (skip the import)

Two corpora, each imported with the app's own CLI into a throwaway GUIDANCE_DATA_DIR:

- bank: the starter library `content/`. Queries are the banking77 messages of
  `../shared/corpora/banking77/train.csv` that are not one of the library's `phrasings`
  (exact string comparison); the right answer is the process whose `contact_reasons` holds the
  message's category.
- bank-typos: the same library, asked the way agents type: the bank queries of 2 to 5 words,
  their longest word (of 5 letters or more) given one typo (a letter left out, doubled, swapped
  with the next, or another letter; never the first or the last letter), chosen by a seeded
  random, so every run asks the same.
- bank-warm: the same library after importing half of banking77's `train.csv` as examples
  (`flask guidance examples import`); the queries are the other half. Rows that are phrasings in
  `content/` are left out; the halves are made per category by the SHA-1 of the text (even
  positions are examples, odd ones queries), so every run splits the same way. The baseline's
  documents get the same examples appended to their text.
- handbook: the Sourcegraph handbook `../shared/corpora/sourcegraph-handbook/content/`, as it is.
  Queries and their answers (page paths) are in `benchmarks/handbook_queries.json`.

Engines:

- app: `flask guidance search - --json --limit 10`, all queries of a set on stdin of ONE process,
  one JSON object per line back: {"query", "results": [{"slug", "title", "kind", "step",
  "score", "source_path", "contact_reasons"}]}.
- fts5: SQLite FTS5 `fts5(slug, title, body)` over the same files, `ORDER BY bm25(...)` with
  default weights; the query is the OR of its quoted word tokens.

Both rankings are read at document level: a document that comes back more than once (e.g. as
several steps) counts at its best rank only.

Metrics per set and engine: success@1, success@3 (any right answer in the top 3), recall@3
(fraction of a query's right answers in the top 3; equal to success@3 when there is one answer),
MRR over the top 10. The numbers go to `benchmarks/results/search_quality.json`.

Standard library, PyYAML and the app's own front matter splitter.
"""

from __future__ import annotations

import argparse
import collections
import csv
import hashlib
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the front matter splitter of this checkout's app
from guidance.content import frontmatter  # noqa: E402
from guidance.content.frontmatter import reason_code  # noqa: E402

BENCH = ROOT / "benchmarks"
BANK_DIR = ROOT / "content"
HANDBOOK_DIR = (ROOT / ".." / "shared" / "corpora" / "sourcegraph-handbook" / "content").resolve()
BANKING77_CSV = (ROOT / ".." / "shared" / "corpora" / "banking77" / "train.csv").resolve()
HANDBOOK_QUERIES = BENCH / "handbook_queries.json"
RESULTS = BENCH / "results" / "search_quality.json"
OUT_OF_SCOPE = (ROOT / ".." / "shared" / "corpora" / "clinc150-oos" / "out_of_scope_dev.txt").resolve()
# Embeddings depend on the text alone: kept between runs so only the first one pays for them
# (delete the file, or pass --fresh-embeddings, to measure that first run).
EMBEDDING_CACHE = BENCH / ".cache" / "embeddings.sqlite"
FLASK = ROOT / ".venv" / "bin" / "flask"
TOP = 10
SETS = ("bank", "bank-typos", "bank-warm", "handbook")
ENGINES = ("app", "fts5")
METRICS = ("success@1", "success@3", "recall@3", "mrr")


# --------------------------------------------------------------------------- documents


@dataclass
class Doc:
    path: str  # relative to the corpus dir, forward slashes (= the app's source_path)
    title: str
    body: str
    contact_reasons: list[str] = field(default_factory=list)
    phrasings: list[str] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.path[:-3] if self.path.endswith(".md") else self.path


def split_front_matter(text: str) -> tuple[dict, str]:
    """(front matter fields, body); bad or missing front matter gives ({}, text)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    try:
        raw, body, _ = frontmatter.split(text)
    except ValueError:  # opened but never closed
        return {}, text
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError:
        data = None
    return (data if isinstance(data, dict) else {}), body


def as_list(value) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        value = [value]
    return [str(v).strip() for v in value if v is not None and not isinstance(v, (dict, list))]


def title_of(fields: dict, body: str, path: str) -> str:
    """Front matter title, else a leading `# heading`, else the file name (as the app does)."""
    if fields.get("title") and not isinstance(fields["title"], (dict, list)):
        return str(fields["title"]).strip()
    for line in body.split("\n"):
        if not line.strip():
            continue
        match = re.match(r"^#[ \t]+(.*?)[ \t]*$", line)
        if match:
            return re.sub(r"[ \t]*\{[^{}]*\}[ \t]*$", "", match.group(1)).rstrip("#").strip()
        break
    stem = Path(path).stem
    if stem.lower() in ("index", "readme", "_index") and Path(path).parent.name:
        stem = Path(path).parent.name
    words = stem.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else path


def load_docs(directory: Path) -> dict[str, Doc]:
    docs = {}
    for file in sorted(p for p in directory.rglob("*.md") if p.is_file()):
        rel = file.relative_to(directory).as_posix()
        text = file.read_bytes().decode("utf-8", errors="replace")
        fields, body = split_front_matter(text)
        # For fairness the baseline sees the same extra words the app may index.
        extra = [str(fields["summary"])] if isinstance(fields.get("summary"), str) else []
        for key in ("tags", "synonyms", "phrasings"):
            extra += as_list(fields.get(key))
        docs[rel] = Doc(
            path=rel,
            title=title_of(fields, body, rel),
            body="\n".join([*extra, body]),
            contact_reasons=as_list(fields.get("contact_reasons")),
            phrasings=as_list(fields.get("phrasings")),
        )
    return docs


# --------------------------------------------------------------------------- queries


@dataclass
class Query:
    text: str
    answers: list[str]  # document paths
    label: str = ""  # banking77 category, or the handbook query's style


def one_line(text: str) -> str:
    return " ".join(text.replace("\r", " ").replace("\n", " ").split())


def bank_queries(docs: dict[str, Doc]) -> list[Query]:
    phrasings = {p for doc in docs.values() for p in doc.phrasings}
    owner: dict[str, list[str]] = collections.defaultdict(list)
    for doc in docs.values():
        for code in doc.contact_reasons:
            owner[code].append(doc.path)
    queries, unanswerable = [], collections.Counter()
    with BANKING77_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["text"] in phrasings:
                continue
            code = reason_code(row["category"])  # "Refund_not_showing_up" is refund_not_showing_up
            if not owner.get(code):
                unanswerable[row["category"]] += 1
                continue
            queries.append(Query(one_line(row["text"]), owner[code], row["category"]))
    if unanswerable:
        print(f"  note: {sum(unanswerable.values())} rows skipped, no process for {sorted(unanswerable)}")
    return queries


def warm_split(docs: dict[str, Doc]) -> tuple[list[dict[str, str]], list[Query]]:
    """(example rows to import, queries): banking77 rows outside the phrasings, halved per category."""
    phrasings = {p for doc in docs.values() for p in doc.phrasings}
    owner: dict[str, list[str]] = collections.defaultdict(list)
    for doc in docs.values():
        for code in doc.contact_reasons:
            owner[code].append(doc.path)
    by_category: dict[str, list[str]] = collections.defaultdict(list)
    with BANKING77_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["text"] not in phrasings and owner.get(reason_code(row["category"])):
                by_category[row["category"]].append(row["text"])
    examples, queries = [], []
    for category, texts in sorted(by_category.items()):
        ordered = sorted(dict.fromkeys(texts), key=lambda t: hashlib.sha1(t.encode("utf-8")).hexdigest())
        for i, text in enumerate(ordered):
            if i % 2 == 0:
                examples.append({"text": text, "category": category})
            else:
                queries.append(Query(one_line(text), owner[reason_code(category)], category))
    return examples, queries


def add_examples(docs: dict[str, Doc], rows: list[dict[str, str]]) -> dict[str, Doc]:
    """The documents as the baseline sees them once the examples are imported."""
    owner: dict[str, list[str]] = collections.defaultdict(list)
    for doc in docs.values():
        for code in doc.contact_reasons:
            owner[code].append(doc.path)
    extra: dict[str, list[str]] = collections.defaultdict(list)
    for row in rows:
        for path in owner[reason_code(row["category"])]:
            extra[path].append(row["text"])
    return {
        path: Doc(doc.path, doc.title, "\n".join([doc.body, *extra[path]]), doc.contact_reasons, doc.phrasings)
        for path, doc in docs.items()
    }


def import_examples(data_dir: Path, rows: list[dict[str, str]]) -> str:
    """Import the rows with the app's command; returns its summary line."""
    file = data_dir / "warm-examples.csv"
    with file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "category"])
        writer.writeheader()
        writer.writerows(rows)
    done = flask(data_dir, "guidance", "examples", "import", str(file), "--reason-column", "category")
    if done.returncode:
        raise ImportFailed(f"flask guidance examples import exited {done.returncode}: {last_line(done.stderr)}")
    # The examples' passages are not embedded yet (a command leaves that to a server): this embeds them.
    status = flask(data_dir, "guidance", "index-status", "--wait")
    if status.returncode:
        raise ImportFailed(f"flask guidance index-status exited {status.returncode}: {last_line(status.stderr)}")
    return f"{last_line(done.stdout)}; {last_line(status.stdout)}"


def typo_queries(docs: dict[str, Doc]) -> list[Query]:
    """The short bank queries with one typo in their longest word (see the module's docstring)."""
    chosen, typos = random.Random(7), []
    for query in bank_queries(docs):
        words = query.text.split()
        longest = max(range(len(words)), key=lambda n: len(words[n].strip("?.,!")))
        word = words[longest].strip("?.,!")
        if 2 <= len(words) <= 5 and len(word) >= 5 and word.isalpha():
            words[longest] = typed_wrong(word, chosen)
            typos.append(Query(" ".join(words), query.answers, query.label))
    return typos


def typed_wrong(word: str, chosen: random.Random) -> str:
    at, kind = chosen.randrange(1, len(word) - 1), chosen.choice(["left out", "doubled", "swapped", "another"])
    if kind == "left out":
        return word[:at] + word[at + 1 :]
    if kind == "doubled":
        return word[:at] + word[at] + word[at:]
    if kind == "swapped":
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word[:at] + chosen.choice([c for c in "abcdefghijklmnopqrstuvwxyz" if c != word[at]]) + word[at + 1 :]


def handbook_queries(docs: dict[str, Doc]) -> list[Query]:
    data = json.loads(HANDBOOK_QUERIES.read_text(encoding="utf-8"))
    queries = []
    for item in data["queries"]:
        missing = [a for a in item["answers"] if a not in docs]
        if missing:
            raise SystemExit(f"{HANDBOOK_QUERIES}: {item['query']!r}: no such page {missing}")
        queries.append(Query(one_line(item["query"]), list(item["answers"]), item.get("style", "")))
    return queries


def sample(queries: list[Query], limit: int | None) -> list[Query]:
    """`limit` queries evenly spread over the set (every k-th, k fractional; deterministic)."""
    if not limit or limit >= len(queries):
        return queries
    return [queries[i * len(queries) // limit] for i in range(limit)]


# --------------------------------------------------------------------------- app (CLI)


def app_env(data_dir: Path, semantic: bool = True) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUIDANCE_") and k != "FLASK_APP"}
    env["GUIDANCE_DATA_DIR"] = str(data_dir)
    env["GUIDANCE_SEMANTIC_RERANK"] = "1" if semantic else "0"
    if EMBEDDING_CACHE_PATH:
        env["GUIDANCE_EMBEDDING_CACHE"] = str(EMBEDDING_CACHE_PATH)
    return env


EMBEDDING_CACHE_PATH: Path | None = EMBEDDING_CACHE


def flask(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(FLASK), "--app", "guidance", *args],
        cwd=ROOT,
        env=app_env(data_dir),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )


@dataclass
class ImportResult:
    files: int
    imported: int | None = None
    failed: list[str] = field(default_factory=list)  # "path:line: message"
    warnings: int = 0
    seconds: float = 0.0
    summary: str = ""
    reused: bool = False
    lexical_seconds: float = 0.0  # import done: the lexical index is live
    status: str = ""  # index-status after waiting for the embeddings


def import_corpus(data_dir: Path, directory: Path) -> ImportResult:
    files = len([p for p in directory.rglob("*.md") if p.is_file()])
    started = time.perf_counter()
    upgrade = flask(data_dir, "db", "upgrade")
    if upgrade.returncode:
        raise ImportFailed(f"flask db upgrade exited {upgrade.returncode}: {last_line(upgrade.stderr)}")
    done = flask(data_dir, "guidance", "import", str(directory))
    result = ImportResult(files=files, seconds=time.perf_counter() - started)
    prefix = str(directory) + "/"
    for line in done.stdout.splitlines():
        if line.startswith("not imported: "):
            result.failed.append(line[len("not imported: ") :].replace(prefix, "", 1))
        elif line.startswith("warning: "):
            result.warnings += 1
        match = re.match(r"(\d+) created, (\d+) updated, (\d+) unchanged, (\d+) not imported", line)
        if match:
            created, updated, unchanged, _ = map(int, match.groups())
            result.imported = created + updated + unchanged
            result.summary = line
    if done.returncode or result.imported is None:
        raise ImportFailed(f"flask guidance import exited {done.returncode}: {last_line(done.stderr)}")
    result.lexical_seconds = time.perf_counter() - started
    # The import leaves the semantic stage to the background; a script waits for it like this.
    status = flask(data_dir, "guidance", "index-status", "--wait")
    if status.returncode:
        raise ImportFailed(f"flask guidance index-status exited {status.returncode}: {last_line(status.stderr)}")
    result.seconds = time.perf_counter() - started
    result.status = last_line(status.stdout)
    return result


class ImportFailed(Exception):
    pass


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(no output)"


def imported_paths(data_dir: Path) -> set[str] | None:
    """Source paths of the published documents in a reused SQLite data dir (best effort)."""
    try:
        con = sqlite3.connect(f"file:{data_dir / 'guidance.db'}?mode=ro", uri=True)
        rows = con.execute(
            "SELECT r.source_path FROM documents d JOIN revisions r ON r.id = d.published_revision_id"
        ).fetchall()
        con.close()
        return {row[0] for row in rows}
    except sqlite3.Error:
        return None


def app_available(data_dir: Path) -> tuple[bool, str]:
    probe = flask(data_dir, "guidance", "search", "--help")
    if probe.returncode:
        return False, last_line(probe.stderr)
    return True, ""


def app_search(
    data_dir: Path, queries: list[Query], semantic: bool = True
) -> tuple[list[list[dict]], float, list[bool]]:
    """One process for the whole set; each query's results (in order), seconds, and whether
    the app said "no good match" for each."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(FLASK), "--app", "guidance", "guidance", "search", "-", "--json", "--limit", str(TOP)],
        cwd=ROOT,
        env=app_env(data_dir, semantic),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    errors: list[str] = []

    def feed() -> None:
        try:
            process.stdin.write("".join(q.text + "\n" for q in queries))
            process.stdin.close()
        except BrokenPipeError:
            pass

    threads = [
        threading.Thread(target=feed, daemon=True),
        threading.Thread(target=lambda: errors.append(process.stderr.read()), daemon=True),
    ]
    for thread in threads:
        thread.start()
    lines = []
    show = sys.stderr.isatty()
    for line in process.stdout:  # read as it comes, so a long run shows progress
        if line.strip():
            lines.append(line)
            if show and len(lines) % 200 == 0:
                print(f"\r  app search: {len(lines)}/{len(queries)}", end="", file=sys.stderr, flush=True)
    process.wait()
    for thread in threads:
        thread.join()
    if show:
        print("\r" + " " * 40 + "\r", end="", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - started
    if process.returncode:
        raise RuntimeError(f"search exited {process.returncode}: {''.join(errors).strip()[-1000:]}")
    if len(lines) != len(queries):
        raise RuntimeError(f"search printed {len(lines)} lines for {len(queries)} queries")
    results, flags = [], []
    for query, line in zip(queries, lines, strict=True):
        obj = json.loads(line)
        if one_line(obj.get("query", "")) != query.text:
            raise RuntimeError(f"search answered {obj.get('query')!r} where {query.text!r} was asked")
        results.append(obj.get("results") or [])
        flags.append(bool(obj.get("no_good_match")))
    return results, seconds, flags


def _share(flags: list[bool]) -> float:
    return round(sum(flags) / max(len(flags), 1), 4)


def out_of_scope(data_dir: Path, limit: int | None) -> dict:
    """How often the app says "no good match" to requests the library does not cover."""
    lines = [one_line(t) for t in OUT_OF_SCOPE.read_text(encoding="utf-8").splitlines() if t.strip()]
    queries = sample([Query(t, []) for t in lines], limit)
    _, _, flags = app_search(data_dir, queries)
    _, _, lexical = app_search(data_dir, queries, semantic=False)
    return {"queries": len(queries), "app": _share(flags), "lexical": _share(lexical)}


def app_ranking(results: list[dict]) -> list[str]:
    """Document paths in rank order, each once (steps of one document collapse)."""
    ranking = []
    for result in results:
        path = result.get("source_path") or (result.get("slug", "") + ".md")
        if path not in ranking:
            ranking.append(path)
    return ranking[:TOP]


# --------------------------------------------------------------------------- baseline (FTS5)


def fts5_index(docs: dict[str, Doc]) -> sqlite3.Connection:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(slug, title, body)")
    con.executemany(
        "INSERT INTO docs (slug, title, body) VALUES (?, ?, ?)",
        [(doc.slug, doc.title, doc.body) for doc in docs.values()],
    )
    return con


def fts5_query(text: str) -> str:
    tokens = dict.fromkeys(re.findall(r"\w+", text.lower()))
    return " OR ".join(f'"{token}"' for token in tokens)


def fts5_search(con: sqlite3.Connection, queries: list[Query]) -> tuple[list[list[str]], float]:
    started = time.perf_counter()
    rankings = []
    for query in queries:
        match = fts5_query(query.text)
        rows = (
            con.execute(
                f"SELECT slug FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT {TOP}", (match,)
            ).fetchall()
            if match
            else []
        )
        rankings.append([slug + ".md" for (slug,) in rows])
    return rankings, time.perf_counter() - started


# --------------------------------------------------------------------------- metrics


def first_rank(ranking: list[str], answers: list[str]) -> int | None:
    for rank, path in enumerate(ranking[:TOP], 1):
        if path in answers:
            return rank
    return None


def score(queries: list[Query], rankings: list[list[str]]) -> dict[str, float]:
    totals = dict.fromkeys(METRICS, 0.0)
    for query, ranking in zip(queries, rankings, strict=True):
        rank = first_rank(ranking, query.answers)
        top3 = set(ranking[:3])
        totals["success@1"] += rank == 1
        totals["success@3"] += rank is not None and rank <= 3
        totals["recall@3"] += len(top3 & set(query.answers)) / len(set(query.answers))
        totals["mrr"] += 1 / rank if rank else 0.0
    n = len(queries) or 1
    return {"queries": len(queries), **{k: round(v / n, 4) for k, v in totals.items()}}


def worst_categories(queries: list[Query], rankings: list[list[str]], count: int = 15) -> list[dict]:
    asked, missed = collections.Counter(), collections.Counter()
    wrong_first: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for query, ranking in zip(queries, rankings, strict=True):
        asked[query.label] += 1
        if not ranking or ranking[0] not in query.answers:
            missed[query.label] += 1
            wrong_first[query.label][ranking[0] if ranking else "(no result)"] += 1
    rows = []
    for category, misses in missed.most_common():
        top_wrong, times = wrong_first[category].most_common(1)[0]
        rows.append(
            {
                "category": category,
                "missed": misses,
                "asked": asked[category],
                "expected": query_answer(queries, category),
                "most_common_wrong_first": top_wrong,
                "wrong_first_times": times,
            }
        )
    rows.sort(key=lambda r: (-r["missed"], -r["missed"] / r["asked"], r["category"]))
    return rows[:count]


def query_answer(queries: list[Query], category: str) -> str:
    return next((", ".join(q.answers) for q in queries if q.label == category), "")


# --------------------------------------------------------------------------- report


def fmt(value: float | None) -> str:
    return "   -  " if value is None else f"{value:6.3f}"


def ratio(app: float | None, base: float | None) -> float | None:
    if app is None or not base:
        return None
    return round(app / base, 3)


def print_table(report: dict) -> None:
    # app: the search as shipped (lexical + semantic re-ranking); lexical: the same search with
    # re-ranking off (what runs without the model package); fts5: the plain BM25 baseline.
    header = f"{'set':<9} {'metric':<10} {'app':>7} {'lexical':>8} {'fts5':>7} {'app/fts5':>9} {'lexical/fts5':>13}"
    print("\n" + header + "\n" + "-" * len(header))
    for name in SETS:
        if name not in report["sets"]:
            continue
        entry = report["sets"][name]
        app, base = entry["engines"].get("app"), entry["engines"]["fts5"]
        lexical = entry["engines"].get("lexical")
        n = f"{base['queries']} q"
        print(f"{name:<9} {'queries':<10} {'':>7} {'':>8} {n:>7}")
        for metric in METRICS:
            a = app[metric] if app else None
            lx = lexical[metric] if lexical else None
            print(
                f"{'':<9} {metric:<10} {fmt(a):>7} {fmt(lx):>8} {fmt(base[metric]):>7} "
                f"{fmt(ratio(a, base[metric])):>9} {fmt(ratio(lx, base[metric])):>13}"
            )
        timing = "  ".join(
            f"{engine} {e['seconds']:.1f}s ({1000 * e['seconds'] / max(e['queries'], 1):.1f} ms/q)"
            for engine, e in entry["engines"].items()
        )
        print(f"{'':<9} {'time':<10} {timing}")
        if app and "no_good_match" in app:
            # In scope, "no good match" is a false alarm; out of scope, it is the right answer.
            print(
                f"{'':<9} {'no-match':<10} {fmt(app['no_good_match']):>7} {fmt(lexical['no_good_match']):>8}"
                "   (in-scope queries told 'no good match': lower is better)"
            )
        oos = entry.get("out_of_scope")
        if oos:
            print(
                f"{'oos':<9} {'no-match':<10} {fmt(oos['app']):>7} {fmt(oos['lexical']):>8}"
                f"   ({oos['queries']} out-of-scope requests told 'no good match': higher is better)"
            )
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit-queries", type=int, metavar="N", help="at most N queries per set (every k-th)")
    parser.add_argument("--only", choices=SETS, help="run one query set")
    parser.add_argument("--quick", action="store_true", help="a 400-query sample per set, for tuning")
    parser.add_argument("--fresh-embeddings", action="store_true", help=f"do not reuse {EMBEDDING_CACHE}")
    parser.add_argument("--keep", action="store_true", help="keep the data dirs and print their path")
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="reuse an imported data dir from --keep (DIR/bank, DIR/handbook; with --only, DIR itself "
        "may be the data dir); skips the import",
    )
    args = parser.parse_args(argv)
    if args.quick and not args.limit_queries:
        args.limit_queries = 400
    global EMBEDDING_CACHE_PATH
    if args.fresh_embeddings:
        EMBEDDING_CACHE_PATH = None
    else:
        EMBEDDING_CACHE.parent.mkdir(parents=True, exist_ok=True)
    if not FLASK.exists():
        raise SystemExit(f"{FLASK} not found: run `make install` first")

    started = time.perf_counter()
    chosen = [args.only] if args.only else list(SETS)
    corpora = {"bank": BANK_DIR, "bank-typos": BANK_DIR, "bank-warm": BANK_DIR, "handbook": HANDBOOK_DIR}
    if args.data_dir:
        root, temporary = args.data_dir.resolve(), False
    else:
        root, temporary = Path(tempfile.mkdtemp(prefix="guidance-search-quality-")), True
    report: dict = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "commit": git_head(),
        "limit_queries": args.limit_queries,
        "top": TOP,
        "ranking": "document level: a document returned several times counts at its best rank",
        "sets": {},
    }
    worst = None
    try:
        for name in chosen:
            directory = corpora[name]
            print(f"== {name}: {directory}")
            data_dir = root / ("bank" if name == "bank-typos" else name)  # the same library as "bank"
            if args.data_dir and not data_dir.exists() and args.only:
                data_dir = root
            docs = load_docs(directory)
            import_error = None
            if args.data_dir or (name == "bank-typos" and data_dir.exists()):
                if not (data_dir / "guidance.db").exists():
                    print(f"  warning: no guidance.db in {data_dir}")
                imported = ImportResult(files=len(docs), reused=True)
                paths = imported_paths(data_dir)
                if paths is not None:
                    imported.imported = len(paths & docs.keys())
                    imported.failed = sorted(docs.keys() - paths)
                print(f"  reusing {data_dir}: {imported.imported} of {len(docs)} files are published")
            else:
                data_dir.mkdir(parents=True)
                try:
                    imported = import_corpus(data_dir, directory)
                except ImportFailed as error:  # the baseline still runs; the app is reported unavailable
                    print(f"  import failed: {error}")
                    imported, import_error = ImportResult(files=len(docs)), str(error)
                else:
                    import_error = None
                    print(
                        f"  import: {imported.summary} ({imported.warnings} warning lines): lexically searchable "
                        f"in {imported.lexical_seconds:.1f}s, embeddings current in {imported.seconds:.1f}s "
                        f"({imported.status})"
                    )
                    if name == "bank-warm":
                        started_examples = time.perf_counter()
                        try:
                            summary = import_examples(data_dir, warm_split(docs)[0])
                        except ImportFailed as error:
                            print(f"  examples import failed: {error}")
                            import_error = str(error)
                        else:
                            seconds = time.perf_counter() - started_examples
                            print(f"  examples: {summary} in {seconds:.1f}s")
                for line in imported.failed:
                    print(f"  not imported: {line}")
            # The baseline indexes the same documents the app holds.
            failed_paths = {line.split(":", 1)[0] for line in imported.failed}
            indexed = {path: doc for path, doc in docs.items() if path not in failed_paths}

            if name == "bank-warm":
                example_rows, queries = warm_split(docs)
                indexed = add_examples(indexed, example_rows)
            else:
                queries = {"bank": bank_queries, "bank-typos": typo_queries}.get(name, handbook_queries)(docs)
            total = len(queries)
            queries = sample(queries, args.limit_queries)
            print(f"  {len(queries)} queries" + (f" (sampled from {total})" if len(queries) < total else ""))

            entry = {
                "corpus": str(directory),
                "files": len(docs),
                "import": {
                    "imported": imported.imported,
                    "not_imported": imported.failed,
                    "warning_lines": imported.warnings,
                    "seconds": round(imported.seconds, 2),
                    "lexical_seconds": round(imported.lexical_seconds, 2),
                    "reused_data_dir": imported.reused,
                    "error": import_error,
                },
                "engines": {},
            }
            rankings: dict[str, list[list[str]]] = {}

            con = fts5_index(indexed)
            rankings["fts5"], seconds = fts5_search(con, queries)
            entry["engines"]["fts5"] = {**score(queries, rankings["fts5"]), "seconds": round(seconds, 2)}

            ok, why = (False, f"import failed: {import_error}") if import_error else app_available(data_dir)
            if not ok:
                print(f"  app search not available ({why}); reporting the FTS5 baseline only")
                entry["app_unavailable"] = why
            else:
                try:
                    results, seconds, no_match = app_search(data_dir, queries)
                except (RuntimeError, json.JSONDecodeError) as error:
                    print(f"  app search failed: {error}; reporting the FTS5 baseline only")
                    entry["app_unavailable"] = str(error)
                else:
                    rankings["app"] = [app_ranking(r) for r in results]
                    lexical, lexical_seconds, lexical_no_match = app_search(data_dir, queries, semantic=False)
                    rankings["lexical"] = [app_ranking(r) for r in lexical]
                    entry["engines"] = {
                        "app": {**score(queries, rankings["app"]), "seconds": round(seconds, 2)},
                        "lexical": {**score(queries, rankings["lexical"]), "seconds": round(lexical_seconds, 2)},
                        **entry["engines"],
                    }
                    entry["engines"]["app"]["no_good_match"] = _share(no_match)
                    entry["engines"]["lexical"]["no_good_match"] = _share(lexical_no_match)
                    if name == "bank":
                        entry["out_of_scope"] = out_of_scope(data_dir, args.limit_queries)
                    foreign = {p for r in rankings["app"] for p in r} - docs.keys()
                    if foreign:
                        print(
                            f"  warning: app returned {len(foreign)} paths not in the corpus, e.g. {sorted(foreign)[:3]}"
                        )
            if "app" in entry["engines"]:
                entry["ratio_app_over_fts5"] = {
                    m: ratio(entry["engines"]["app"][m], entry["engines"]["fts5"][m]) for m in METRICS
                }
            engine = "app" if "app" in rankings else "fts5"
            if name.startswith("bank"):
                worst = (engine, worst_categories(queries, rankings[engine]))
                entry["worst_categories"] = {"engine": engine, "rows": worst[1]}
            else:
                entry["per_query"] = [
                    {
                        "query": q.text,
                        "style": q.label,
                        "answers": q.answers,
                        **{f"{e}_rank": first_rank(rankings[e][i], q.answers) for e in rankings},
                        **{f"{e}_first": (rankings[e][i][:1] or [None])[0] for e in rankings},
                    }
                    for i, q in enumerate(queries)
                ]
            report["sets"][name] = entry
    finally:
        if temporary and not args.keep:
            shutil.rmtree(root, ignore_errors=True)

    print_table(report)
    if worst:
        engine, rows = worst
        print(f"Worst-missed banking77 categories ({engine}, by top-1 misses):")
        print(f"  {'category':<34} {'missed':>10}  expected -> most common wrong first result")
        for r in rows:
            print(
                f"  {r['category']:<34} {r['missed']:>4}/{r['asked']:<5}  {r['expected'][:-3]}"
                f" -> {r['most_common_wrong_first'].removesuffix('.md')} (x{r['wrong_first_times']})"
            )
        print()
    handbook = report["sets"].get("handbook")
    if handbook:
        engine = "app" if "app" in handbook["engines"] else "fts5"
        misses = [q for q in handbook["per_query"] if not (q[f"{engine}_rank"] and q[f"{engine}_rank"] <= 3)]
        print(f"Handbook queries {engine} misses in the top 3 ({len(misses)} of {len(handbook['per_query'])}):")
        for q in misses:
            got = (q[f"{engine}_first"] or "(no result)").removesuffix(".md")
            print(f"  {q['query'][:60]!r:<64} rank {q[f'{engine}_rank'] or '-':>2}  first: {got}")
        print()

    report["seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}; total {report['seconds']}s")
    if temporary and args.keep:
        print(f"data dirs kept in {root} (reuse with --data-dir {root})")
    return 0


def git_head() -> str | None:
    """HEAD, with "+dirty" when the app's files differ from it (read-only git commands)."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", "guidance", "migrations"], cwd=ROOT, capture_output=True, text=True
        )
    except OSError:
        return None
    commit = head.stdout.strip()
    return (commit + ("+dirty" if status.stdout.strip() else "")) or None


if __name__ == "__main__":
    sys.exit(main())
