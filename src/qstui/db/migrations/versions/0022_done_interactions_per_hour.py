"""event_hours: done interactions counted per responsible, type and UTC hour

Manager control (R3) counts the interactions each manager did in a period; a year of
the large demo is 830 000 of them, and Firebird 3 reads every record it counts and
sorts every row it groups (1.1 s for the count alone, even from the narrow copy). Here
the count is kept per responsible, type and hour (``at_hour``: the UTC hour an
interaction was held in), so a period reads a few rows per manager and hour.

Kept by triggers on ``events``: a done interaction adds 1 to its hour, and taking it
back (deleted, no longer done, moved to another hour, responsible or type) adds −1.
- SQLite (one writer at a time): the trigger adds to the hour's row, inserting it
  when there is none.
- Firebird: a row shared by every interaction of an hour would be updated by
  concurrent transactions, and Firebird 3 makes the second wait and then fail (no
  statement restart). So the trigger only inserts a ``fresh`` row of +1 or −1, and
  ``QSTUI_MERGE_EVENT_HOURS`` folds fresh rows into one row per hour later (run before
  the report reads, in its own short transaction, one merge at a time under the
  ``event_hours`` lock row). A sum over an hour's rows is right before and after.

Filled here from the interactions there are.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 20:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from qstui.db import compat

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MERGE = "QSTUI_MERGE_EVENT_HOURS"
LOCK = "event_hours"
CHANGED = ("status", "responsible_id", "type_id", "event_at")


def _hour(row: str, firebird: bool) -> str:
    """The start of the UTC hour of ``row.event_at`` (SQLite keeps timestamps as text
    ``YYYY-MM-DD HH:MM:SS.ffffff``)."""
    if firebird:
        return (
            f"DATEADD(EXTRACT(HOUR FROM {row}.event_at) HOUR TO "
            f"CAST(CAST({row}.event_at AS DATE) AS TIMESTAMP))"
        )
    return f"substr({row}.event_at, 1, 13) || ':00:00.000000'"


def _sqlite_add(row: str, delta: int, when: str) -> list[str]:
    """Add ``delta`` to the hour row of ``row`` (OLD or NEW) when ``when`` holds."""
    hour = _hour(row, firebird=False)
    same = f"at_hour = {hour} AND responsible_id = {row}.responsible_id AND type_id = {row}.type_id"
    return [
        f"UPDATE event_hours SET done = done + ({delta}) WHERE {same} AND {when}",
        "INSERT INTO event_hours (at_hour, responsible_id, type_id, done, fresh) "
        f"SELECT {hour}, {row}.responsible_id, {row}.type_id, {delta}, 0 "
        f"WHERE {when} AND NOT EXISTS (SELECT 1 FROM event_hours WHERE {same})",
    ]


def _sqlite_triggers() -> list[str]:
    def body(statements: list[str]) -> str:
        return "BEGIN\n" + "".join(f"  {s};\n" for s in statements) + "END"

    changed = " OR ".join(f"OLD.{name} IS NOT NEW.{name}" for name in CHANGED)
    return [
        "CREATE TRIGGER event_hours_insert AFTER INSERT ON events WHEN NEW.status = 'done'\n"
        + body(_sqlite_add("NEW", 1, "1")),
        "CREATE TRIGGER event_hours_delete AFTER DELETE ON events WHEN OLD.status = 'done'\n"
        + body(_sqlite_add("OLD", -1, "1")),
        f"CREATE TRIGGER event_hours_update AFTER UPDATE ON events WHEN {changed}\n"
        + body(
            _sqlite_add("OLD", -1, "OLD.status = 'done'")
            + _sqlite_add("NEW", 1, "NEW.status = 'done'")
        ),
    ]


SQLITE_TRIGGERS = ("event_hours_insert", "event_hours_delete", "event_hours_update")


def _firebird_insert(row: str, delta: int) -> str:
    return (
        "INSERT INTO event_hours (at_hour, responsible_id, type_id, done, fresh) VALUES "
        f"({_hour(row, firebird=True)}, {row}.responsible_id, {row}.type_id, {delta}, TRUE)"
    )


def _firebird_trigger() -> str:
    changed = " OR ".join(f"OLD.{name} IS DISTINCT FROM NEW.{name}" for name in CHANGED)
    return (
        "CREATE TRIGGER event_hours_keep FOR events ACTIVE AFTER INSERT OR UPDATE OR DELETE "
        "POSITION 20 AS\nBEGIN\n"
        f"  IF (UPDATING AND NOT ({changed})) THEN EXIT;\n"
        f"  IF (NOT INSERTING AND OLD.status = 'done') THEN {_firebird_insert('OLD', -1)};\n"
        f"  IF (NOT DELETING AND NEW.status = 'done') THEN {_firebird_insert('NEW', 1)};\n"
        "END"
    )


# Folds the fresh rows into one row per hour, responsible and type. Under the lock row:
# one merge at a time (a second one waits, then fails on the lock: nothing is lost, its
# caller reads the rows as they are). Each fresh row is added to the hour's merged row
# and deleted, or becomes the merged row when there is none: the sum stays the same.
MERGE_SQL = f"""
CREATE OR ALTER PROCEDURE {MERGE} AS
DECLARE VARIABLE fid INTEGER;
DECLARE VARIABLE mid INTEGER;
DECLARE VARIABLE h TIMESTAMP;
DECLARE VARIABLE r INTEGER;
DECLARE VARIABLE t INTEGER;
DECLARE VARIABLE d INTEGER;
BEGIN
    UPDATE write_locks SET name = name WHERE name = '{LOCK}';
    FOR SELECT id, at_hour, responsible_id, type_id, done FROM event_hours
        WHERE fresh = TRUE INTO :fid, :h, :r, :t, :d DO
    BEGIN
        mid = NULL;
        SELECT FIRST 1 id FROM event_hours
        WHERE at_hour = :h AND responsible_id = :r AND type_id = :t AND fresh = FALSE
        INTO :mid;
        IF (mid IS NULL) THEN
            UPDATE event_hours SET fresh = FALSE WHERE id = :fid;
        ELSE
        BEGIN
            UPDATE event_hours SET done = done + :d WHERE id = :mid;
            DELETE FROM event_hours WHERE id = :fid;
        END
    END
