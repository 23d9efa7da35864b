"""A deal in 1C for the tests: a client and products linked to a simulated base (the
simulator as a real HTTP server on loopback, shared by a module), a deal with product
lines, and documents and payments made "in 1C" the way an accountant would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from tests.services.client_support import inn10
from tests.services.deal_support import company, make_team, product
from tests.services.onec_sync_support import BASE, USER, no_waiting, secrets

from qstui.db.engine import Database
from qstui.db.models import Deal, OnecLink
from qstui.domain.onec_deal import DealRunResult
from qstui.onec import mapping as M
from qstui.onec.secrets import Secrets
from qstui.onec.simulator import Simulator, Store
from qstui.onec.simulator.seed import SeedSummary
from qstui.services import rights as R
from qstui.services.access.users import grant
from qstui.services.context import Context, context_for
from qstui.services.deals.deal import create_deal
from qstui.services.deals.items import add_item
from qstui.services.onec import bases
from qstui.services.onec.deal_run import run_deal

LINES = (("Кран шаровой", "3", "1500.00"), ("Монтаж, ч", "2.5", "999.99"))


@dataclass
class World:
    db: Database
    store: Store
    seeded: SeedSummary
    anna: Context  # a manager with onec.exchange
    boris: Context  # a manager without it
    company_id: int
    counterparty: str  # its Ref_Key in 1C
    products: dict[str, str]  # name → Ref_Key in 1C
    deal_id: int
    secrets: Secrets

    def run(self, action: str, ctx: Context | None = None) -> DealRunResult:
        return run_deal(
            ctx or self.anna, self.deal_id, BASE, action, self.secrets, client_factory=no_waiting
        )

    def contract_ref(self) -> str:
        with self.db.reader() as s:
            contract_id = s.scalar(select(Deal.contract_id).where(Deal.id == self.deal_id))
            ref = s.scalar(
                select(OnecLink.ref_key).where(
                    OnecLink.object_kind == "contract", OnecLink.object_id == contract_id
                )
            )
        assert ref is not None
        return ref


def link(db: Database, base_id: int, kind: str, object_id: int, ref: str) -> None:
    with db.transaction() as s:
        s.add(OnecLink(base_id=base_id, object_kind=kind, object_id=object_id, ref_key=ref))


def make_world(
    db: Database,
    sim: Simulator,
    seeded: SeedSummary,
    tmp_path: Path,
    *,
    currency: str = "RUB",
    link_products: bool = True,
) -> World:
    store = sim.store
    team = make_team(db)
    grant(team.system, "anna", R.ONEC_EXCHANGE)
    anna = context_for(db, "anna")
    base_id = bases.add_base(team.system, BASE, sim.url, store.config_kind, USER)
    inn = inn10(len(store.rows(store.set_of(M.COUNTERPARTY))) + 11)
    company_id = company(db, "ООО «Арбат»", team.id("anna"), inn=inn, kpp="770101001")
    counterparty = store.create(
        store.set_of(M.COUNTERPARTY),
        store.names(M.COUNTERPARTY, {"name": "Арбат", "inn": inn, "kpp": "770101001"}),
    )["Ref_Key"]
    link(db, base_id, "company", company_id, counterparty)
    deal_id = create_deal(anna, company_id, "Поставка кранов", currency_code=currency)
    refs = {}
    version = _version(db, deal_id)
    for name, qty, price in LINES:
        product_id = product(db, name, price, currency=currency)
        ref = store.create(
            store.set_of(M.PRODUCT),
            store.names(M.PRODUCT, {"name": name, "unit": seeded.units["796"]}),
        )["Ref_Key"]
        refs[name] = ref
        if link_products:
            link(db, base_id, "product", product_id, ref)
        version = add_item(anna, deal_id, version, product_id, qty, price).deal_version
    return World(
        db,
        store,
        seeded,
        anna,
        context_for(db, "boris"),
        company_id,
        counterparty,
        refs,
        deal_id,
        secrets(tmp_path),
    )


def _version(db: Database, deal_id: int) -> int:
    with db.reader() as s:
        return int(s.scalar(select(Deal.version).where(Deal.id == deal_id)) or 0)


def their(store: Store, role: str, **where: Any) -> list[dict[str, Any]]:
    """Objects of ``role`` in the simulated base whose 1C fields equal ``where``."""
    return [
        row
        for row in store.rows(store.set_of(role))
        if all(row.get(name) == value for name, value in where.items())
    ]


def document_in_1c(
    store: Store,
    role: str,
    values: dict[str, Any],
    rows: list[dict[str, Any]] | None = None,
    posted: bool = True,
) -> str:
    """A document an accountant made in 1C (posted): its Ref_Key."""
    body = store.names(role, values)
    if rows is not None:
        table = M.objects_of(store.config_kind)[role].tables[0]
        body[table.name] = [
            {M.LINE_NUMBER: n, **{table.fields[k]: v for k, v in row.items()}}
            for n, row in enumerate(rows, 1)
        ]
    ref = store.create(store.set_of(role), body)["Ref_Key"]
    if posted:
        store.post(store.set_of(role), ref)
    return ref


def day_1c(day: date) -> str:
    return f"{day.isoformat()}T10:00:00"
