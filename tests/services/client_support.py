"""Test data for the clients tests: real users (``services.users``) in two departments
and companies registered through the clients service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from qstui.db.engine import Database
from qstui.db.models import AuditEntry, metadata
from qstui.domain.clients import CompanyInput
from qstui.domain.enums import Role
from qstui.services.access import users as users_module
from qstui.services.access.users import create_user
from qstui.services.clients import companies as C
from qstui.services.context import Context, context_for

PASSWORD = "Test-Пароль-1"
# Valid requisites (checksums right).
INN_A = "7707083893"  # Сбербанк
INN_B = "7736207543"  # Яндекс
INN_C = "500100732259"  # a person's INN
INN_BAD = "7707083894"
KPP_A = "773601001"
OGRN_A = "1027700132195"
BIK = "044525225"
ACCOUNT = "40702810938000000001"
CORR = "30101810400000000225"


def inn10(seed: int) -> str:
    """A valid 10-digit INN made from ``seed``."""
    base = f"77{seed:07d}"
    check = sum(int(d) * w for d, w in zip(base, (2, 4, 10, 3, 5, 9, 4, 6, 8), strict=True))
    return base + str(check % 11 % 10)


def _fake_hash(password: str) -> str:
    return "$test$not-a-real-hash"


@dataclass
class Team:
    """Department «Продажи»: head ``head`` and managers ``ivanov``, ``petrova``;
    department «Опт»: manager ``sidorov``."""

    system: Context
    head: Context
    ivanov: Context
    petrova: Context
    sidorov: Context


def make_team(db: Database) -> Team:
    system = Context.system(db)
    # Nobody logs in here: skip the (deliberately slow) argon2 hashing.
    slow, users_module.hash_password = users_module.hash_password, _fake_hash
    try:
        create_user(system, "head", "Нина Начальникова", Role.HEAD, PASSWORD, "Продажи")
        create_user(system, "ivanov", "Иван Иванов", Role.MANAGER, PASSWORD, "Продажи")
        create_user(system, "petrova", "Пётр Петрова", Role.MANAGER, PASSWORD, "Продажи")
        create_user(system, "sidorov", "Сидор Сидоров", Role.MANAGER, PASSWORD, "Опт")
    finally:
        users_module.hash_password = slow
    return Team(
        system=system,
        head=context_for(db, "head"),
        ivanov=context_for(db, "ivanov"),
        petrova=context_for(db, "petrova"),
        sidorov=context_for(db, "sidorov"),
    )


def company(ctx: Context, name: str, **values: Any) -> int:
    """Register a company as ``ctx`` (duplicates allowed)."""
    return C.create_company(ctx, CompanyInput(name=name, **values), force=True)


def row_counts(db: Database) -> dict[str, int]:
    """Rows in every table (to prove that a refused call wrote nothing)."""
    with db.reader() as s:
        return {
            t.name: int(s.scalar(select(func.count()).select_from(t)) or 0)
            for t in metadata.sorted_tables
        }


def audit_count(db: Database) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)
