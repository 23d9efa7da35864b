"""What ``qstui onec simulator --seed-from-db`` puts in the simulated 1C base: the
companies (with an INN) and the products of this database, as plain records."""

from __future__ import annotations

from sqlalchemy import select

from qstui.db.models import Company, Product, Unit
from qstui.onec.simulator.seed import SeedCompany, SeedProduct
from qstui.services import rights as R
from qstui.services.context import Context

SEED_LIMIT = 5000  # a demo base of 1C, not a copy of a large CRM


def seed_records(
    ctx: Context, limit: int = SEED_LIMIT
) -> tuple[list[SeedCompany], list[SeedProduct]]:
    ctx.require(R.ADMIN)
    with ctx.db.reader() as s:
        companies = [
            SeedCompany(name, inn, kpp or "", full_name or "")
            for name, inn, kpp, full_name in s.execute(
                select(Company.name, Company.inn, Company.kpp, Company.full_name)
                .where(Company.inn.is_not(None))
                .order_by(Company.id)
                .limit(limit)
            )
        ]
        products = [
            SeedProduct(name, sku or f"ID-{product_id}", okei or "796", bool(is_service))
            for product_id, name, sku, okei, is_service in s.execute(
                select(Product.id, Product.name, Product.sku, Unit.okei_code, Product.is_service)
                .outerjoin(Unit, Unit.id == Product.unit_id)
                .order_by(Product.id)
                .limit(limit)
            )
        ]
    return companies, products
