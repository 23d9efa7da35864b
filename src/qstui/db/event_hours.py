"""Folding the Firebird ``event_hours`` rows of ±1 into one row per hour (migration
0022: why the triggers there only insert). SQLite keeps one row per hour from the
start, so there is nothing to fold."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from qstui.db.engine import Database
from qstui.db.errors import is_conflict

MERGE = "QSTUI_MERGE_EVENT_HOURS"


def merge(db: Database) -> None:
    """Fold the fresh rows, in a short transaction of its own. Another session folding
    at the same time (the lock row taken: an update conflict or a lock timeout) makes
    this one give up: the rows are right unfolded too (a sum over them is the count),
    only more of them are read. Any other error — a missing grant, a lost server — is
    raised, not hidden behind a slower report."""
    if db.backend != "firebird":
        return
    try:
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"EXECUTE PROCEDURE {MERGE}")
    except DBAPIError as error:
        if not is_conflict(error):
            raise
