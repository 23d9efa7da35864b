"""The word pools of the demo data (``data/demo/*.csv``), read once."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from qstui.resources import read_csv


@dataclass(frozen=True)
class City:
    name: str
    region_code: str
    phone_code: str
    street_prefix: str


@dataclass(frozen=True)
class FirstName:
    name: str
    gender: str  # "m" / "f"
    patronymic_m: str
    patronymic_f: str


@dataclass(frozen=True)
class LegalForm:
    short: str
    full: str
    weight: int
    is_individual: bool


@dataclass(frozen=True)
class ProductSpec:
    group: str
    name: str
    unit_okei: str
    price: Decimal
    currency: str
    is_service: bool
    vat: Decimal


@dataclass(frozen=True)
class Pools:
    cities: tuple[City, ...]
    city_weights: tuple[int, ...]
    male_names: tuple[FirstName, ...]
    female_names: tuple[FirstName, ...]
    last_names: tuple[tuple[str, str], ...]  # (male, female)
    roots: tuple[str, ...]
    suffixes: tuple[str, ...]
    legal_forms: tuple[LegalForm, ...]
    streets: tuple[str, ...]
    job_titles: tuple[str, ...]
    deal_titles: tuple[str, ...]
    event_texts: dict[str, tuple[tuple[str, str], ...]]  # type code → (subject, result)
    claim_texts: tuple[tuple[str, str, str], ...]  # subject, description, resolution
    kb_articles: tuple[tuple[str, str, str], ...]  # category, title, body
    products: tuple[ProductSpec, ...]


def _city_weight(rank: int, name: str) -> int:
    """Bigger cities (listed first) get more clients; Moscow the most."""
    if name == "Москва":
        return 60
    if name == "Санкт-Петербург":
        return 25
    return max(1, 12 - rank // 6)


@cache
def pools() -> Pools:
    cities = tuple(
        City(r["city"], r["region_code"], r["phone_code"], r["street_prefix"] or "ул.")
        for r in read_csv("demo/cities.csv")
    )
    names = [
        FirstName(r["name"], r["gender"], r["patronymic_m"], r["patronymic_f"])
        for r in read_csv("demo/first_names.csv")
    ]
    words = read_csv("demo/company_words.csv")
    events: dict[str, list[tuple[str, str]]] = {}
    for r in read_csv("demo/event_texts.csv"):
        events.setdefault(r["type_code"], []).append((r["subject"], r["result"]))
    return Pools(
        cities=cities,
        city_weights=tuple(_city_weight(i, c.name) for i, c in enumerate(cities)),
        male_names=tuple(n for n in names if n.gender == "m"),
        female_names=tuple(n for n in names if n.gender == "f"),
        last_names=tuple((r["male"], r["female"]) for r in read_csv("demo/last_names.csv")),
        roots=tuple(r["word"] for r in words if r["kind"] == "root"),
        suffixes=tuple(r["word"] for r in words if r["kind"] == "suffix"),
        legal_forms=tuple(
            LegalForm(r["short"], r["full"], int(r["weight"]), r["kind"] == "individual")
            for r in read_csv("demo/legal_forms.csv")
        ),
        streets=tuple(r["name"] for r in read_csv("demo/streets.csv")),
        job_titles=tuple(r["name"] for r in read_csv("demo/job_titles.csv")),
        deal_titles=tuple(r["template"] for r in read_csv("demo/deal_titles.csv")),
        event_texts={code: tuple(rows) for code, rows in events.items()},
        claim_texts=tuple(
            (r["subject"], r["description"], r["resolution"])
            for r in read_csv("demo/claim_texts.csv")
        ),
        kb_articles=tuple(
            (r["category"], r["title"], r["body"].replace("\\n", "\n\n"))
            for r in read_csv("demo/kb_articles.csv")
        ),
        products=tuple(
            ProductSpec(
                group=r["group"],
                name=r["name"],
                unit_okei=r["unit_okei"],
                price=Decimal(r["price"]),
                currency=r["currency"] or "RUB",
                is_service=r["is_service"] == "1",
                vat=Decimal(r["vat"] or "0"),
            )
            for r in read_csv("demo/products.csv")
        ),
    )
