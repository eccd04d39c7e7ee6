"""Speed as agents meet it: over HTTP, with 20 concurrent connections, against gunicorn, next to a
trivial Flask "hello" page served by the same gunicorn settings in the same run.

    .venv/bin/python benchmarks/http_speed.py                  # the starter library (about 3 minutes)
    .venv/bin/python benchmarks/http_speed.py --docs 10000     # plus generated pages (search at scale;
                                                               # their passages get random vectors)

Absolute figures swing 2-3x on a shared 2-core machine; the ratio to "hello" much less, so the
table leads with it. Each row is the median of --rounds wrk runs, each with new connections, and
shows how the connections fell among gunicorn's workers (see rounds_of_wrk). Needs `wrk` (Debian's package; installed when missing, as root or via sudo).
Writes benchmarks/results/http_speed.json.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.faults import Browser, gunicorn, hello_server  # noqa: E402 - the same servers the fault tests start

BANKING77 = (ROOT / ".." / "shared" / "corpora" / "banking77" / "train.csv").resolve()
RESULTS = ROOT / "benchmarks" / "results" / "http_speed.json"
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %f %d %d %d\\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(95), summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""
# Each wrk thread walks the list from its own place: every request asks something not asked
# before in the run, so the search is answered the long way (no repeated-answer memory).
ROTATING_LUA = """
local threads = 0
setup = function(thread)
  thread:set("offset", threads * 100000)
  threads = threads + 1
end
init = function(args)
  counter = offset or 0
