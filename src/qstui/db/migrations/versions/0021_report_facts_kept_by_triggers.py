"""deal_facts, stage_facts, event_facts: narrow copies of the deals, their stage rows
and the interactions for the reports, kept by triggers on deals, deal_stages, events
and companies

Firebird reads a whole ``deals`` record for every deal a report counts, and that record
is wide; one row per deal (and per stage row) with only the columns the reports group
and sum is read ten times faster (bench/RESULTS.md). The copies carry the client's
manager too, so "the deals a user sees" (their own, and those of their clients) is one
condition on one table. See ``qstui.db.models.facts``.

The triggers are the only writers, on both backends, so bulk loads and every service
keep the copies without a second write path; they are filled here from the rows there
are. On Firebird a per-user login's role may only read them: ``db.grants`` grants the
writes to the triggers themselves (``FACT_TRIGGERS``).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 19:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from qstui.db import compat

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the deal's columns copied as they are
DEAL = (
    "company_id",
    "manager_id",
    "pipeline_id",
    "stage_id",
    "status",
    "currency_code",
    "amount",
    "started_on",
    "closed_on",
    "planned_end_on",
    "debt",
    "billed_on",
    "rate_missing",
)
# the stage row's columns copied as they are
STAGE = ("deal_id", "stage_id", "started_on", "due_on", "done_on", "deal_open")
# the deal's columns a stage fact carries: (in stage_facts, in deal_facts)
STAGE_DEAL = (
    ("company_id", "company_id"),
    ("client_manager_id", "client_manager_id"),
    ("manager_id", "manager_id"),
    ("pipeline_id", "pipeline_id"),
    ("deal_started_on", "started_on"),
)
STAGE_DEAL_OWN = ("company_id", "manager_id", "pipeline_id", "started_on")  # of deals
# the interaction's columns copied as they are
EVENT = ("company_id", "responsible_id", "type_id", "status", "event_at", "deal_id", "product_id")
TRIGGERS = (
    "deal_facts_keep",
    "stage_facts_keep",
    "event_facts_keep",
    "client_manager_facts",
)
CLIENT_MANAGER = "(SELECT c.manager_id FROM companies c WHERE c.id = NEW.company_id)"


def _money() -> sa.Numeric:
    return sa.Numeric(precision=18, scale=2)


def _tables() -> None:
    op.create_table(
        "deal_facts",
        sa.Column("deal_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("client_manager_id", sa.Integer(), nullable=True),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("pipeline_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column("amount", _money(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("planned_end_on", sa.Date(), nullable=True),
        sa.Column("debt", _money(), nullable=False),
        sa.Column("billed_on", sa.Date(), nullable=True),
        sa.Column("rate_missing", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("deal_id", name=op.f("pk_deal_facts")),
    )
    op.create_index(op.f("ix_deal_facts_company_id"), "deal_facts", ["company_id"])
    op.create_table(
        "stage_facts",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("deal_open", sa.Boolean(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("client_manager_id", sa.Integer(), nullable=True),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("pipeline_id", sa.Integer(), nullable=False),
        sa.Column("deal_started_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_facts")),
    )
    op.create_index(op.f("ix_stage_facts_deal_id"), "stage_facts", ["deal_id"])
    op.create_index(op.f("ix_stage_facts_company_id"), "stage_facts", ["company_id"])
    op.create_index(
        op.f("ix_stage_facts_deal_open_7cd540"),
        "stage_facts",
        ["deal_open", "done_on", "due_on"],
    )
    op.create_table(
        "event_facts",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("client_manager_id", sa.Integer(), nullable=True),
        sa.Column("responsible_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("event_at", sa.DateTime(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_facts")),
    )
    op.create_index(op.f("ix_event_facts_company_id"), "event_facts", ["company_id"])
    op.create_index(
        op.f("ix_event_facts_status_ev_9b7727"),
        "event_facts",
        ["status", "event_at", "responsible_id", "type_id"],
    )


def _list(names: Sequence[str], prefix: str = "") -> str:
    return ", ".join(f"{prefix}{name}" for name in names)


def _changed(names: Sequence[str], distinct: str) -> str:
    return " OR ".join(f"OLD.{name} {distinct} NEW.{name}" for name in names)


# the statements each trigger runs, the same on both backends
DEAL_INSERT = (
    f"INSERT INTO deal_facts (deal_id, client_manager_id, {_list(DEAL)}) "
    f"VALUES (NEW.id, {CLIENT_MANAGER}, {_list(DEAL, 'NEW.')})"
)
DEAL_UPDATE = (
    "UPDATE deal_facts SET client_manager_id = "
    + CLIENT_MANAGER
    + ", "
    + ", ".join(f"{name} = NEW.{name}" for name in DEAL)
    + " WHERE deal_id = NEW.id"
)
STAGE_DEAL_UPDATE = (
    "UPDATE stage_facts SET client_manager_id = "
    + CLIENT_MANAGER
    + ", company_id = NEW.company_id, manager_id = NEW.manager_id, "
    "pipeline_id = NEW.pipeline_id, deal_started_on = NEW.started_on WHERE deal_id = NEW.id"
)
DEAL_DELETE = (
    "DELETE FROM stage_facts WHERE deal_id = OLD.id",
    "DELETE FROM deal_facts WHERE deal_id = OLD.id",
)
STAGE_INSERT = (
    f"INSERT INTO stage_facts (id, {_list(STAGE)}, {_list([s for s, _d in STAGE_DEAL])}) "
    f"SELECT NEW.id, {_list(STAGE, 'NEW.')}, {_list([d for _s, d in STAGE_DEAL], 'f.')} "
    "FROM deal_facts f WHERE f.deal_id = NEW.deal_id"
)
STAGE_UPDATE = (
    "UPDATE stage_facts SET "
    + ", ".join(f"{name} = NEW.{name}" for name in STAGE)
    + " WHERE id = NEW.id"
)
STAGE_DELETE = "DELETE FROM stage_facts WHERE id = OLD.id"
EVENT_INSERT = (
    f"INSERT INTO event_facts (id, client_manager_id, {_list(EVENT)}) "
    f"VALUES (NEW.id, {CLIENT_MANAGER}, {_list(EVENT, 'NEW.')})"
)
EVENT_UPDATE = (
    "UPDATE event_facts SET client_manager_id = "
    + CLIENT_MANAGER
    + ", "
    + ", ".join(f"{name} = NEW.{name}" for name in EVENT)
    + " WHERE id = NEW.id"
)
EVENT_DELETE = "DELETE FROM event_facts WHERE id = OLD.id"
CLIENT_UPDATE = (
    "UPDATE deal_facts SET client_manager_id = NEW.manager_id WHERE company_id = NEW.id",
    "UPDATE stage_facts SET client_manager_id = NEW.manager_id WHERE company_id = NEW.id",
    "UPDATE event_facts SET client_manager_id = NEW.manager_id WHERE company_id = NEW.id",
)


def _sqlite_triggers() -> list[str]:
    def body(*statements: str) -> str:
        return "BEGIN\n" + "".join(f"  {s};\n" for s in statements) + "END"

    changed = _changed(DEAL, "IS NOT")
    return [
        f"CREATE TRIGGER deal_facts_insert AFTER INSERT ON deals\n{body(DEAL_INSERT)}",
        f"CREATE TRIGGER deal_facts_update AFTER UPDATE ON deals WHEN {changed}\n"
        + body(
            DEAL_UPDATE,
            STAGE_DEAL_UPDATE + f" AND ({_changed(STAGE_DEAL_OWN, 'IS NOT')})",
        ),
        f"CREATE TRIGGER deal_facts_delete AFTER DELETE ON deals\n{body(*DEAL_DELETE)}",
        f"CREATE TRIGGER stage_facts_insert AFTER INSERT ON deal_stages\n{body(STAGE_INSERT)}",
        "CREATE TRIGGER stage_facts_update AFTER UPDATE ON deal_stages "
        f"WHEN {_changed(STAGE, 'IS NOT')}\n{body(STAGE_UPDATE)}",
        f"CREATE TRIGGER stage_facts_delete AFTER DELETE ON deal_stages\n{body(STAGE_DELETE)}",
        f"CREATE TRIGGER event_facts_insert AFTER INSERT ON events\n{body(EVENT_INSERT)}",
        "CREATE TRIGGER event_facts_update AFTER UPDATE ON events "
        f"WHEN {_changed(EVENT, 'IS NOT')}\n{body(EVENT_UPDATE)}",
        f"CREATE TRIGGER event_facts_delete AFTER DELETE ON events\n{body(EVENT_DELETE)}",
        "CREATE TRIGGER client_manager_facts AFTER UPDATE OF manager_id ON companies "
        f"WHEN OLD.manager_id IS NOT NEW.manager_id\n{body(*CLIENT_UPDATE)}",
    ]


SQLITE_TRIGGERS = (
    "deal_facts_insert",
    "deal_facts_update",
    "deal_facts_delete",
    "stage_facts_insert",
    "stage_facts_update",
    "stage_facts_delete",
    "event_facts_insert",
    "event_facts_update",
    "event_facts_delete",
    "client_manager_facts",
)


def _firebird_triggers() -> list[str]:
    def block(*statements: str) -> str:
        return "BEGIN\n" + "".join(f"    {s};\n" for s in statements) + "  END"

    distinct = "IS DISTINCT FROM"
    return [
        "CREATE TRIGGER deal_facts_keep FOR deals ACTIVE AFTER INSERT OR UPDATE OR DELETE "
        "POSITION 10 AS\nBEGIN\n"
        f"  IF (DELETING) THEN {block(*DEAL_DELETE)}\n"
        f"  ELSE IF (INSERTING) THEN {block(DEAL_INSERT)}\n"
        f"  ELSE IF ({_changed(DEAL, distinct)}) THEN {block(DEAL_UPDATE)}\n"
        f"  IF (UPDATING AND ({_changed(STAGE_DEAL_OWN, distinct)})) THEN "
        f"{block(STAGE_DEAL_UPDATE)}\n"
        "END",
        "CREATE TRIGGER stage_facts_keep FOR deal_stages ACTIVE AFTER INSERT OR UPDATE OR "
        "DELETE POSITION 10 AS\nBEGIN\n"
        f"  IF (DELETING) THEN {block(STAGE_DELETE)}\n"
        f"  ELSE IF (INSERTING) THEN {block(STAGE_INSERT)}\n"
        f"  ELSE IF ({_changed(STAGE, distinct)}) THEN {block(STAGE_UPDATE)}\n"
        "END",
        "CREATE TRIGGER event_facts_keep FOR events ACTIVE AFTER INSERT OR UPDATE OR "
        "DELETE POSITION 10 AS\nBEGIN\n"
        f"  IF (DELETING) THEN {block(EVENT_DELETE)}\n"
        f"  ELSE IF (INSERTING) THEN {block(EVENT_INSERT)}\n"
        f"  ELSE IF ({_changed(EVENT, distinct)}) THEN {block(EVENT_UPDATE)}\n"
        "END",
        "CREATE TRIGGER client_manager_facts FOR companies ACTIVE AFTER UPDATE "
        "POSITION 10 AS\nBEGIN\n"
        f"  IF (OLD.manager_id {distinct} NEW.manager_id) THEN {block(*CLIENT_UPDATE)}\n"
        "END",
    ]


FILL = (
    f"INSERT INTO deal_facts (deal_id, client_manager_id, {_list(DEAL)}) "
    f"SELECT d.id, c.manager_id, {_list(DEAL, 'd.')} "
    "FROM deals d JOIN companies c ON c.id = d.company_id",
    f"INSERT INTO stage_facts (id, {_list(STAGE)}, {_list([s for s, _d in STAGE_DEAL])}) "
    f"SELECT s.id, {_list(STAGE, 's.')}, {_list([d for _s, d in STAGE_DEAL], 'f.')} "
    "FROM deal_stages s JOIN deal_facts f ON f.deal_id = s.deal_id",
    f"INSERT INTO event_facts (id, client_manager_id, {_list(EVENT)}) "
    f"SELECT e.id, c.manager_id, {_list(EVENT, 'e.')} "
    "FROM events e LEFT JOIN companies c ON c.id = e.company_id",
)


def upgrade() -> None:
    _tables()
    conn = op.get_bind()
    compat.commit_ddl(conn)  # Firebird: the tables exist from here on
    for statement in FILL:
        conn.exec_driver_sql(statement)
    firebird = conn.dialect.name == compat.FIREBIRD
    for statement in _firebird_triggers() if firebird else _sqlite_triggers():
        conn.exec_driver_sql(statement)
    compat.commit_ddl(conn)


def downgrade() -> None:
    conn = op.get_bind()
    firebird = conn.dialect.name == compat.FIREBIRD
    for name in TRIGGERS if firebird else SQLITE_TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER {name}")
    compat.commit_ddl(conn)
    op.drop_table("event_facts")
    op.drop_table("stage_facts")
    op.drop_table("deal_facts")
