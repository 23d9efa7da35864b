"""Interactions: a year of done calls, meetings, letters…, plans for the next four
weeks, overdue plans, and the calls of the exhibition mass activity."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from qstui.demo.clients import CompanyInfo
from qstui.demo.deals import DealInfo
from qstui.demo.rows import Batch, Weighted, day_between, local, working_day
from qstui.demo.world import World
from qstui.domain.enums import DealStatus, EventStatus

TYPE_WEIGHTS = {
    "call": 45,
    "meeting": 14,
    "letter": 16,
    "demo": 5,
    "offer": 10,
    "other": 6,
    "mailing": 4,
}
MINUTES = {
    "call": (5, 30),
    "meeting": (45, 120),
    "letter": (5, 15),
    "demo": (60, 120),
    "offer": (15, 45),
    "other": (15, 60),
    "mailing": (5, 10),
}
KINDS = ("done", "planned", "overdue", "cancelled")
KIND_WEIGHTS = (86, 9, 3, 2)
_KIND = Weighted(KINDS, KIND_WEIGHTS)
# The result of a done interaction, guessed from its text (first match wins).
RESULT_RULES = (
    ("не дозвон", "Не дозвонился"),
    ("встреч", "Договорились о встрече"),
    ("перезвон", "Перезвонить позже"),
    ("подписан", "Заключен договор"),
    ("оплатил", "Получена оплата"),
    ("кп", "Отправлено КП"),
    ("предложени", "Отправлено КП"),
    ("счет", "Выставлен счет"),
    ("отлож", "Клиент думает"),
    ("рассмотрени", "Клиент думает"),
    ("сравнива", "Клиент думает"),
)
EXPO_SUBJECT = "Приглашение на стенд на выставке «Связь-2026»"
EXPO_RESULTS = (
    ("Придут на стенд во второй день выставки", "Договорились о встрече"),
    ("Пока не решили, перезвонить через неделю", "Перезвонить позже"),
    ("Не дозвонился, отправил приглашение на почту", "Не дозвонился"),
)


class Texts:
    """Event types that exist in the database, with their subjects and result ids."""

    def __init__(self, world: World) -> None:
        refs, texts = world.refs, world.pools.event_texts
        self.codes = [c for c in TYPE_WEIGHTS if c in refs.event_types and texts.get(c)]
        if not self.codes:
            self.codes = [c for c in refs.event_types if texts.get(c)] or ["call"]
        self.pick_code = Weighted(self.codes, [TYPE_WEIGHTS.get(c, 5) for c in self.codes])
        any_type = next(iter(refs.event_types.values()))
        self.type_ids = {c: refs.event_types.get(c, any_type) for c in self.codes}
        self.texts = {c: texts.get(c) or (("Звонок клиенту", ""),) for c in self.codes}
        self.results = refs.results
        self.fallback = refs.results.get("Прочее") or next(iter(refs.results.values()), None)

    def result_id(self, text: str) -> int | None:
        low = text.lower()
        for needle, name in RESULT_RULES:
            if needle in low and name in self.results:
                return self.results[name]
        return self.fallback


def make_events(
    rng: random.Random,
    world: World,
    batch: Batch,
    infos: list[CompanyInfo],
    deals: dict[int, list[DealInfo]],
    counts: list[int],
) -> None:
    """``counts[i]`` events for company ``infos[i]``; sets its ``last_contact_at``."""
    texts = Texts(world)
    for info, count in zip(infos, counts, strict=True):
        latest: datetime | None = None
        for kind in _kinds(rng, world, info, count):
            row = _event(rng, world, texts, info, deals.get(info.id, []), kind)
            batch.add("events", row)
            if row["status"] == EventStatus.DONE and (latest is None or row["event_at"] > latest):
                latest = row["event_at"]
        info.row["last_contact_at"] = latest


def _kinds(rng: random.Random, world: World, info: CompanyInfo, count: int) -> list[str]:
    kinds: list[str] = []
    if info.in_expo and count:
        kinds.append("expo")
    needs = world.pending.get(info.manager_id)
    while needs and len(kinds) < count:
        kinds.append(needs.pop())
    while len(kinds) < count:
        kinds.append(_KIND.pick(rng))
    return kinds


def _when(rng: random.Random, day: date, first: date, last: date) -> datetime:
    """A working-hours moment on ``day`` (moved off weekends when that stays in range)."""
    moved = working_day(day)
    if first <= moved <= last:
        day = moved
    return local(day, rng.randint(9, 17), rng.choice((0, 15, 30, 45)))


@dataclass
class _Plan:
    """What an interaction is about and when it happens, before it becomes a row."""

    kind: str  # done / cancelled / planned
    code: str  # event type code
    subject: str
    result: str
    at: datetime
    deal: DealInfo | None = None
    activity: int | None = None
    result_name: str | None = None  # a fixed result instead of one guessed from the text


def _plan(
    rng: random.Random,
    world: World,
    texts: Texts,
    info: CompanyInfo,
    deals: list[DealInfo],
    kind: str,
) -> _Plan:
    code = texts.pick_code.pick(rng)
    subject, result = rng.choice(texts.texts[code])
    if kind == "expo":
        return _expo(rng, world, texts, code)
    if kind in ("done", "cancelled"):
        return _past(rng, world, info, deals, _Plan(kind, code, subject, result, world.now))
    return _future(
        rng, world, info, deals, kind, _Plan("planned", code, subject, result, world.now)
    )


def _expo(rng: random.Random, world: World, texts: Texts, code: str) -> _Plan:
    """A call of the exhibition mass activity, in the two weeks after it was planned."""
    assert world.groups is not None
    result, result_name = rng.choice(EXPO_RESULTS)
    day = world.groups.activity_on + timedelta(days=rng.randint(0, 14))
    return _Plan(
        kind="done" if day < world.today else "planned",
        code="call" if "call" in texts.type_ids else code,
        subject=EXPO_SUBJECT,
        result=result,
        at=_when(rng, day, day, day),
        activity=world.groups.activity_id,
        result_name=result_name,
    )


def _past(
    rng: random.Random, world: World, info: CompanyInfo, deals: list[DealInfo], plan: _Plan
) -> _Plan:
    """Held (or cancelled) during the past year; about a third during one of its deals."""
    oldest = max(info.created, world.today - timedelta(days=365))
    yesterday = world.today - timedelta(days=1)
    first, last = oldest, yesterday
    if deals and rng.random() < 0.35:
        deal = rng.choice(deals)
        if max(first, deal.started) <= min(last, deal.last_day):
            plan.deal = deal
            first, last = max(first, deal.started), min(last, deal.last_day)
    plan.at = _when(rng, day_between(rng, first, last), first, last)
    return plan


def _future(
    rng: random.Random,
    world: World,
    info: CompanyInfo,
    deals: list[DealInfo],
    kind: str,
    plan: _Plan,
) -> _Plan:
    """A plan: today, overdue (in the past week, still planned) or in the next 4 weeks."""
    today = world.today
    open_deals = [d for d in deals if d.status == DealStatus.OPEN]
    if open_deals and rng.random() < 0.5:
        plan.deal = rng.choice(open_deals)
    if kind == "today":
        plan.at = local(today, rng.randint(10, 17), rng.choice((0, 15, 30, 45)))
    elif kind == "overdue":
        first, last = max(info.created, today - timedelta(days=7)), today - timedelta(days=1)
        plan.at = _when(rng, day_between(rng, first, last), first, last)
    else:
        first, last = today + timedelta(days=1), today + timedelta(days=28)
        plan.at = _when(rng, day_between(rng, first, last), first, last)
    return plan


def _event(
    rng: random.Random,
    world: World,
    texts: Texts,
    info: CompanyInfo,
    deals: list[DealInfo],
    kind: str,
) -> dict[str, Any]:
    plan = _plan(rng, world, texts, info, deals, kind)
    at, done = plan.at, plan.kind == "done"
    low, high = MINUTES.get(plan.code, (15, 30))
    minutes = rng.randint(low, high)
    status = {"done": EventStatus.DONE, "cancelled": EventStatus.CANCELLED}.get(
        plan.kind, EventStatus.PLANNED
    )
    if done:
        created, updated = at, min(at + timedelta(minutes=minutes), world.now)
    else:
        created = max(info.row["created_at"], world.now - timedelta(days=rng.randint(0, 10)))
        created = updated = min(created, at) if plan.kind == "cancelled" else created
    result_id = None
    if done:
        result_id = (
            texts.results.get(plan.result_name, texts.fallback)
            if plan.result_name
            else texts.result_id(plan.result or plan.subject)
        )
    with_product = plan.code in ("offer", "demo") and rng.random() < 0.4
    contact = rng.choice(info.contacts) if info.contacts and rng.random() < 0.7 else None
    if plan.deal is not None and plan.deal.contact_id and contact:
        contact = plan.deal.contact_id
    return {
        "id": world.ids.take("events"),
        "type_id": texts.type_ids[plan.code],
        "status": status,
        "company_id": info.id,
        "contact_id": contact,
        "deal_id": plan.deal.id if plan.deal else None,
        "product_id": rng.choice(world.products).id if with_product else None,
        "activity_id": plan.activity,
        "responsible_id": info.manager_id,
        "subject": plan.subject,
        "event_at": at,
        "duration_min": minutes,
        "remind_at": at - timedelta(minutes=15) if status == EventStatus.PLANNED else None,
        "done_at": at + timedelta(minutes=minutes) if done else None,
        "result_id": result_id,
        "result_text": (plan.result or None) if done else None,
        "notes": "Клиент перенес, новую дату не назначили" if plan.kind == "cancelled" else None,
        "created_by": info.manager_id,
        "version": 1,
        "created_at": created,
        "updated_at": updated,
        "updated_by": info.manager_id,
    }
