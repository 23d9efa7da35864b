"""Helpers of the per-user Firebird login tests: unique login names, a raw connection
as a manager's own SQL tool makes it, and dropping the logins a test made (they are
the server's, shared by every database on it)."""

from __future__ import annotations

import uuid
from typing import Any

from firebird.driver import connect

from qstui.db.engine import Database
from qstui.db.grants import ROLE
from qstui.db.urls import firebird_dsn


def new_login() -> str:
    return f"m{uuid.uuid4().hex[:10]}"


def raw_connection(db: Database, login: str, password: str) -> Any:
    return connect(firebird_dsn(db.url), user=login, password=password, role=ROLE, charset="UTF8")


def drop_logins(db: Database, logins: list[str]) -> None:
    with db.engine.connect() as conn:
        for name in logins:
            found = conn.exec_driver_sql(
                f"SELECT COUNT(*) FROM sec$users WHERE sec$user_name = '{name.upper()}'"
            ).scalar()
            if found:
                conn.exec_driver_sql(f"DROP USER {name.upper()} USING PLUGIN Srp")
        conn.commit()


def per_user_database(db: Database) -> Database:
    """``db`` by a URL with the server and path only (firebird://host/path.fdb)."""
    return Database(db.url._replace(username=None, password=None))


def run_sql(con: Any, statement: str) -> list[tuple[Any, ...]]:
    """Run ``statement`` on a raw connection; its rows (none for a write)."""
    with con.cursor() as cur:
        cur.execute(statement)
        return list(cur.fetchall()) if cur.description else []
