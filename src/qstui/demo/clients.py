"""Companies with requisites, their contact persons, phones and e-mail addresses."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from qstui.demo import names, requisites
from qstui.demo.names import Person
from qstui.demo.pools import City, LegalForm
from qstui.demo.rows import Batch, Weighted, day_between, folded, local, pick, stamp
from qstui.demo.world import World
from qstui.domain.enums import ClientKind, PhoneKind
from qstui.domain.normalize import company_name, email_key, fold, phone_digits

KINDS = (ClientKind.CLIENT, ClientKind.PROSPECT, ClientKind.PARTNER, ClientKind.SUPPLIER)
KIND_WEIGHTS = (75, 18, 4, 3)
RATING_WEIGHTS = (15, 10, 20, 25, 18, 12)  # 0–5 stars
BIG_CITIES = frozenset({"Москва", "Санкт-Петербург", "Химки", "Красногорск", "Подольск"})
COMPANY_NOTES = (
    "Работают только по предоплате, счета согласует финансовый директор.",
    "Закупки раз в квартал, решение принимает собственник.",
    "Участвуют в тендерах по 223-ФЗ, нужны документы заранее.",
    "Пришли по рекомендации, важна скорость поставки.",
    "Есть филиалы в регионах, возможна централизованная закупка.",
    "Предпочитают отечественное оборудование и ПО.",
)
CONTACT_NOTES = (
    "Предпочитает связь по e-mail.",
    "Звонить после 11:00.",
    "Лучше писать в мессенджер.",
    "Принимает решения по закупкам техники.",
    "В отпуске в августе.",
    "Знает нас с прошлого места работы.",
)
FREE_MAIL = ("mail.ru", "yandex.ru", "bk.ru", "gmail.com")
_KIND = Weighted(KINDS, KIND_WEIGHTS)
_RATING = Weighted(range(6), RATING_WEIGHTS)


@dataclass
class CompanyInfo:
    """What the deals and events of a company need to know about it."""

    id: int
    row: dict[str, Any]
    city: City
    manager_id: int
    created: date
    kind: ClientKind
    rating: int
    domain: str
    owner: Person | None = None  # an entrepreneur is his own first contact
    phones: list[str] = field(default_factory=list)  # the company's own numbers
    contacts: list[int] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    in_expo: bool = False


def make_companies(
    rng: random.Random, world: World, batch: Batch, count: int, contact_counts: list[int]
) -> list[CompanyInfo]:
    infos = []
    for n_contacts in contact_counts[:count]:
        info = _company(rng, world, batch)
        _contacts(rng, world, batch, info, n_contacts)
        infos.append(info)
    return infos


def _manager(rng: random.Random, world: World, city: City) -> int:
    ivanov, petrova, sidorov = world.staff.managers
    regional = 30 if city.name in BIG_CITIES else 70
    return pick(rng, (ivanov, petrova, sidorov, world.staff.head), (32, 32, regional, 4))


def _unique_inn(rng: random.Random, world: World, make: Any, region: str, office: str) -> str:
    while True:
        inn = make(rng, region, office)
        if inn not in world.used_inns:
            world.used_inns.add(inn)
            return inn


@dataclass(frozen=True)
class _Identity:
    """Name and requisites of a new company."""

    name: str
    full_name: str
    inn: str
    kpp: str | None
    ogrn: str
    domain: str  # for e-mail addresses and the website
    core: str  # the brand, or the entrepreneur's last name
    owner: Person | None  # the entrepreneur


def _identity(rng: random.Random, world: World, form: LegalForm, city: City) -> _Identity:
    """Valid requisites registered in the city's region (INN, KPP, OGRN/OGRNIP)."""
    region = city.region_code
    office = requisites.tax_office(rng, region)
    registered = world.today.year - rng.randint(1, 18)
    if form.is_individual:
        owner = names.person(rng, world.pools)
        return _Identity(
            name=f"ИП {owner.initials}",
            full_name=f"{form.full} {owner.full}",
            inn=_unique_inn(rng, world, requisites.inn_person, region, office),
            kpp=None,
            ogrn=requisites.ogrnip(rng, region, registered),
            domain=rng.choice(FREE_MAIL),
            core=owner.last_name,
            owner=owner,
        )
    core = names.brand(rng, world.pools)
    name, full_name = names.company_names(form, core)
    return _Identity(
        name=name,
        full_name=full_name,
        inn=_unique_inn(rng, world, requisites.inn_legal, region, office),
        kpp=requisites.kpp(region, office),
        ogrn=requisites.ogrn(rng, region, registered),
        domain=names.domain_for(core, cyrillic=rng.random() < 0.05),
        core=core,
        owner=None,
    )


