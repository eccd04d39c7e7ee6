"""Search speed at library scale: the app's search next to SQLite FTS5 on the same documents.

    .venv/bin/python benchmarks/search_speed.py                 # 10,000 documents (several minutes)
    .venv/bin/python benchmarks/search_speed.py --docs 2000     # a quicker look

The corpus is the Sourcegraph handbook (883 real pages) plus generated pages up to --docs: each
generated page mixes paragraphs and headings sampled from the handbook, and one in four carries
front matter (summary, synonyms) as trainers write it, so semantic re-ranking has work to do.
Everything goes through the app's own code: import (database + index), a full rebuild, then
searches as agents run them (with highlighted snippets and the best step), and as-you-type
title suggestions. The same documents go into an FTS5 table for the baseline.

Prints medians and 95th percentiles, and the ratio app/FTS5; writes benchmarks/results/search_speed.json.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HANDBOOK = (ROOT / ".." / "shared" / "corpora" / "sourcegraph-handbook" / "content").resolve()
QUERIES = ROOT / "benchmarks" / "handbook_queries.json"
BANKING77 = (ROOT / ".." / "shared" / "corpora" / "banking77" / "train.csv").resolve()
RESULTS = ROOT / "benchmarks" / "results" / "search_speed.json"
WORD = re.compile(r"[A-Za-z][a-z]{3,}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 2), "p95_ms": round(percentile(ms, 0.95), 2)}


def build_corpus(target: Path, total: int, rng: random.Random) -> None:
    pages = sorted(HANDBOOK.rglob("*.md"))
    paragraphs, headings = [], []
    for page in pages:
        relative = page.relative_to(HANDBOOK)
        (target / "handbook" / relative).parent.mkdir(parents=True, exist_ok=True)
        text = page.read_text(encoding="utf-8", errors="replace")
        (target / "handbook" / relative).write_text(text, encoding="utf-8")
        for block in re.split(r"\n\s*\n", text):
            block = block.strip()
            if block.startswith("#"):
                headings.append(block.lstrip("#").strip().split("\n")[0][:80])
            elif 80 < len(block) < 1200 and not block.startswith(("---", "|", "<", "```")):
                paragraphs.append(re.sub(r"\]\([^)]*\)", "]", block))  # no links: nothing to check
    headings = [h for h in headings if h and "{" not in h]
    for number in range(total - len(pages)):
        title = f"{rng.choice(headings)} ({number})"
        parts = []
        if number % 4 == 0:
            synonyms = ", ".join(rng.sample(headings, 3)).replace("[", "").replace("]", "")
            parts.append(
                f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\nsummary: {json.dumps(rng.choice(headings), ensure_ascii=False)}\n"
                f"synonyms: {json.dumps([s.strip() for s in synonyms.split(',')])}\n---\n"
            )
        else:
            parts.append(f"# {title}\n")
        for _ in range(rng.randint(2, 5)):
            parts.append(f"## {rng.choice(headings)}\n")
            parts.extend(rng.sample(paragraphs, rng.randint(1, 3)))
        path = target / "generated" / f"{number // 1000:02d}" / f"page-{number:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def queries(rng: random.Random, count: int) -> list[str]:
    handbook = [q["query"] for q in json.loads(QUERIES.read_text())["queries"]]
    lines = BANKING77.read_text(encoding="utf-8").splitlines()[1:]
    customer = [line.rsplit(",", 1)[0].strip('"') for line in rng.sample(lines, count // 3)]
    vocabulary = sorted({w.lower() for q in handbook for w in WORD.findall(q)})
    typed = [" ".join(rng.sample(vocabulary, rng.randint(2, 3))) for _ in range(count - len(handbook) - len(customer))]
    return handbook + customer + typed


def prefixes(texts: list[str]) -> list[str]:
    """What an agent has typed after each keystroke of the first two words."""
    out = []
    for text in texts:
        words = text.split()[:2]
        typed = " ".join(words)
        out += [typed[:n] for n in range(2, len(typed) + 1) if not typed[:n].endswith(" ")]
    return out


def fts5(corpus: Path) -> tuple[sqlite3.Connection, float]:
    started = time.perf_counter()
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(slug, title, body)")
    con.execute("CREATE VIRTUAL TABLE titles USING fts5(slug, title)")
    for path in corpus.rglob("*.md"):
        text = path.read_text(encoding="utf-8", errors="replace")
        title = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("# ")), path.stem)
        slug = str(path.relative_to(corpus))
        con.execute("INSERT INTO docs VALUES (?, ?, ?)", (slug, title, text))
        con.execute("INSERT INTO titles VALUES (?, ?)", (slug, title))
    con.commit()
    return con, time.perf_counter() - started


def fts5_match(text: str, prefix: bool = False) -> str:
    words = re.findall(r"\w+", text.lower())
    if prefix:
        return " AND ".join(f'"{w}"*' for w in words)
    return " OR ".join(f'"{w}"' for w in words)


def handbook_import(create_app, data: Path) -> dict:
    """Empty database to the 883-page handbook imported and lexically searchable."""
    import flask_migrate

    from guidance import search
    from guidance.services.library import import_tree

    app = create_app({"DATA_DIR": str(data)})
    with app.app_context():
        flask_migrate.upgrade()
        started = time.perf_counter()
        report = import_tree(HANDBOOK)
        seconds = time.perf_counter() - started
        assert search.engine().search("onboarding", role="agent").hits  # searchable: not only imported
        search.engine().index.close()
    return {"documents": report.created, "seconds": round(seconds, 2)}


def edit_one(engine, corpus: Path, times: int = 20) -> dict:
    """Publish an edit of one document and apply it to the index (what an author's save costs search)."""
    from guidance.extensions import db
    from guidance.models import Document, RevisionOrigin
    from guidance.services.publishing import Publication, new_revision, publish

    document = db.session.scalars(db.select(Document).where(Document.slug.like("generated/%")).limit(1)).one()
    seconds = []
    for number in range(times):
        current = document.published_revision
        source = current.source + f"\n\nEdit number {number}.\n"
        revision = new_revision(
            document, source, origin=RevisionOrigin.APP, author=None, source_path=current.source_path
        )
        started = time.perf_counter()
        publish([Publication(document, revision)], None)  # commits, then the index follows
        seconds.append(time.perf_counter() - started)
    return summary(seconds)


def fill_embeddings(engine, real: bool) -> tuple[int, int]:
    """Embed every passage (real), or give the ones not cached a random unit vector."""
    import numpy as np

    from guidance.search import vectors

    if real:
        engine.wait_until_current()
        return vectors.progress(engine.index.directory())["embedded"], 0
    engine.embedder.stop()
    directory, rng, filled = engine.index.directory(), np.random.default_rng(1), 0
    while todo := vectors.pending(directory, engine.index.cache, 5000):
        matrix = rng.standard_normal((len(todo), vectors.DIMENSIONS)).astype(np.float32)
        engine.index.cache.put([h for h, _ in todo], matrix / np.linalg.norm(matrix, axis=1, keepdims=True))
        filled += len(todo)
    state = vectors.materialize(directory, engine.index.cache)
    return state["rows"], filled


def timed(function, items) -> list[float]:
    seconds = []
    for item in items:
        started = time.perf_counter()
        function(item)
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--real-embeddings",
        action="store_true",
        help="embed every passage with the model before searching (hours at 10,000 documents on 2 cores); "
        "by default passages not in the cache get random unit vectors, so the semantic stage searches a "
        "full-size matrix with the real query model",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)

    import flask_migrate

    from guidance import create_app, search
    from guidance.services.library import import_tree

    with tempfile.TemporaryDirectory(prefix="guidance-speed-") as tmp:
        corpus, data = Path(tmp) / "corpus", Path(tmp) / "data"
        build_corpus(corpus, args.docs, rng)
        report: dict = {"documents": args.docs}
        handbook_data = Path(tmp) / "handbook-data"
        report["handbook_import_s"] = handbook_import(create_app, handbook_data)
        app = create_app({"DATA_DIR": str(data)})
        with app.app_context():
            flask_migrate.upgrade()
            engine = search.engine()
            engine.semantic = False  # the import measured alone: embeddings are the background's
            started = time.perf_counter()
            imported = import_tree(corpus)
            report["import_s"] = round(time.perf_counter() - started, 1)  # imported and lexically searchable
            report["imported"] = imported.created
            started = time.perf_counter()
            entries = engine.rebuild()
            report["rebuild_s"] = round(time.perf_counter() - started, 1)
            report["index_entries"] = entries
            report["edit_one_ms"] = edit_one(engine, corpus)
            engine.semantic = True
            report["passages"], report["synthetic_embeddings"] = fill_embeddings(engine, args.real_embeddings)
            texts = queries(rng, args.queries)
            typing = prefixes(texts)[: args.queries * 3]
            engine.search("warm up", role="agent")
            report["app_search"] = summary(timed(lambda t: engine.search(t, role="agent"), texts))
            semantic_was, engine.semantic = engine.semantic, False
            report["app_search_lexical"] = summary(timed(lambda t: engine.search(t, role="agent"), texts))
            engine.semantic = semantic_was
            report["app_suggest"] = summary(timed(lambda t: engine.suggest(t, role="agent"), typing))
            engine.index.close()
        con, report["fts5_build_s"] = fts5(corpus)
        report["fts5_build_s"] = round(report["fts5_build_s"], 1)

        def fts5_run(sql: str, match: str) -> list:
            return con.execute(sql, (match,)).fetchall() if match else []

        report["fts5_search"] = summary(
            timed(
                lambda t: fts5_run(
                    "SELECT slug FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 10", fts5_match(t)
                ),
                texts,
            )
        )
        report["fts5_suggest"] = summary(
            timed(
                lambda t: fts5_run(
                    "SELECT slug FROM titles WHERE titles MATCH ? ORDER BY bm25(titles) LIMIT 8",
                    fts5_match(t, prefix=True),
                ),
                typing,
            )
        )

    print(
        f"\n{report['documents']:,} documents ({report['imported']:,} imported, {report['index_entries']:,} index entries)"
    )
    print(
        f"index: import {report['import_s']} s (lexically searchable), full rebuild {report['rebuild_s']} s; "
        f"FTS5 build {report['fts5_build_s']} s\n"
        f"handbook ({report['handbook_import_s']['documents']} pages) into an empty database, lexically searchable: "
        f"{report['handbook_import_s']['seconds']} s; one edited document re-indexed: median "
        f"{report['edit_one_ms']['p50_ms']} ms, p95 {report['edit_one_ms']['p95_ms']} ms\n"
        f"semantic stage: {report['passages']} passages in the matrix"
        + (f" ({report['synthetic_embeddings']} with random vectors)\n" if report["synthetic_embeddings"] else "\n")
    )
    print(f"{'':<28}{'p50 ms':>9}{'p95 ms':>9}{'fts5 p50':>10}{'fts5 p95':>10}{'p95 ratio':>11}")
    for label, key, base in (
        ("search (as shipped)", "app_search", "fts5_search"),
        ("search (lexical only)", "app_search_lexical", "fts5_search"),
        ("as-you-type suggestions", "app_suggest", "fts5_suggest"),
    ):
        a, b = report[key], report[base]
        print(
            f"{label:<28}{a['p50_ms']:>9}{a['p95_ms']:>9}{b['p50_ms']:>10}{b['p95_ms']:>10}"
            f"{a['p95_ms'] / max(b['p95_ms'], 1e-6):>10.1f}x"
        )
    print(
        f"\n({report['app_search']['n']} searches, {report['app_suggest']['n']} suggestion prefixes; targets: "
        "search p95 < 30 ms, suggestions p95 < 5 ms at 10,000 documents; handbook < 5 s; "
        "10,000 documents lexically searchable < 40 s; one edit < 300 ms)"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
