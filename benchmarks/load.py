"""200 agents working a shift, proven: Locust against gunicorn, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/load.py                       # both databases, 2 minutes each
    .venv/bin/python benchmarks/load.py --database sqlite --minutes 1

Each simulated agent logs in, then with 2-8 s between actions searches with a real customer
message, opens a process, walks its steps and decisions, ticks checklist items, rates steps and
leaves notes, as a person at a desk would. Loopback only; the server is started here with the
settings of `make serve` (guidance/serving.py); PostgreSQL is a throwaway server like the tests'.
Afterwards the database is checked: every note and rating the server acknowledged (a 303) is
stored exactly once. A second, saturating run (no pauses) gives the maximum throughput next to a
trivial Flask "hello" page on the same settings. Needs `pip install -e '.[bench]'` (`make bench`).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from locust import HttpUser, between, constant, task  # noqa: E402

BANKING77 = (ROOT / ".." / "shared" / "corpora" / "banking77" / "train.csv").resolve()
AGENTS = 200
ARRIVAL = 40  # seconds for the whole shift to log in
PASSWORD = "agent-password-for-load"
ACKS = Path(os.environ.get("GUIDANCE_LOAD_ACKS", "/tmp/guidance-load-acks.jsonl"))
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
RUN_STEP = re.compile(r'action="(/runs/\d+/steps/[^"]+)"')
CHOICES = re.compile(r'name="nav" value="(choice-\d+|next|finish)"')
CHECKBOXES = re.compile(r'name="checked" value="(\d+)"')
REVISION = re.compile(r'name="revision" value="(\d+)"')
PROCESSES = [
    "processes/payments/charged-twice",
    "processes/cards/card-declined-or-not-working",
    "processes/transfers/outgoing-transfer-delayed",
    "processes/top-ups/top-up-problem",
    "processes/security/card-fraud",
]


def _messages() -> list[str]:
    with BANKING77.open(encoding="utf-8") as file:
        return [row["text"] for row in csv.DictReader(file)][:2000]


MESSAGES = _messages() if BANKING77.exists() else ["card not arrived", "charged twice"]
_ACCOUNTS = itertools.count()


class Agent(HttpUser):
    """An agent on the phone: find, follow, tick, rate, note."""

    wait_time = between(2, 8)

    def on_start(self) -> None:
        # One account per simulated agent: two people on one account would end each other's runs.
        self.name = f"agent{next(_ACCOUNTS) % AGENTS:03}"
        page = self.client.get("/login", name="login").text
        token = CSRF.search(page).group(1)
        self.client.post(
            "/login",
            {"username": self.name, "password": PASSWORD, "csrf_token": token},
            name="login",
            allow_redirects=False,
        )
        self.token = CSRF.search(self.client.get("/notifications", name="notifications").text).group(1)
        self.step_url: str | None = None
        self.page = ""

    def _acknowledge(self, kind: str, **fields) -> None:
        with ACKS.open("a") as acks:
            acks.write(json.dumps({"kind": kind, "user": self.name, **fields}) + "\n")

    @task(3)
    def search(self) -> None:
        self.client.get(
            "/search", params={"q": random.choice(MESSAGES), "live": "1"}, headers={"HX-Request": "true"}, name="search"
        )

    @task(2)
    def open_process(self) -> None:
        slug = random.choice(PROCESSES)
        self.page = self.client.get(f"/d/{slug}", name="open process").text
        response = self.client.post(
            f"/d/{slug}/runs",
            {"step": "verify", "nav": "next", "csrf_token": self.token},
            name="step move",
            allow_redirects=False,
        )
        if response.status_code == 303:
            self.step_url = response.headers["Location"]
            self.page = self.client.get(self.step_url, name="step page").text

    @task(6)
    def walk(self) -> None:
        if not self.step_url:
            return self.open_process()
        moves = CHOICES.findall(self.page)
        if not moves:
            self.step_url = None
            return None
        form = {"nav": random.choice(moves), "csrf_token": self.token, "checked": CHECKBOXES.findall(self.page)[:1]}
        response = self.client.post(self.step_url, form, name="step move", allow_redirects=False)
        location = response.headers.get("Location", "")
        if response.status_code == 303 and "/steps/" in location:
            self.step_url = location
            self.page = self.client.get(location, name="step page").text
        else:
            self.step_url = None
        return None

    @task(1)
    def tick(self) -> None:
        if self.step_url and CHECKBOXES.findall(self.page):
            self.client.post(
                self.step_url,
                {"nav": "save", "checked": CHECKBOXES.findall(self.page)[:2], "csrf_token": self.token},
                name="tick",
                allow_redirects=False,
            )

    @task(1)
    def rate(self) -> None:
        slug, step = random.choice(PROCESSES), "verify"
        up = random.random() < 0.7
        form = {"rating": "up" if up else "down", "csrf_token": self.token}
        if not up:
            form["reason"] = random.choice(["wrong", "unclear", "outdated", "missing", "other"])
        response = self.client.post(f"/d/{slug}/steps/{step}/rating", form, name="rate", allow_redirects=False)
        if response.status_code == 303:
            self._acknowledge("rating", slug=slug, step=step, positive=up)

    @task(1)
    def note(self) -> None:
        slug = random.choice(PROCESSES)
        body = f"Load note {uuid.uuid4().hex}"
        response = self.client.post(
            f"/d/{slug}/steps/verify/notes",
            {"body": body, "csrf_token": self.token},
            name="note",
            allow_redirects=False,
        )
        if response.status_code == 303:
            self._acknowledge("note", slug=slug, body=body)


class BusyAgent(Agent):
    """The same work without pauses: how much the server can take."""

    wait_time = constant(0)


# -- the driver -------------------------------------------------------------------------------


def prepare(data_dir: Path, database_url: str | None) -> None:
    import flask_migrate

    from guidance import create_app, search
    from guidance.services.library import import_tree
    from guidance.services.users import create_user

    config = {"DATA_DIR": str(data_dir), "SECRET_KEY": "load", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    if database_url:
        config["DATABASE_URL"] = database_url
    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade()
        for number in range(AGENTS):
            create_user(f"agent{number:03}", "agent", PASSWORD)
        import_tree(ROOT / "content")
        search.engine().rebuild()
        # Every passage embedded before the shift starts: a server still embedding in the background
        # would share the cores with the agents being measured.
        search.engine().wait_until_current()
        from guidance.extensions import db

        db.engine.dispose()
    if app.extensions.get("guidance_search"):
        app.extensions["guidance_search"].index.close()


def check_writes(data_dir: Path, database_url: str | None) -> dict[str, int]:
    """Every acknowledged note stored once; every acknowledged rating's agent has one rating there."""
    from sqlalchemy import select

    from guidance import create_app
    from guidance.extensions import db
    from guidance.models import Document, StepNote, StepRating, User

    acks = [json.loads(line) for line in ACKS.read_text().splitlines()] if ACKS.exists() else []
    config = {"DATA_DIR": str(data_dir), "SECRET_KEY": "load"}
    if database_url:
        config["DATABASE_URL"] = database_url
    app = create_app(config)
    with app.app_context():
        bodies = list(db.session.scalars(select(StepNote.body)))
        ratings = db.session.execute(
            select(User.username, Document.slug, StepRating.step_key)
            .join(User, User.id == StepRating.user_id)
            .join(Document, Document.id == StepRating.document_id)
        ).all()
        db.engine.dispose()
    noted = [a["body"] for a in acks if a["kind"] == "note"]
    rated = {(a["user"], a["slug"], a["step"]) for a in acks if a["kind"] == "rating"}
    stored_ratings = [tuple(row) for row in ratings]
    return {
        "notes acknowledged": len(noted),
        "notes lost": sum(1 for body in noted if body not in set(bodies)),
        "notes duplicated": len(bodies) - len(set(bodies)),
        "ratings acknowledged": len(rated),
        "ratings lost": len(rated - set(stored_ratings)),
        "ratings duplicated": len(stored_ratings) - len(set(stored_ratings)),
    }


