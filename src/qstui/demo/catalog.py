"""Products, product groups, the default price list and a year of currency rates."""

from __future__ import annotations

import math
import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from qstui.db.models import CurrencyRate
from qstui.demo.rows import local, money, stamp
from qstui.demo.world import ProductRef, Rates, World
from qstui.demo.writer import Writer
from qstui.domain.normalize import fold
from qstui.services.search import index as search_index

# Plausible rates (roubles per 1 unit) the random walk stays around.
RATE_CENTERS = {
    "USD": Decimal("90"),
    "EUR": Decimal("98"),
    "CNY": Decimal("12.5"),
    "KZT": Decimal("0.18"),
    "BYN": Decimal("27.5"),
}
SKU_PREFIX = {
    "Компьютеры и ноутбуки": "PC",
    "Мониторы и периферия": "MON",
    "Оргтехника": "PRN",
    "Офисная мебель": "FRN",
    "Программное обеспечение": "SW",
    "Расходные материалы": "CON",
    "Серверное оборудование": "SRV",
    "Сетевое оборудование": "NET",
    "Техническая поддержка": "SUP",
    "Услуги внедрения": "IMP",
    "Обучение": "EDU",
}


def make_rates(rng: random.Random, world: World, writer: Writer) -> Rates:
    """One rate per working day of the past year for each non-base currency: a smooth
    mean-reverting random walk around ``RATE_CENTERS`` (skips days already rated)."""
    rates = Rates(base=world.refs.base_currency)
    existing = {
        (code, day)
        for code, day in writer.conn.execute(
            select(CurrencyRate.currency_code, CurrencyRate.rate_date)
        )
    }
    first = world.today - timedelta(days=365)
    rows = []
    for code in world.refs.currencies:
        center = RATE_CENTERS.get(code)
        if code == rates.base or center is None:
            continue
        places = Decimal("0.0001") if center >= 1 else Decimal("0.000001")
        level = 1.0 + rng.uniform(-0.04, 0.04)
        days, values = [], []
        for n in range(366):
            day = first + timedelta(days=n)
            level += 0.03 * (1.0 - level) + rng.gauss(0, 0.004)
            if day.weekday() >= 5:
                continue
            value = (center * Decimal(repr(round(math.exp(level - 1.0), 6)))).quantize(places)
            days.append(day)
            values.append(value)
            if (code, day) not in existing:
                rows.append(
                    {
                        "id": world.ids.take("currency_rates"),
                        "currency_code": code,
                        "rate_date": day,
                        "rate": value,
                        "nominal": 1,
                        **stamp(local(day, 12)),
                    }
                )
        rates.series[code] = (days, values)
    writer.write("setup", "currency_rates", rows)
    return rates


def make_products(world: World, writer: Writer) -> tuple[ProductRef, ...]:
    """Groups and products from ``products.csv`` with a price in the default price list."""
    assert world.rates is not None
    at = local(world.today - timedelta(days=3 * 365), 9)
    groups: dict[str, int] = {}
    group_rows, product_rows, price_rows, word_rows = [], [], [], []
    products = []
    per_prefix: dict[str, int] = {}
    for spec in world.pools.products:
        if spec.group not in groups:
            groups[spec.group] = world.ids.take("product_groups")
            group_rows.append(
                {
                    "id": groups[spec.group],
                    "name": spec.group,
                    "parent_id": None,
                    "sort_no": len(groups),
                    **stamp(at),
                }
            )
        prefix = SKU_PREFIX.get(spec.group, "P")
        per_prefix[prefix] = per_prefix.get(prefix, 0) + 1
        sku = f"{prefix}-{per_prefix[prefix]:04d}"
        product_id = world.ids.take("products")
        product_rows.append(
            {
                "id": product_id,
                "group_id": groups[spec.group],
                "sku": sku,
                "name": spec.name,
                "name_fold": fold(spec.name),
                "unit_id": world.refs.units.get(spec.unit_okei),
                "price": spec.price,
                "currency_code": spec.currency,
                "vat_pct": spec.vat,
                "is_service": spec.is_service,
                "is_active": True,
                "description": None,
                **stamp(at),
            }
        )
        price_rows.append(
            {
                "id": world.ids.take("price_list_items"),
                "price_list_id": world.refs.price_list_id,
                "product_id": product_id,
                "price": money(world.rates.convert(spec.price, spec.currency, "RUB", world.today)),
                **stamp(at),
            }
        )
        words = search_index.text_words(spec.name, sku) | {fold(sku)}
        for row in search_index.rows(search_index.PRODUCT, product_id, None, words):
            row["id"] = world.ids.take("search_words")
            word_rows.append(row)
        products.append(
            ProductRef(
                id=product_id,
                name=spec.name,
                short=spec.name.split(" (")[0],
                price=spec.price,
                currency=spec.currency,
                vat=spec.vat,
                is_service=spec.is_service,
                unit_okei=spec.unit_okei,
            )
        )
    writer.write("setup", "product_groups", group_rows)
    writer.write("setup", "products", product_rows)
    writer.write("setup", "price_list_items", price_rows)
    writer.write("search", "search_words", word_rows)
    return tuple(products)
