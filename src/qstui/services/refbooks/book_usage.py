"""Where a reference-book value is used: every table whose foreign key points at the
book, read from the schema itself, so a table added later is never missed (a test
checks each such table has a name here to show).

Each count stops at ``USAGE_CAP`` rows (an unindexed column of a large table is not
read to its end to say «1000+»).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Column, Table, func, literal, or_, select
from sqlalchemy.orm import Session

from qstui.db.models import Base
from qstui.domain.refbooks import USAGE_CAP, Usage
from qstui.i18n import N_, _
from qstui.services.refbooks.book_specs import Book

TABLE_LABELS: dict[str, str] = {
    "bank_accounts": N_("bank accounts"),
    "claims": N_("claims"),
    "client_terms": N_("client terms"),
    "companies": N_("clients"),
    "contracts": N_("contracts"),
    "currency_rates": N_("currency rates"),
    "custom_values": N_("filled-in values"),
    "deal_documents": N_("deal documents"),
    "deal_items": N_("deal products"),
    "deal_stages": N_("deal stage history"),
    "deals": N_("deals"),
    "departments": N_("departments"),
    "events": N_("interactions"),
    "mass_activities": N_("mass activities"),
    "payments": N_("payments"),
    "price_list_items": N_("prices"),
    "price_lists": N_("price lists"),
    "product_groups": N_("product groups"),
    "products": N_("products"),
    "stages": N_("stages"),
    "users": N_("users"),
}


@cache
def referrers(table_name: str, column_name: str) -> tuple[tuple[Table, tuple[Column, ...]], ...]:
    """The tables with a foreign key to ``table_name.column_name`` and those columns."""
    found: dict[str, tuple[Table, list[Column]]] = {}
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == table_name and fk.column.name == column_name:
                found.setdefault(table.name, (table, []))[1].append(fk.parent)
    return tuple((table, tuple(columns)) for table, columns in found.values())


def usages(s: Session, book: Book, row: Any) -> list[Usage]:
    """How many rows of each table use ``row`` (capped), the used ones only."""
    value = getattr(row, book.ref_column)
    out: list[Usage] = []
    for table, columns in referrers(book.model.__tablename__, book.ref_column):
        using = (
            select(literal(1))
            .select_from(table)
            .where(or_(*(column == value for column in columns)))
            .limit(USAGE_CAP + 1)
            .subquery()
        )
        count = int(s.scalar(select(func.count()).select_from(using)) or 0)
        if count:
            label = TABLE_LABELS.get(table.name, table.name)
            out.append(Usage(_(label), min(count, USAGE_CAP), count > USAGE_CAP))
    return out
