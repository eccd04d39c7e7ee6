"""A process with many steps: parsing it, its first and later step pages, and a move in a run.

    .venv/bin/python benchmarks/long_process.py                # 10,000 steps
    .venv/bin/python benchmarks/long_process.py --steps 2000

Everything goes through the app's own code on a throwaway SQLite database: parse, publish (the
search index is not built: these pages do not need it), then the pages as an agent opens them.
Prints seconds and page sizes; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(label: str, action):
    start = time.perf_counter()
    result = action()
    print(f"{label:<40} {time.perf_counter() - start:8.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    steps = parser.parse_args().steps

    import flask_migrate
    from sqlalchemy import select

    from guidance import create_app
    from guidance.content import parse_document
    from guidance.extensions import db
    from guidance.models import Document, RevisionOrigin
    from guidance.services.publishing import Publication, new_revision, publish
    from guidance.services.users import create_user
    from tests.conftest import Session
    from tests.generated import long_process

    source = long_process(steps)
    print(f"{steps:,} steps, {len(source):,} characters of Markdown")
    _, problems = timed("parse", lambda: parse_document(source, "long.md"))
    assert not [p for p in problems if p.blocking], problems[:3]

    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app({"DATA_DIR": data_dir, "SECRET_KEY": "benchmark"})
        with app.app_context():
            flask_migrate.upgrade()
            create_user("agent", "agent", "agent-pass")
            document = Document(slug="long")
            db.session.add(document)
            db.session.flush()
            revision = new_revision(document, source, origin=RevisionOrigin.APP, author=None, source_path="long.md")
            timed("publish", lambda: publish([Publication(document, revision)], None))
            assert db.session.scalar(select(Document.slug)) == "long"
        agent = Session(app.test_client())
        agent.login("agent")
        middle = f"s{steps // 2}"
        first = timed(f"first view of step {middle} (parses)", lambda: agent.get(f"/d/long/steps/{middle}"))
        again = timed(f"view of step {middle} again", lambda: agent.get(f"/d/long/steps/{middle}"))
        timed("view of the last step", lambda: agent.get(f"/d/long/steps/s{steps - 1}"))
        timed(f"view of step {middle} a third time", lambda: agent.get(f"/d/long/steps/{middle}"))
        timed("the process at its address (step 1)", lambda: agent.get("/d/long"))
        at_address = timed("the process at its address again", lambda: agent.get("/d/long"))
        moved = timed(
            "start a run and move to the next step", lambda: agent.post("/d/long/runs", {"step": middle, "nav": "next"})
        )
        run_step = timed("the run's step page", lambda: agent.get(moved.headers["Location"]))
        shown = (("step page", first), ("again", again), ("at its address", at_address), ("run step page", run_step))
        for label, response in shown:
            assert response.status_code == 200, (label, response.status_code)
            print(f"{label:<40} {len(response.get_data()):8,} bytes")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
