"""Helpers of the demo tests: reading generated rows and fingerprints of tables."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from qstui.db.engine import Database
from qstui.db.models import metadata

# Tables whose rows must be identical for the same seed and anchor date (users and the
# audit log are left out: password hashes are salted, create_user stamps the real time).
DETERMINISTIC_TABLES = (
    "companies",
    "contacts",
    "phones",
    "emails",
    "bank_accounts",
    "client_terms",
    "custom_values",
    "group_members",
    "claims",
    "claim_changes",
    "contracts",
    "deals",
    "deal_stages",
    "deal_items",
    "deal_documents",
    "payments",
    "events",
    "search_words",
    "products",
    "price_list_items",
    "currency_rates",
    "kb_articles",
    "materials",
    "settings",
)


def rows(db: Database, table: str) -> list[dict[str, Any]]:
    target = metadata.tables[table]
    order = list(target.primary_key.columns)
    with db.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(target).order_by(*order))]


def fingerprint(db: Database, tables: Iterable[str] = DETERMINISTIC_TABLES) -> dict[str, str]:
    """A hash of the ordered rows of each table."""
    found = {}
    for table in tables:
        digest = hashlib.sha256()
        for row in rows(db, table):
            digest.update(repr(sorted(row.items())).encode("utf-8"))
        found[table] = digest.hexdigest()
    return found


def group_by(items: Iterable[dict[str, Any]], key: str) -> dict[Any, list[dict[str, Any]]]:
    grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        grouped[item[key]].append(item)
    return grouped
