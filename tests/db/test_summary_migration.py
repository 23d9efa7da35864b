"""Migration 0006 adds the deals' money summary columns and fills them for the deals a
database already has: the same sums the services keep, conversions and missing rates
included (and 0018 their debt and first bill day, as the services keep them); going
back to 0005 drops them and loses no row (on SQLite a table copy would cascade into the
deals' stages and payments)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, inspect, select

from qstui.db.create import create_database
from qstui.db.defaults import load_defaults
from qstui.db.engine import Database
from qstui.db.migrate import current_revision, downgrade, head_revision, upgrade
from qstui.db.models import Company, Deal, DealDocument, DealStage, Payment
from qstui.domain.normalize import company_name, fold
from qstui.services import deals as D
from qstui.services.context import Context
from qstui.services.deals import debt as Debt
from qstui.services.deals import documents as Docs
from qstui.services.deals import payments as P
from qstui.services.refbooks import currency as C

SUMMARY = ("invoiced", "shipped", "paid", "rate_missing")
OWING = ("debt", "billed_on")  # 0018, filled from the columns above and the documents
DAY = date(2026, 10, 15)


def _money(db: Database) -> dict[str, int]:
    """A client with four deals and their documents and payments, through the services;
    returns the deals' ids by currency."""
    system = Context.system(db)
    with db.transaction() as s:
        name = "Ромашка"
        client = Company(name=name, name_fold=fold(name), name_key=company_name(name))
        s.add(client)
        s.flush()
        client_id = client.id
    C.set_rate(system, "USD", date(2026, 10, 1), Decimal("90"))
    C.set_rate(system, "USD", date(2026, 10, 10), Decimal("92.5"))
    rub = D.create_deal(system, client_id, "Рубли")
    Docs.add_document(system, rub, "invoice", "1", DAY, "1000.00")
    Docs.add_document(system, rub, "shipment", "2", DAY, "800.00")
    Docs.add_document(system, rub, "invoice_factura", "3", DAY, "5000.00")  # not counted
    Docs.add_document(system, rub, "invoice", "4", DAY, "700.00", state="deleted")
    P.add_payment(system, rub, "actual", DAY, "300.00")
    P.add_payment(system, rub, "planned", DAY, "500.00")  # not counted
    P.add_payment(system, rub, "actual", DAY, "2.00", "USD")  # 2 × 92.50 = 185 ₽
    usd = D.create_deal(system, client_id, "Доллары", currency_code="USD")
    Docs.add_document(system, usd, "invoice", "5", DAY, "100.00")
    P.add_payment(system, usd, "actual", date(2026, 10, 5), "9000.00", "RUB")  # 100 $
    eur = D.create_deal(system, client_id, "Евро", currency_code="EUR")
    P.add_payment(system, eur, "actual", DAY, "10.00", "RUB")  # no EUR rate at all
    D.create_deal(system, client_id, "Пустая")
    return {"RUB": rub, "USD": usd, "EUR": eur}


def _summaries(db: Database, names: tuple[str, ...] = SUMMARY) -> dict[int, tuple]:
    with db.reader() as s:
        columns = [getattr(Deal, name) for name in names]
        return {r[0]: tuple(r[1:]) for r in s.execute(select(Deal.id, *columns))}


def _counts(db: Database) -> dict[str, int]:
    with db.reader() as s:
        return {
            model.__tablename__: s.scalar(select(func.count()).select_from(model)) or 0
            for model in (Deal, DealStage, DealDocument, Payment)
        }


def test_upgrade_fills_the_summary_columns_of_existing_deals(scratch_url):
    url = scratch_url("sums")
    create_database(url)
    db = Database(url)
    try:
        upgrade(db)
        load_defaults(db)
        deals = _money(db)
        kept = _summaries(db)
        assert kept[deals["RUB"]] == (Decimal(1000), Decimal(800), Decimal(485), False)
        assert kept[deals["USD"]] == (Decimal(100), Decimal(0), Decimal(100), False)
        assert kept[deals["EUR"]] == (Decimal(0), Decimal(0), Decimal(0), True)  # no rate
        owing = _summaries(db, OWING)
        assert owing[deals["RUB"]] == (Decimal(515), DAY)  # 1000 − 485, the first bill
        assert owing[deals["USD"]] == (Decimal(0), DAY)
        assert owing[deals["EUR"]] == (Decimal(0), None)  # no rate, no bill
        rows = _counts(db)

        downgrade(db, "0005")
        assert current_revision(db) == "0005"
        columns = {c["name"].lower() for c in inspect(db.engine).get_columns("deals")}
        assert columns.isdisjoint(SUMMARY + OWING)
        assert _counts(db) == rows  # nothing cascaded away

        upgrade(db)
        assert current_revision(db) == head_revision()
        assert _summaries(db) == kept
        assert _summaries(db, OWING) == owing
        assert _counts(db) == rows
        with db.reader() as s:
            known = [deal_id for deal_id, sums in kept.items() if not sums[3]]
            assert Debt.deal_debts(s, known) == Debt.debts_from_rows(s, known)
    finally:
        db.dispose()
