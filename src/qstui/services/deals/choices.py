"""What the deal forms offer to choose from (the screens' drop-downs and pickers): the
managers whose deals one sees, the sources of deals, the contact persons of a deal's
client, active products; and a manager by login (the CLI's ``--manager LOGIN``).

Each ``*_in(s, …)`` reads in an open session without a rights check (for ``view``,
which reads the card and its choices in one); the public functions check ``deals``
(the products: ``deals`` or ``clients``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from qstui.db.compat import prefix_match
from qstui.db.models import AppUser, Contact, Product, SearchWord, Source, Unit
from qstui.domain.calendar import ManagerRef
from qstui.domain.names import person_name
from qstui.domain.normalize import words
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.deals._shared import load_deal
from qstui.services.search import index as search_index
from qstui.services.visibility import owned_by_visible


def managers_in(s: Session, ctx: Context) -> list[ManagerRef]:
    query = select(AppUser.id, AppUser.login, AppUser.full_name).order_by(
        AppUser.full_name, AppUser.id
    )
    if not ctx.is_system:
        query = query.where(owned_by_visible(ctx, AppUser.id))
    return [ManagerRef(r.id, r.login, r.full_name) for r in s.execute(query)]


def manager_choices(ctx: Context) -> list[ManagerRef]:
    """The users whose deals ``ctx`` may see (the list's manager filter, the card's
    manager and stage-responsible choosers), by name."""
    ctx.require(R.DEALS)
    with ctx.db.reader() as s:
        return managers_in(s, ctx)


def sources_in(s: Session) -> list[tuple[int, str]]:
    rows = s.execute(
        select(Source.id, Source.name)
        .where(Source.is_active.is_(True))
        .order_by(Source.name, Source.id)
    )
    return [(ident, name) for ident, name in rows]


def source_choices(ctx: Context) -> list[tuple[int, str]]:
    """Active sources of deals (how the client heard of us): (id, name), by name."""
    ctx.require(R.DEALS)
    with ctx.db.reader() as s:
        return sources_in(s)


def contacts_in(s: Session, company_id: int) -> list[tuple[int, str]]:
    rows = s.execute(
        select(Contact.id, Contact.last_name, Contact.first_name, Contact.middle_name)
        .where(Contact.company_id == company_id)
        .order_by(Contact.is_primary.desc(), Contact.name_fold, Contact.id)
    )
    return [(r.id, person_name(r.last_name, r.first_name, r.middle_name) or "?") for r in rows]


def contact_choices(ctx: Context, deal_id: int) -> list[tuple[int, str]]:
    """The contact persons of a visible deal's client: (id, full name), primary first."""
    ctx.require(R.DEALS)
    with ctx.db.reader() as s:
        return contacts_in(s, load_deal(s, ctx, deal_id).company_id)


# --- picking a product (the deal card's "add product" list) ------------------------------


@dataclass(frozen=True)
class ProductChoice:
    """An active product as the product picker lists it."""

    id: int
    name: str
    sku: str | None
    unit: str | None
    price: Decimal
    currency_code: str
    vat_pct: Decimal


def _require_products(ctx: Context) -> None:
    """The products reference book is read from a deal's lines (``deals``) and for an
    interaction's product of interest on a client's card (``clients``)."""
    if not ctx.has(R.CLIENTS):
        ctx.require(R.DEALS)


def product_choices(ctx: Context, text: str = "", limit: int = 50) -> list[ProductChoice]:
    """Active products whose words (name, SKU) start with every typed word, by name."""
    _require_products(ctx)
    limit = max(1, min(int(limit), 500))
    query = (
        select(Product, Unit.short_name)
        .outerjoin(Unit, Unit.id == Product.unit_id)
        .where(Product.is_active.is_(True))
    )
    for word in words(text or "")[:5]:
        query = query.where(
            exists().where(
                SearchWord.object_kind == search_index.PRODUCT,
                SearchWord.object_id == Product.id,
                prefix_match(SearchWord.word, word[: search_index.WORD_MAX]),
            )
        )
    with ctx.db.reader() as s:
        rows = s.execute(query.order_by(Product.name_fold, Product.id).limit(limit)).all()
        return [
            ProductChoice(p.id, p.name, p.sku, unit, p.price, p.currency_code, p.vat_pct)
            for p, unit in rows
        ]


def product_choice(ctx: Context, product_id: int) -> ProductChoice | None:
    """One product (active or not) by id, or None."""
    _require_products(ctx)
    with ctx.db.reader() as s:
        row = s.execute(
            select(Product, Unit.short_name)
            .outerjoin(Unit, Unit.id == Product.unit_id)
            .where(Product.id == product_id)
        ).first()
        if row is None:
            return None
        p, unit = row
        return ProductChoice(p.id, p.name, p.sku, unit, p.price, p.currency_code, p.vat_pct)
