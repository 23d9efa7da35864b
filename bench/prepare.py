"""The database the suite measures: created, migrated and filled with the demo when
empty; its "today" is the day the demo was made for (the plans and overdue stages of
the start page are relative to it)."""

from __future__ import annotations

import json
import time
from datetime import date, datetime

from sqlalchemy import func, select

from qstui.db.create import create_database
from qstui.db.defaults import load_defaults
from qstui.db.engine import Database
from qstui.db.migrate import current_revision, head_revision, upgrade
from qstui.db.models import Company, Setting
from qstui.db.statistics import refresh_statistics
from qstui.db.urls import normalize_url
from qstui.demo import generate

WORKDAY_HOUR = 10  # the moment measured: 10:00 local on the demo's day


def prepare(url_text: str, size: str = "large") -> Database:
    url = normalize_url(url_text)
    if url.get_backend_name() == "sqlite" and url.database:
        from pathlib import Path

        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    created = create_database(url)
    db = Database(url)
    if created or current_revision(db) != head_revision():
        upgrade(db)
        load_defaults(db)
        if not created:
            refresh_statistics(db)  # new indexes of the upgrade
    with db.reader() as s:
        has_rows = bool(s.scalar(select(func.count()).select_from(Company)))
    if not has_rows:
        print(f"{db.display_url}: making the {size} demo (once)…", flush=True)
        started = time.perf_counter()
        generate(db, size, 1, progress=_progress())
        print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
    return db


def demo_moment(db: Database) -> datetime | None:
    """10:00 on the day the demo was made for (None: not a demo database)."""
    with db.reader() as s:
        raw = s.scalar(select(Setting.val).where(Setting.name == "demo"))
    if raw is None:
        return None
    value = json.loads(raw) if isinstance(raw, str) else raw
    day = date.fromisoformat(value["today"])
    return datetime(day.year, day.month, day.day, WORKDAY_HOUR)


def _progress():  # type: ignore[no-untyped-def]
    last: dict[str, float] = {}

    def report(stage: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        if share - last.get(stage, -1.0) >= 0.1 or (share >= 1.0 > last.get(stage, -1.0)):
            last[stage] = share
            print(f"  {stage:<10} {done:>9}/{total}", flush=True)

    return report
