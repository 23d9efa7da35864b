"""Whether the database is a demo one, and its logins (shown on the login screen)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from qstui.db.engine import Database
from qstui.db.models import Setting


@dataclass(frozen=True)
class DemoAccounts:
    logins: tuple[str, ...]
    password: str


def demo_accounts(db: Database) -> DemoAccounts | None:
    with db.reader() as s:
        value = s.scalar(select(Setting.val).where(Setting.name == "demo"))
    if not isinstance(value, dict) or not value.get("logins"):
        return None
    return DemoAccounts(tuple(value["logins"]), str(value.get("password", "")))
