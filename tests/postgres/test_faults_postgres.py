"""The fault tests on PostgreSQL: a worker killed mid-request, an import killed half-way."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from guidance.extensions import db
from guidance.models import Document, StepNote
from tests.faults import gunicorn, import_killed_half_way
from tests.test_faults import make_big_tree, notes_saved_while_workers_are_killed, published

pytestmark = pytest.mark.postgres


def test_a_worker_killed_mid_request_loses_no_acknowledged_note(pg_app, pg_database):
    with gunicorn(Path(pg_app.config["DATA_DIR"]), pg_database) as (base, master):
        acknowledged = notes_saved_while_workers_are_killed(base, master)
    assert len(acknowledged) > 20
    with pg_app.app_context():
        bodies = list(db.session.scalars(select(StepNote.body)))
    assert [body for body in acknowledged if body not in bodies] == [] and len(bodies) == len(set(bodies))


def test_an_import_killed_half_way_publishes_nothing(pg_app, pg_database, tmp_path):
    before = published(pg_app)
    with pg_app.app_context():
        db.session.remove()  # nothing of ours holds a lock the import needs
    assert import_killed_half_way(make_big_tree(tmp_path), Path(pg_app.config["DATA_DIR"]), pg_database)
    assert published(pg_app) == before
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == len(before)
