"""What some companies have besides contacts: bank accounts, client terms, custom field
values, group memberships and claims with their status history."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from qstui.demo import requisites
from qstui.demo.clients import CompanyInfo
from qstui.demo.rows import Batch, local, pick, stamp
from qstui.demo.world import World
from qstui.domain.enums import ClaimStatus, ClientKind
from qstui.domain.normalize import fold

TERMS = (
    ("Скидка постоянного клиента", "Доставка по городу бесплатно при заказе от 50 000 ₽"),
    ("Договорные условия на год", "Отгрузка со склада в течение 3 рабочих дней"),
    ("Дилерские условия", "Самовывоз со склада в Москве"),
    ("Условия для госзаказчика", "Доставка до склада заказчика, разгрузка силами поставщика"),
)
CLAIM_FLOW = (ClaimStatus.NEW, ClaimStatus.INVESTIGATING, ClaimStatus.RESOLVED, ClaimStatus.CLOSED)
CLAIM_NOTES = {
    ClaimStatus.NEW: "Претензия зарегистрирована",
    ClaimStatus.INVESTIGATING: "Взята в работу, запрошены подробности",
    ClaimStatus.RESOLVED: "Решение согласовано с клиентом",
    ClaimStatus.CLOSED: "Клиент подтвердил, что вопрос закрыт",
}


def make_extras(rng: random.Random, world: World, batch: Batch, infos: list[CompanyInfo]) -> None:
    for info in infos:
        if rng.random() < 0.3:
            _bank_accounts(rng, world, batch, info)
        if rng.random() < 0.1:
            _terms(rng, world, batch, info)
        _custom_values(rng, world, batch, info)
        _memberships(rng, world, batch, info)
        if info.kind == ClientKind.CLIENT and rng.random() < 0.025:
            _claim(rng, world, batch, info)


def _bank_accounts(rng: random.Random, world: World, batch: Batch, info: CompanyInfo) -> None:
    individual = info.owner is not None
    for n in range(1 + (rng.random() < 0.1)):
        bank = rng.choice(requisites.BANKS)
        batch.add(
            "bank_accounts",
            {
                "id": world.ids.take("bank_accounts"),
                "company_id": info.id,
                "bank_name": bank.name,
                "bik": bank.bik,
                "corr_account": bank.corr_account,
                "account_no": requisites.settlement_account(rng, bank.bik, individual),
                "currency_code": "RUB",
                "is_main": n == 0,
                **stamp(info.row["created_at"], info.manager_id),
            },
        )


def _terms(rng: random.Random, world: World, batch: Batch, info: CompanyInfo) -> None:
    title, delivery = rng.choice(TERMS)
    start = world.today - timedelta(days=rng.randint(10, 300))
    batch.add(
        "client_terms",
        {
            "id": world.ids.take("client_terms"),
            "company_id": info.id,
            "title": title,
            "discount_pct": Decimal(rng.choice((3, 5, 5, 7, 10, 12, 15))),
            "markup_pct": None,
            "price_list_id": world.refs.price_list_id,
            "prepay_pct": Decimal(rng.choice((0, 30, 50, 100))),
            "credit_days": rng.choice((0, 14, 30, 45)),
            "pay_schedule": None,
            "delivery_terms": delivery,
            "valid_from": start,
            "valid_to": start + timedelta(days=365),
            "is_active": True,
            **stamp(local(start, 10), info.manager_id),
        },
    )


def _custom_values(rng: random.Random, world: World, batch: Batch, info: CompanyInfo) -> None:
    at = info.row["created_at"]

    def value(code: str, **columns: object) -> None:
        batch.add(
            "custom_values",
            {
                "id": world.ids.take("custom_values"),
                "field_id": world.fields[code],
                "object_id": info.id,
                "val_text": None,
                "val_fold": None,
                "val_num": None,
                "val_date": None,
                **columns,
                **stamp(at, info.manager_id),
            },
        )

    if rng.random() < 0.6:
        staff = rng.choice((5, 8, 12, 20, 35, 50, 80, 120, 250, 500, 1200))
        value("employees", val_num=Decimal(staff + rng.randint(0, staff // 5)))
    if rng.random() < 0.7:
        segment = pick(rng, ("A", "B", "C"), (2 + info.rating, 4, 4))
        value("segment", val_text=segment, val_fold=fold(segment))
    if rng.random() < 0.3:
        value("last_audit", val_date=world.today - timedelta(days=rng.randint(30, 700)))


def _memberships(rng: random.Random, world: World, batch: Batch, info: CompanyInfo) -> None:
    groups = world.groups
    assert groups is not None
    chosen = []
    if info.kind == ClientKind.CLIENT and info.rating >= 4 and rng.random() < 0.3:
        chosen.append((groups.vip, world.staff.head))
    if rng.random() < 0.04:
        chosen.append((groups.expo, world.staff.head))
        info.in_expo = True
    personal = groups.personal.get(info.manager_id)
    if personal is not None and rng.random() < 0.03:
        chosen.append((personal, info.manager_id))
    for group_id, by in chosen:
        info.groups.append(group_id)
        batch.add(
            "group_members",
            {
                "group_id": group_id,
                "company_id": info.id,
                "added_at": max(info.row["created_at"], world.now - timedelta(days=60)),
                "added_by": by,
            },
        )


def _claim(rng: random.Random, world: World, batch: Batch, info: CompanyInfo) -> None:
    subject, description, resolution = rng.choice(world.pools.claim_texts)
    final = pick(rng, CLAIM_FLOW, (20, 25, 20, 35))
    steps = CLAIM_FLOW[: CLAIM_FLOW.index(final) + 1]
    oldest = max(info.created, world.today - timedelta(days=365))
    newest = world.today - timedelta(days=1 if final == ClaimStatus.NEW else 20)
    day = oldest + timedelta(days=rng.randint(0, max(0, (newest - oldest).days)))
    registered = local(day, rng.randint(9, 17), rng.choice((0, 15, 30, 45)))
    claim_id = world.ids.take("claims")
    at, old = registered, None
    history = []
    for status in steps:
        history.append(
            {
                "id": world.ids.take("claim_changes"),
                "claim_id": claim_id,
                "changed_at": at,
                "changed_by": info.manager_id,
                "old_status": old,
                "new_status": status,
                "note": CLAIM_NOTES[status],
            }
        )
        old, last = status, at
        at = min(at + timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 5)), world.now)
    worked = final != ClaimStatus.NEW
    batch.add(
        "claims",
        {
            "id": claim_id,
            "company_id": info.id,
            "subject": subject,
            "description": description,
            "department_id": world.staff.sales_dept,
            "employee_id": info.manager_id,
            "event_id": None,
            "status": final,
            "plan_text": "Проверить обстоятельства и согласовать решение с клиентом"
            if worked
            else None,
            "plan_due": day + timedelta(days=7) if worked else None,
            "resolution": resolution
            if final in (ClaimStatus.RESOLVED, ClaimStatus.CLOSED)
            else None,
            "registered_at": registered,
            "registered_by": info.manager_id,
            "closed_at": last if final == ClaimStatus.CLOSED else None,
            **stamp(last, info.manager_id),
        },
    )
    for row in history:
        batch.add("claim_changes", row)
