"""Per-user Firebird logins: the SQL role managers connect with, its grants, and the
stored procedures that write what a manager's session must write to protected tables.

Firebird only. ``apply_grants`` is run with the database owner's credentials (``qstui db
grants``, ``qstui db per-user-logins on``; ``qstui db upgrade`` runs it again when the
role exists, so a table a migration adds gets its grants). It is idempotent: it revokes
everything the role held and grants it afresh from the table lists below, so a table
that moves from one list to another loses what it no longer should have.

What the role ``QSTUI_USER`` may do (every table of the schema is in one list; a table
in none gets nothing):
- the business tables (``WRITABLE``): SELECT, INSERT, UPDATE, DELETE — visibility of
  rows stays in the services;
- reference books, departments, pipelines and stages, products and price lists, the
  schema revision: SELECT only;
- ``users``, ``user_rights``, ``role_rights``, ``settings``, ``audit_log``: SELECT only.
  Firebird 3 has no column-level SELECT, so password material is kept out of ``users``
  in this mode: an account with its own Firebird login holds ``OWN_LOGIN`` instead of
  a hash (``services.access.users``); the password lives in the server's security
  database, which only its administrator reads;
- ``login_delays``, ``user_tokens``, ``onec_bases``: nothing (administrators' delays
  are written with the owner's credentials; a token's hash acts as its user; a 1C base
  holds its user's password);
- ``deal_facts``, ``stage_facts``, ``event_facts``, ``event_hours`` (the reports'
  copies): SELECT only; the triggers that keep them (``FACT_TRIGGERS``) hold the writes
  themselves;
- ``write_locks``: SELECT and UPDATE (the lock rows of ``db.locks``: an UPDATE that
  changes nothing, no data);
- USAGE on the identity generators of the business tables (bulk inserts reserve ids);
- EXECUTE on four procedures, which hold the privileges themselves
  (``QSTUI_MERGE_EVENT_HOURS`` folds the rows of ``event_hours``, migration 0022);
  ``QSTUI_AUDIT`` appends an audit row in the name of the connected login (never of
  another user), ``QSTUI_ENTERED`` records the connected login's own successful login,
  ``QSTUI_LANGUAGE`` its own interface language.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from sqlalchemy import Connection, text

from qstui.db.engine import Database
from qstui.db.models import metadata
from qstui.db.urls import PER_USER_ROLE

ROLE = PER_USER_ROLE
AUDIT_PROCEDURE = "QSTUI_AUDIT"
ENTERED_PROCEDURE = "QSTUI_ENTERED"
LANGUAGE_PROCEDURE = "QSTUI_LANGUAGE"
# In ``users.pass_hash`` of an account whose password is its Firebird login's: no hash
# of anything, so nothing to guess offline; the login is checked by the server.
OWN_LOGIN = "firebird-login"

WRITABLE = frozenset(
    {
        # clients (C), deals (D), the calendar (K), knowledge, packages and mailing,
        # the 1C exchange's records, saved filters, the search index
        "companies",
        "contacts",
        "phones",
        "emails",
        "bank_accounts",
        "custom_fields",
        "custom_values",
        "client_groups",
        "group_members",
        "client_terms",
        "contracts",
        "claims",
        "claim_changes",
        "mass_activities",
        "deals",
        "deal_stages",
        "deal_items",
        "deal_documents",
        "payments",
        "events",
        "kb_categories",
        "kb_articles",
        "packages",
        "materials",
        "package_materials",
        "sendings",
        "onec_links",
        "exchange_runs",
        "exchange_log",
        "saved_filters",
        "search_words",
    }
)
READ_ONLY = frozenset(
    {
        # reference books (S1) and the catalogues an administrator keeps
        "regions",
        "industries",
        "sources",
        "refusal_reasons",
        "units",
        "currencies",
        "currency_rates",
        "event_types",
        "event_results",
        "departments",
        "pipelines",
        "stages",
        "product_groups",
        "products",
        "price_lists",
        "price_list_items",
        "alembic_version",
        # who may do what, the policy and the record of what was done
        "users",
        "user_rights",
        "role_rights",
        "settings",
        "audit_log",
    }
)
# administrators' login delays; the CLI's personal tokens (hashes of secrets that act
# as a user); the 1C bases (their users' passwords: the exchange is the administrator's)
NO_ACCESS = frozenset({"login_delays", "user_tokens", "onec_bases"})
LOCK_ROWS = frozenset({"write_locks"})
# the reports' narrow copies of the deals (``db.models.facts``): the role reads them,
# only their triggers (migration 0021) write them — a manager cannot forge a figure
FACTS = frozenset({"deal_facts", "stage_facts", "event_facts", "event_hours"})
FACT_TRIGGERS = (
    "deal_facts_keep",
    "stage_facts_keep",
    "event_facts_keep",
    "event_hours_keep",
    "client_manager_facts",
)
MERGE_PROCEDURE = "QSTUI_MERGE_EVENT_HOURS"  # migration 0022: folds event_hours


def unclassified(names: list[str]) -> list[str]:
    """Tables in none of the lists: the role gets nothing on them (fail closed) — a new
    table is put in one of the lists by the migration that adds it (a test checks)."""
    known = WRITABLE | READ_ONLY | NO_ACCESS | LOCK_ROWS | FACTS
    return sorted(name for name in names if name not in known)


_AUDIT_SQL = f"""
CREATE OR ALTER PROCEDURE {AUDIT_PROCEDURE} (
    logged_at TIMESTAMP,
    action VARCHAR(20),
    object_kind VARCHAR(30),
    object_id INTEGER,
    changes BLOB SUB_TYPE TEXT CHARACTER SET UTF8,
    os_user VARCHAR(100),
    os_host VARCHAR(255)
) AS
DECLARE VARIABLE uid INTEGER;
BEGIN
    SELECT id FROM users WHERE login = LOWER(CURRENT_USER) INTO :uid;
    IF (uid IS NULL) THEN
        EXCEPTION qstui_no_account;
    INSERT INTO audit_log
        (logged_at, user_id, action, object_kind, object_id, changes, os_user, os_host)
    VALUES
        (:logged_at, :uid, :action, :object_kind, :object_id, :changes, :os_user, :os_host);