end
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
"""


def prepare(data_dir: Path, docs: int, real_embeddings: bool = True) -> None:
    """A data dir with the starter library (and generated pages) and an agent to log in as."""
    import flask_migrate

    from benchmarks.search_speed import build_corpus
    from guidance import create_app
    from guidance.services.library import import_tree
    from guidance.services.users import create_user

    app = create_app({"DATA_DIR": str(data_dir), "SECRET_KEY": "benchmark"})
    with app.app_context():
        flask_migrate.upgrade()
        create_user("agent", "agent", "agent-password")
        import_tree(ROOT / "content")
        if docs:
            corpus = data_dir / "corpus"
            build_corpus(corpus, docs, random.Random(7))
            import_tree(corpus)
        from guidance import search

        search.engine().rebuild()
        # Every passage embedded before the clock starts: a server still embedding in the
        # background would share the cores with whatever is being measured.
        if real_embeddings:
            search.engine().wait_until_current()
        else:  # (generated pages: random unit vectors, as in search_speed.py; hours saved)
            from benchmarks.search_speed import fill_embeddings

            fill_embeddings(search.engine(), real=False)


def wrk(
    url: str, cookie: str, seconds: int, headers: dict[str, str] | None = None, paths: list[str] | None = None
) -> dict:
    """`paths`: ask each in turn (on `url`'s server) instead of `url` again and again. Also gives
    how wrk's 20 connections were shared among the server's processes, counted half-way."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    table = "paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n" + ROTATING_LUA if paths else ""
    script.write_text(table + LUA)
    command = ["wrk", "-t2", "-c20", f"-d{seconds}s", "-s", str(script), "-H", f"Cookie: {cookie}"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    running = subprocess.Popen([*command, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(seconds / 2)
    split = connections_by_process(urllib.parse.urlsplit(url).port)
    output, problem = running.communicate()
    if running.returncode:
        raise RuntimeError(f"wrk failed: {problem}")
    line = next(text for text in output.splitlines() if text.startswith("RESULT"))
    rate, p50, p95, errors = line.split()[1:]
    return {
        "req_s": round(float(rate), 1),
        "p50_ms": int(p50) / 1000,
        "p95_ms": int(p95) / 1000,
        "errors": int(errors),
        "split": "/".join(map(str, split)),
    }


def connections_by_process(port: int) -> list[int]:
    """The server's established connections on `port`, counted per process holding them (most first)."""
    established = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:
            established.add(f"socket:[{fields[9]}]")
    counts = []
    for process in Path("/proc").iterdir():
        if not process.name.isdigit():
            continue
        try:
            held = sum(os.readlink(fd) in established for fd in (process / "fd").iterdir())
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if held:
            counts.append(held)
    return sorted(counts, reverse=True)


def rounds_of_wrk(count: int, url: str, cookie: str, seconds: int, headers: dict, paths: list[str] | None) -> dict:
    """The median of `count` wrk runs by requests per second, each with new connections.

    gunicorn's workers share one listening socket, and whichever takes a connection first keeps
    it: wrk opens its 20 in one burst, and sometimes one worker took them all (20/0: 240-248 req/s
    of suggestions, against 840-950 when they were shared 10/10 to 16/4), where many agents'
    browsers, connecting over time, go to whichever worker is free. One run was a draw of that."""
    share = len(paths) // count if paths else 0
    runs = [
        wrk(url, cookie, seconds, headers, paths[i * share : (i + 1) * share] if paths else None) for i in range(count)
    ]
    runs.sort(key=lambda run: run["req_s"])
    return {**runs[len(runs) // 2], "rounds_req_s": [run["req_s"] for run in runs]}


def sequential(base: str, paths: list[str], headers: dict[str, str]) -> dict:
    """One request at a time, timed from the client: half the paths on one kept-alive connection,
    as a browser asks (gunicorn's gthread worker keeps it open), the other half on a new connection
    each (two halves: a search asked twice would be answered from memory the second time)."""
    address = urllib.parse.urlsplit(base)
    result = {}
    for way, fresh, half in (("kept", False, paths[0::2]), ("new", True, paths[1::2])):
        times, connection = [], None
        for path in half:
            started = time.perf_counter()
            if connection is None or fresh:
                connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
            connection.request("GET", path, headers={**headers, **({"Connection": "close"} if fresh else {})})
            response = connection.getresponse()
            response.read()
            times.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
            if fresh:
                connection.close()
        connection.close()
        times.sort()
        result |= {
            f"{way}_n": len(times),
            f"{way}_p50_ms": round(statistics.median(times), 2),
            f"{way}_p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
        }
    return result


def user_agent(browser: Browser) -> str:
    """What the browser that logged in calls itself. wrk must say the same: Flask-Login ties a
    session to it, and a stranger's requests would each mark the session "not fresh" and have
    it re-signed and sent back, which no real browser (one name, cookies kept) makes happen."""
    return dict(browser.opener.addheaders)["User-agent"]


def session_cookie(browser: Browser) -> str:
    for handler in browser.opener.handlers:
        if isinstance(handler, urllib.request.HTTPCookieProcessor):
            return "; ".join(f"{c.name}={c.value}" for c in handler.cookiejar)
    raise RuntimeError("no cookie jar")


def queries(count: int, seed: int = 3, besides: list[str] = ()) -> list[str]:
    with BANKING77.open(encoding="utf-8") as file:
        texts = [row["text"] for row in csv.DictReader(file)]
    texts = sorted(set(texts) - set(besides))
    return random.Random(seed).sample(texts, count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=0, help="generated pages to add (search at scale)")
    parser.add_argument("--seconds", type=int, default=8, help="seconds per wrk run")
    parser.add_argument(
        "--rounds", type=int, default=3, help="wrk runs per row, each with new connections (the median is shown)"
    )
    parser.add_argument(
        "--shared-socket",
        action="store_true",
        help="serve as `make serve` does, the workers sharing one listening socket, instead of one each "
        "(SO_REUSEPORT, both servers): wrk's burst of connections then often all go to one worker",
    )
    parser.add_argument(
        "--real-embeddings",
        action="store_true",
        help="with --docs, embed every generated passage with the model (hours at 10,000 pages on 2 cores); "
        "by default the passages not already embedded get random unit vectors, so the semantic stage "
        "searches a full-size matrix with the real query model (and finds no near meaning in them)",
    )
    options = parser.parse_args()
    subprocess.run([str(ROOT / "bin" / "ensure-debian-packages"), "wrk"], check=True)
    if not options.shared_socket:  # (both servers start with this environment)
        os.environ["GUNICORN_CMD_ARGS"] = f"{os.environ.get('GUNICORN_CMD_ARGS', '')} --reuse-port".strip()
    work = Path(tempfile.mkdtemp(prefix="guidance-http-"))
    prepare(work, options.docs, real_embeddings=options.real_embeddings or not options.docs)
    (work / "hello").mkdir()
    rows: dict[str, dict] = {}
    # The same settings for both: guidance/serving.py (gthread, 2 workers x 2 threads).
    with hello_server(work / "hello") as hello_base, gunicorn(work) as (base, _master):
        browser = Browser(base)
        browser.login("agent", "agent-password")
        cookie = session_cookie(browser)
        same_browser = {"User-Agent": user_agent(browser)}
        step = "/d/processes/payments/charged-twice/steps/compare"
        search = "/search?" + urllib.parse.urlencode({"q": "I was charged twice for one purchase", "live": "1"})
        suggest = "/search/suggest?q=card+arr"
        fragment = {"HX-Request": "true", **same_browser}
        asked = queries(200)
        # More messages than can be asked in the run, none of them asked one at a time below.
        rotating = [
            "/search?" + urllib.parse.urlencode({"q": q, "live": "1"})
            for q in queries(400 * options.seconds * options.rounds, seed=4, besides=asked)
        ]
        for name, url, headers, paths in (
            ("hello", f"{hello_base}/", same_browser, None),
            ("step page", base + step, same_browser, None),
            ("search (htmx fragment)", base + search, fragment, None),
            ("search (rotating queries)", base + "/", fragment, rotating),
            ("suggestions", base + suggest, same_browser, None),
        ):
            rows[name] = rounds_of_wrk(options.rounds, url, cookie, options.seconds, headers, paths)
            print(f"  {name}: {rows[name]}", file=sys.stderr)
        logged_in = {"Cookie": cookie, **same_browser}
        typed = [q[: random.Random(i).randint(3, 12)] for i, q in enumerate(asked)]
        rows["sequential hello"] = sequential(hello_base, ["/"] * len(asked), same_browser)
        rows["sequential search"] = sequential(
            base, ["/search?" + urllib.parse.urlencode({"q": q, "live": "1"}) for q in asked], {**logged_in, **fragment}
        )
        rows["sequential suggestions"] = sequential(
            base, ["/search/suggest?" + urllib.parse.urlencode({"q": q}) for q in typed], logged_in
        )
    report(rows, options)


def report(rows: dict[str, dict], options) -> None:
    hello = rows["hello"]["req_s"]
    print(
        f"\nwrk -t2 -c20 -d{options.seconds}s, the median of {options.rounds} runs, against gunicorn (guidance/serving.py"
        f"{', workers sharing one socket' if options.shared_socket else ', a socket per worker'}), "
        f"starter library{f' + {options.docs:,} generated pages' if options.docs else ''}, logged in as an agent"
        + (" (generated passages: random vectors)" if options.docs and not options.real_embeddings else "")
        + "\n"
    )
    print("(search: one message asked again and again, then a different message each request)\n")
    print(
        f"{'':28}{'req/s':>9}{'of hello':>10}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}  connections per worker; runs' req/s"
    )
    for name in ("hello", "step page", "search (htmx fragment)", "search (rotating queries)", "suggestions"):
        row = rows[name]
        print(
            f"{name:28}{row['req_s']:>9.0f}{row['req_s'] / hello:>9.1%}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}"
            f"{row['errors']:>8}  {row['split']:>5}; {', '.join(f'{r:.0f}' for r in row['rounds_req_s'])}"
        )
    print(
        "\none request at a time (200 real customer messages; their first 3-12 letters for suggestions),"
        "\nhalf on one kept-alive connection as a browser asks, half on a new connection for each request\n"
    )
    print(f"{'':28}{'kept p50':>9}{'p95':>9}{'new p50':>10}{'p95':>9}")
    for name in ("sequential hello", "sequential search", "sequential suggestions"):
        row = rows[name]
        print(
            f"{name:28}{row['kept_p50_ms']:>9.1f}{row['kept_p95_ms']:>9.1f}{row['new_p50_ms']:>10.1f}"
            f"{row['new_p95_ms']:>9.1f}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"docs": options.docs, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
