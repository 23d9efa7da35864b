"""What a simulated base holds at start, made from plain records (a demo database's
companies and products, or a built-in list): deterministic, so every run and every
test sees the same base.

Of the companies with an INN, in turn by tens: 4 are in 1C as they are (INN, KPP, name:
a sync proposes them by INN+KPP), 1 with another name, 1 with another KPP, 4 are not in
1C (only in qstui); then a fifth as many again exist only in 1C. Products: 5 in 10 are
in 1C with the same article and name, 1 with another name, 4 only in qstui; plus a
fifth as many only in 1C. Each counterparty in 1C has a contract with a buyer in roubles.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from qstui.onec import mapping as M
from qstui.onec.simulator.store import Store


@dataclass(frozen=True)
class SeedCompany:
    name: str
    inn: str
    kpp: str
    full_name: str = ""


@dataclass(frozen=True)
class SeedProduct:
    name: str
    article: str
    unit_code: str = "796"  # ОКЕИ
    is_service: bool = False


@dataclass(frozen=True)
class SeedSummary:
    same: tuple[str, ...]  # INNs in 1C exactly as in qstui
    other_name: tuple[str, ...]
    other_kpp: tuple[str, ...]
    only_here: tuple[str, ...]
    only_there: tuple[str, ...]
    products_same: tuple[str, ...]  # articles
    products_other_name: tuple[str, ...]
    products_only_here: tuple[str, ...]
    products_only_there: tuple[str, ...]
    organization: str  # Ref_Key of our organisation in 1C
    currencies: dict[str, str]  # code → Ref_Key
    units: dict[str, str]  # ОКЕИ code → Ref_Key


_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)


def inn_legal(rng: random.Random, region_code: str, office: str) -> str:
    """A valid 10-digit INN (the check digit ``domain.validators.inn`` verifies); made
    here rather than imported from ``qstui.demo``, which would load the database layer."""
    body = f"{region_code}{office}{rng.randint(0, 99999):05d}"
    check = sum(int(d) * w for d, w in zip(body, _INN10_WEIGHTS, strict=True)) % 11 % 10
    return body + str(check)


def kpp_of(region_code: str, office: str) -> str:
    return f"{region_code}{office}01001"


CURRENCIES = (
    ("643", "RUB", "Российский рубль"),
    ("840", "USD", "Доллар США"),
    ("978", "EUR", "Евро"),
)
UNITS = (
    ("796", "шт", "Штука"),
    ("356", "ч", "Час"),
    ("166", "кг", "Килограмм"),
    ("006", "м", "Метр"),
    ("778", "упак", "Упаковка"),
)
OUR_ORGANIZATION = SeedCompany("Наша фирма", "7701234560", "770101001", "ООО «Наша фирма»")


def built_in(count: int = 20) -> tuple[list[SeedCompany], list[SeedProduct]]:
    """Companies and products for a simulator run without a database."""
    rng = random.Random(1)
    companies = []
    for n in range(count):
        office = f"{rng.randint(1, 50):02d}"
        inn = inn_legal(rng, "77", office)
        companies.append(
            SeedCompany(f"Компания {n + 1}", inn, kpp_of("77", office), f"ООО «Компания {n + 1}»")
        )
    products = [
        SeedProduct(f"Товар {n + 1}", f"ART-{n + 1:04d}", "796" if n % 3 else "356", n % 3 == 0)
        for n in range(count)
    ]
    return companies, products


def seed(
    store: Store, companies: Sequence[SeedCompany], products: Sequence[SeedProduct]
) -> SeedSummary:
    rng = random.Random(7)
    org = _create(
        store,
        M.ORGANIZATION,
        {
            "name": OUR_ORGANIZATION.name,
            "inn": OUR_ORGANIZATION.inn,
            "kpp": OUR_ORGANIZATION.kpp,
        },
    )
    currencies = {
        code: _create(store, M.CURRENCY, {"code": num, "name": code, "full_name": full})
        for num, code, full in CURRENCIES
    }
    units = {
        code: _create(store, M.UNIT, {"code": code, "name": short, "full_name": full})
        for code, short, full in UNITS
    }
    same, other_name, other_kpp, only_here = [], [], [], []
    with_inn = [c for c in companies if c.inn]
    for index, company in enumerate(with_inn):
        kind = index % 10
        if kind >= 6:
            only_here.append(company.inn)
            continue
        name, kpp = company.name, company.kpp
        if kind == 4:
            name = company.name + " (1С)"
            other_name.append(company.inn)
        elif kind == 5 and company.kpp:
            kpp = company.kpp[:4] + "02" + company.kpp[6:]
            other_kpp.append(company.inn)
        else:
            same.append(company.inn)
        _counterparty(store, org, currencies["RUB"], name, company.inn, kpp, company.full_name)
    only_there = []
    for n in range(max(3, len(with_inn) // 5)):
        office = f"{rng.randint(1, 50):02d}"
        inn = inn_legal(rng, "50", office)
        only_there.append(inn)
        _counterparty(
            store,
            org,
            currencies["RUB"],
            f"Только в 1С {n + 1}",
            inn,
            kpp_of("50", office),
            f"ООО «Только в 1С {n + 1}»",
        )
    p_same, p_other, p_here = [], [], []
    for index, product in enumerate(products):
        kind = index % 10
        if kind >= 6:
            p_here.append(product.article)
            continue
        name = product.name + " (1С)" if kind == 5 else product.name
        (p_other if kind == 5 else p_same).append(product.article)
        _product(store, units, name, product.article, product.unit_code, product.is_service)
    p_there = []
    for n in range(max(3, len(products) // 5)):
        article = f"1C-{n + 1:05d}"
        p_there.append(article)
        _product(store, units, f"Номенклатура 1С {n + 1}", article, "796", False)
    return SeedSummary(
        tuple(same),
        tuple(other_name),
        tuple(other_kpp),
        tuple(only_here),
        tuple(only_there),
        tuple(p_same),
        tuple(p_other),
        tuple(p_here),
        tuple(p_there),
        org,
        currencies,
        units,
    )


def _create(store: Store, role: str, values: dict) -> str:
    return store.create(store.set_of(role), store.names(role, values))["Ref_Key"]


def _counterparty(
    store: Store, org: str, rub: str, name: str, inn: str, kpp: str, full_name: str
) -> str:
    objects = M.objects_of(store.config_kind)
    values = {"name": name, "inn": inn, "kpp": kpp, "full_name": full_name or name}
    if "legal_kind" in objects[M.COUNTERPARTY].fields:
        values["legal_kind"] = M.LEGAL_ENTITY[store.config_kind]
    partner = None
    if M.PARTNER in objects:
        partner = _create(store, M.PARTNER, {"name": name, "full_name": full_name or name})
        values["partner"] = partner
    ref = _create(store, M.COUNTERPARTY, values)
    contract = {
        "name": "Основной договор",
        "owner": ref,
        "contract_kind": M.CONTRACT_WITH_BUYER[store.config_kind],
        "currency": rub,
        "organization": org,
    }
    if partner is not None and "partner" in objects[M.CONTRACT].fields:
        contract["partner"] = partner
    _create(store, M.CONTRACT, contract)
    return ref


def _product(
    store: Store, units: dict[str, str], name: str, article: str, unit: str, service: bool
) -> str:
    return _create(
        store,
        M.PRODUCT,
        {
            "name": name,
            "full_name": name,
            "article": article,
            "unit": units.get(unit, units["796"]),
            "is_service": M.service_value(store.config_kind, service),
        },
    )