def run_locust(base: str, user_class: str, users: int, seconds: int, out: Path, rate: int = 50) -> dict[str, dict]:
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        __file__,
        user_class,
        "--headless",
        "-u",
        str(users),
        "-r",
        str(rate),
        "-t",
        f"{seconds}s",
        "--host",
        base,
        "--csv",
        str(out),
        "--only-summary",
        "--loglevel",
        "ERROR",
    ]
    subprocess.run(
        command,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "GUIDANCE_LOAD_ACKS": str(ACKS)},
    )
    rows = {}
    with open(f"{out}_stats.csv", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "req_s": float(row["Requests/s"] or 0),
            }
    return rows


def one_database(kind: str, minutes: float, work: Path) -> dict:
    from tests.faults import gunicorn

    data_dir = work / kind
    data_dir.mkdir()
    server, url = None, None
    if kind == "postgresql":
        from tests.postgres.conftest import Server, postgres_bin_dir

        server = Server(postgres_bin_dir())
        server.start()
        url = server.create_database("load")
    try:
        prepare(data_dir, url)
        ACKS.unlink(missing_ok=True)
        with gunicorn(data_dir, url) as (base, _master):
            # A shift arrives over ARRIVAL seconds (logins cost a deliberate password hash each),
            # then all 200 work for `minutes`.
            paced = run_locust(
                base, "Agent", AGENTS, ARRIVAL + int(minutes * 60), work / f"{kind}-paced", rate=AGENTS // ARRIVAL
            )
            writes = check_writes(data_dir, url)
            busy = run_locust(base, "BusyAgent", 40, 30, work / f"{kind}-busy")
        return {"paced": paced, "writes": writes, "busy": busy}
    finally:
        if server is not None:
            server.stop()