END
"""

_ENTERED_SQL = f"""
CREATE OR ALTER PROCEDURE {ENTERED_PROCEDURE} (logged_at TIMESTAMP)
RETURNS (user_id INTEGER) AS
BEGIN
    user_id = NULL;
    UPDATE users SET last_login_at = :logged_at, failed_logins = 0, locked_until = NULL
    WHERE login = LOWER(CURRENT_USER) AND is_locked = FALSE
    RETURNING id INTO :user_id;
END
"""


_LANGUAGE_SQL = f"""
CREATE OR ALTER PROCEDURE {LANGUAGE_PROCEDURE} (lang VARCHAR(5)) AS
BEGIN
    UPDATE users SET lang = :lang WHERE login = LOWER(CURRENT_USER);
END
"""


@dataclass(frozen=True)
class GrantsResult:
    role: str
    written: int  # tables the role may write
    read_only: int  # tables the role may only read


def role_exists(conn: Connection) -> bool:
    found = conn.scalar(
        text("SELECT COUNT(*) FROM rdb$roles WHERE rdb$role_name = :r"), {"r": ROLE}
    )
    return bool(found)


def apply_grants(db: Database) -> GrantsResult:
    """Create or bring up to date the role, the procedures and every grant (see the
    module doc). Needs the owner's (or SYSDBA's) connection; Firebird only."""
    from firebird.driver import FirebirdWarning  # the Firebird driver, not for SQLite

    tables = [*sorted(t.name for t in metadata.sorted_tables), "alembic_version"]
    written = read_only = 0
    with db.engine.connect() as conn:
        if not role_exists(conn):
            conn.exec_driver_sql(f"CREATE ROLE {ROLE}")
        _ensure_exception(conn)
        conn.commit()  # DDL is applied at commit: the procedures need the exception
        conn.exec_driver_sql(_AUDIT_SQL)
        conn.exec_driver_sql(_ENTERED_SQL)
        conn.exec_driver_sql(_LANGUAGE_SQL)
        conn.commit()
        with warnings.catch_warnings():  # "ALL on ALL is not granted": a new role
            warnings.simplefilter("ignore", FirebirdWarning)
            conn.exec_driver_sql(f"REVOKE ALL ON ALL FROM {ROLE}")
        conn.commit()
        for table in tables:
            if table in READ_ONLY or table in FACTS:
                privileges = "SELECT"
                read_only += 1
            elif table in LOCK_ROWS:
                privileges = "SELECT, UPDATE"
                written += 1
            elif table in WRITABLE:
                privileges = "SELECT, INSERT, UPDATE, DELETE"
                written += 1
            else:  # NO_ACCESS, and any table nobody classified: nothing
                continue
            conn.exec_driver_sql(f"GRANT {privileges} ON {table} TO ROLE {ROLE}")
        for generator in _identity_generators(conn, sorted(WRITABLE)):
            # bulk inserts reserve ids with GEN_ID (db.bulk.reserve_ids)
            quoted = '"' + generator.replace('"', '""') + '"'
            conn.exec_driver_sql(f"GRANT USAGE ON GENERATOR {quoted} TO ROLE {ROLE}")
        for trigger in FACT_TRIGGERS:
            for table in sorted(FACTS):
                conn.exec_driver_sql(
                    f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO TRIGGER {trigger}"
                )
            conn.exec_driver_sql(f"GRANT SELECT ON companies TO TRIGGER {trigger}")
        conn.exec_driver_sql(
            f"GRANT SELECT, UPDATE, DELETE ON event_hours TO PROCEDURE {MERGE_PROCEDURE}"
        )
        conn.exec_driver_sql(f"GRANT SELECT, UPDATE ON write_locks TO PROCEDURE {MERGE_PROCEDURE}")
        conn.exec_driver_sql(f"GRANT SELECT ON users TO PROCEDURE {AUDIT_PROCEDURE}")
        conn.exec_driver_sql(f"GRANT INSERT ON audit_log TO PROCEDURE {AUDIT_PROCEDURE}")
        conn.exec_driver_sql(
            f"GRANT USAGE ON EXCEPTION qstui_no_account TO PROCEDURE {AUDIT_PROCEDURE}"
        )
        conn.exec_driver_sql(f"GRANT SELECT, UPDATE ON users TO PROCEDURE {ENTERED_PROCEDURE}")
        conn.exec_driver_sql(f"GRANT UPDATE ON users TO PROCEDURE {LANGUAGE_PROCEDURE}")
        for procedure in (AUDIT_PROCEDURE, ENTERED_PROCEDURE, LANGUAGE_PROCEDURE, MERGE_PROCEDURE):
            conn.exec_driver_sql(f"GRANT EXECUTE ON PROCEDURE {procedure} TO ROLE {ROLE}")
        conn.commit()
    return GrantsResult(ROLE, written, read_only)


def _identity_generators(conn: Connection, tables: list[str]) -> list[str]:
    rows = conn.execute(
        text(
            "SELECT TRIM(RDB$RELATION_NAME), TRIM(RDB$GENERATOR_NAME) FROM RDB$RELATION_FIELDS "
            "WHERE RDB$GENERATOR_NAME IS NOT NULL"
        )
    ).all()
    wanted = {name.upper() for name in tables}
    return sorted(str(generator) for table, generator in rows if str(table) in wanted)


def _ensure_exception(conn: Connection) -> None:
    conn.exec_driver_sql(
        "CREATE OR ALTER EXCEPTION qstui_no_account 'The connected login has no qstui account'"
    )


def grants_in_place(db: Database) -> bool:
    """Whether the role exists (``apply_grants`` ran once on this database)."""
    if db.backend != "firebird":
        return False
    with db.engine.connect() as conn:
        return role_exists(conn)


__all__ = [
    "OWN_LOGIN",
    "ROLE",
    "GrantsResult",
    "apply_grants",
    "grants_in_place",
    "role_exists",
]
