"""Folding the Firebird ``event_hours`` rows of ±1 into one row per hour (migration
0022: why the triggers there only insert). SQLite keeps one row per hour from the
start, so there is nothing to fold."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from qstui.db.engine import Database

MERGE = "QSTUI_MERGE_EVENT_HOURS"


def merge(db: Database) -> None:
    """Fold the fresh rows, in a short transaction of its own. Another session folding
    at the same time makes this one give up: the rows are right unfolded too (a sum
    over them is the count), only more of them are read."""
    if db.backend != "firebird":
        return
    try:
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"EXECUTE PROCEDURE {MERGE}")
    except DBAPIError:
        return