def hello_throughput(work: Path) -> float:
    """Requests per second of a trivial Flask page on the same gunicorn settings, same Locust load."""
    from tests.faults import hello_server

    locustfile = work / "hello_locust.py"
    locustfile.write_text(
        "from locust import HttpUser, constant, task\n\n\nclass Hello(HttpUser):\n"
        "    wait_time = constant(0)\n\n    @task\n    def hello(self):\n"
        "        self.client.get('/', name='hello')\n"
    )
    with hello_server(work) as base:
        subprocess.run(
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(locustfile),
                "--headless",
                "-u",
                "40",
                "-r",
                "50",
                "-t",
                "30s",
                "--host",
                base,
                "--csv",
                str(work / "hello"),
                "--only-summary",
                "--loglevel",
                "ERROR",
            ],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    with open(work / "hello_stats.csv", encoding="utf-8") as file:
        return next(float(row["Requests/s"]) for row in csv.DictReader(file) if row["Name"] == "hello")


def report(results: dict[str, dict], hello: float) -> None:
    for kind, result in results.items():
        print(f"\n== {kind}: {AGENTS} agents arriving over {ARRIVAL} s, then working with 2-8 s between actions")
        print(f"{'request':16}{'count':>8}{'fail':>6}{'p50 ms':>9}{'p95 ms':>9}")
        for name, row in sorted(result["paced"].items()):
            print(f"{name:16}{row['requests']:>8}{row['failures']:>6}{row['p50_ms']:>9.0f}{row['p95_ms']:>9.0f}")
        print("writes: " + ", ".join(f"{k} {v}" for k, v in result["writes"].items()))
        total = result["busy"].get("Aggregated", {})
        print(
            f"saturating (40 agents, no pauses): {total.get('req_s', 0):.0f} req/s "
            f"({total.get('req_s', 0) / hello:.1%} of hello's {hello:.0f} req/s), "
            f"{total.get('failures', 0)} failures, p95 {total.get('p95_ms', 0):.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--minutes", type=float, default=2.0)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="guidance-load-"))
    kinds = ["sqlite", "postgresql"] if options.database == "both" else [options.database]
    results = {kind: one_database(kind, options.minutes, work) for kind in kinds}
    hello = hello_throughput(work)
    report(results, hello)
    out = ROOT / "benchmarks" / "results" / "load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"hello_req_s": hello, "results": results}, indent=2))


if __name__ == "__main__":
    main()