def _company(rng: random.Random, world: World, batch: Batch) -> CompanyInfo:
    pools, today = world.pools, world.today
    form: LegalForm = world.pick_form.pick(rng)
    city: City = world.pick_city.pick(rng)
    me = _identity(rng, world, form, city)
    created = today - timedelta(days=rng.randint(1, 3 * 365))
    manager_id = _manager(rng, world, city)
    kind = _KIND.pick(rng)
    rating = _RATING.pick(rng)
    street = rng.choice(pools.streets)
    address = (
        f"г. {city.name}, {city.street_prefix} {street}, д. {rng.randint(1, 120)}, "
        f"офис {rng.randint(1, 450)}"
    )
    company_id = world.ids.take("companies")
    created_at = local(created, rng.randint(9, 17), rng.choice((0, 15, 30, 45)))
    row = batch.add(
        "companies",
        {
            "id": company_id,
            "name": me.name,
            "name_fold": fold(me.name),
            "name_key": company_name(me.name),
            "full_name": me.full_name,
            "legal_form": form.short,
            "client_kind": kind,
            "inn": me.inn,
            "kpp": me.kpp,
            "ogrn": me.ogrn,
            "okpo": None,
            "legal_address": address,
            "postal_address": address if rng.random() < 0.7 else None,
            "city": city.name,
            "city_fold": folded(city.name),
            "website": f"https://{me.domain}"
            if not form.is_individual and rng.random() < 0.5
            else None,
            "region_id": world.refs.regions.get(city.region_code),
            "industry_id": rng.choice(world.refs.industries) if world.refs.industries else None,
            "source_id": rng.choice(world.refs.sources) if world.refs.sources else None,
            "manager_id": manager_id,
            "rating": rating,
            "notes": rng.choice(COMPANY_NOTES) if rng.random() < 0.15 else None,
            "last_contact_at": None,
            "created_by": manager_id,
            **stamp(created_at, manager_id),
        },
    )
    info = CompanyInfo(
        company_id, row, city, manager_id, created, kind, rating, me.domain, me.owner
    )
    _company_phones(rng, world, batch, info)
    if rng.random() < 0.8:
        box = rng.choice(("info", "info", "sales", "office", "zakaz"))
        if form.is_individual:
            box = f"{names.translit(me.core).replace(' ', '')}{rng.randint(1, 99)}"
        _email(world, batch, info, None, f"{box}@{me.domain}", rng.random() < 0.9)
    return info


def _company_phones(rng: random.Random, world: World, batch: Batch, info: CompanyInfo) -> None:
    lines = 1 + (rng.random() < 0.2)
    if rng.random() < 0.1:
        lines = 0
    for _ in range(lines):
        info.phones.append(names.city_phone(rng, info.city))
        _phone(world, batch, info, None, info.phones[-1], PhoneKind.WORK, None)
    if rng.random() < 0.05:
        _phone(world, batch, info, None, names.city_phone(rng, info.city), PhoneKind.FAX, None)


def _phone(
    world: World,
    batch: Batch,
    info: CompanyInfo,
    contact_id: int | None,
    number: str,
    kind: PhoneKind,
    ext: str | None,
) -> None:
    batch.add(
        "phones",
        {
            "id": world.ids.take("phones"),
            "company_id": info.id,
            "contact_id": contact_id,
            "number": number,
            "digits": phone_digits(number),
            "phone_kind": kind,
            "ext": ext,
            "note": None,
            **stamp(info.row["created_at"], info.manager_id),
        },
    )


def _email(
    world: World,
    batch: Batch,
    info: CompanyInfo,
    contact_id: int | None,
    address: str,
    allow_mailing: bool,
) -> None:
    batch.add(
        "emails",
        {
            "id": world.ids.take("emails"),
            "company_id": info.id,
            "contact_id": contact_id,
            "address": address,
            "address_key": email_key(address),
            "allow_mailing": allow_mailing,
            "note": None,
            **stamp(info.row["created_at"], info.manager_id),
        },
    )


def _birth_date(rng: random.Random, today: date) -> date | None:
    roll = rng.random()
    if roll < 0.25:
        return None
    year = rng.randint(1960, 2000)
    if roll < 0.28:  # a birthday this week
        day = today + timedelta(days=rng.randint(0, 6))
        if day.month == 2 and day.day == 29:
            day -= timedelta(days=1)
        return date(year, day.month, day.day)
    return date(year, 1, 1) + timedelta(days=rng.randint(0, 364))


def _contacts(
    rng: random.Random, world: World, batch: Batch, info: CompanyInfo, count: int
) -> None:
    pools, owner = world.pools, info.owner
    used_boxes: set[str] = set()
    for n in range(count):
        if n == 0 and owner is not None:
            who, job = owner, "Индивидуальный предприниматель"
        else:
            who = names.person(rng, pools)
            job = (
                rng.choice(("Генеральный директор", "Директор"))
                if n == 0
                else rng.choice(pools.job_titles[:-2])
            )
        contact_id = world.ids.take("contacts")
        info.contacts.append(contact_id)
        added = day_between(rng, info.created, world.today - timedelta(days=1))
        at = local(added, rng.randint(9, 17), rng.choice((0, 15, 30, 45)))
        batch.add(
            "contacts",
            {
                "id": contact_id,
                "company_id": info.id,
                "last_name": who.last_name,
                "first_name": who.first_name,
                "middle_name": who.middle_name,
                "name_fold": " ".join(
                    folded(part) for part in (who.last_name, who.first_name, who.middle_name)
                ),
                "job_title": job,
                "birth_date": _birth_date(rng, world.today),
                "notes": rng.choice(CONTACT_NOTES) if rng.random() < 0.1 else None,
                "is_primary": n == 0,
                "is_active": n == 0 or rng.random() < 0.95,
                **stamp(at, info.manager_id),
            },
        )
        if rng.random() < 0.75:
            _phone(world, batch, info, contact_id, names.mobile_phone(rng), PhoneKind.MOBILE, None)
        if info.phones and rng.random() < 0.3:
            ext = str(rng.randint(100, 599))
            _phone(world, batch, info, contact_id, info.phones[0], PhoneKind.WORK, ext)
        if rng.random() < 0.7:
            box = names.local_part(who)
            if owner is not None or info.domain in FREE_MAIL:
                box = f"{box.replace('.', '')}{rng.randint(1, 999)}"
            while box in used_boxes:
                box += str(rng.randint(0, 9))
            used_boxes.add(box)
            _email(world, batch, info, contact_id, f"{box}@{info.domain}", rng.random() < 0.9)
