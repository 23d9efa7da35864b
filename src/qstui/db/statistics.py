"""Index statistics the query planner trusts: refreshed after bulk loads.

Firebird computes an index's selectivity when the index is created (on an empty table:
0) and never again by itself; with stale figures the optimizer reads whole tables
(FIREBIRD.md, "At scale": a client card took 1 954 ms before ``SET STATISTICS INDEX``
and 50 ms after). SQLite keeps no statistics until ``ANALYZE`` is run; without them it
guesses, mostly well, but a low-selectivity index (a status) can win over a good one.

``refresh_statistics(db)`` is called after the demo load, after an import of many
clients and by ``qstui db analyze``.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from qstui.db.compat import FIREBIRD
from qstui.db.engine import Database

# Firebird's user indexes (system ones start with RDB$, MON$, SEC$)
_FIREBIRD_INDEXES = text(
    "SELECT TRIM(RDB$INDEX_NAME) FROM RDB$INDICES"
    " WHERE COALESCE(RDB$SYSTEM_FLAG, 0) = 0 AND RDB$INDEX_INACTIVE IS DISTINCT FROM 1"
)


def refresh_statistics(db: Database) -> int:
    """Recompute the planner's statistics of every index; returns how many indexes (or
    tables, on SQLite) were analyzed."""
    with db.engine.connect() as conn:
        count = _refresh(conn)
        conn.commit()
    return count


def _refresh(conn: Connection) -> int:
    if conn.dialect.name == FIREBIRD:
        names = [name for (name,) in conn.execute(_FIREBIRD_INDEXES)]
        for name in names:
            # an index name comes from the catalogue, never from a user
            conn.exec_driver_sql(f'SET STATISTICS INDEX "{name}"')
        return len(names)
    conn.exec_driver_sql("ANALYZE")
    tables = conn.exec_driver_sql("SELECT count(DISTINCT tbl) FROM sqlite_stat1").scalar()
    return int(tables or 0)


__all__ = ["refresh_statistics"]