END
"""

FILL = (
    "INSERT INTO event_hours (at_hour, responsible_id, type_id, done, fresh) "
    "SELECT at_hour, responsible_id, type_id, COUNT(*), {false} FROM "
    "(SELECT {hour} AS at_hour, e.responsible_id, e.type_id FROM events e "
    "WHERE e.status = 'done') x GROUP BY at_hour, responsible_id, type_id"
)


def upgrade() -> None:
    op.create_table(
        "event_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at_hour", sa.DateTime(), nullable=False),
        sa.Column("responsible_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("fresh", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_hours")),
    )
    op.create_index(
        op.f("ix_event_hours_at_hour_r_bca4ba"),
        "event_hours",
        ["at_hour", "responsible_id", "type_id"],
    )
    op.create_index(op.f("ix_event_hours_fresh"), "event_hours", ["fresh"])
    conn = op.get_bind()
    compat.commit_ddl(conn)
    firebird = conn.dialect.name == compat.FIREBIRD
    conn.exec_driver_sql(FILL.format(false="FALSE" if firebird else "0", hour=_hour("e", firebird)))
    conn.execute(sa.text("INSERT INTO write_locks (name) VALUES (:name)"), {"name": LOCK})
    if firebird:
        conn.exec_driver_sql(_firebird_trigger())
        conn.exec_driver_sql(MERGE_SQL)
    else:
        for statement in _sqlite_triggers():
            conn.exec_driver_sql(statement)
    compat.commit_ddl(conn)


def downgrade() -> None:
    conn = op.get_bind()
    firebird = conn.dialect.name == compat.FIREBIRD
    if firebird:
        conn.exec_driver_sql(f"DROP PROCEDURE {MERGE}")
        conn.exec_driver_sql("DROP TRIGGER event_hours_keep")
    else:
        for name in SQLITE_TRIGGERS:
            conn.exec_driver_sql(f"DROP TRIGGER {name}")
    compat.commit_ddl(conn)
    conn.execute(sa.text("DELETE FROM write_locks WHERE name = :name"), {"name": LOCK})
    op.drop_table("event_hours")
