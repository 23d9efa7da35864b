"""A deal in 1C (E3–E6, E8) against the simulator as a real HTTP server on loopback
(one per module), on SQLite and Firebird: the invoice posted in 1C with the deal's rows,
payments and documents coming back with the debt to the kopeck, a USD deal with its
rate, idempotent runs, faults halfway that leave qstui as it was, rights."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from onec_deal_support import World, day_1c, document_in_1c, make_world, their
from onec_sync_support import PASSWORD, USER, last_run, no_waiting, run_count
from sqlalchemy import select

from qstui.db.engine import Database
from qstui.db.models import Contract, DealDocument, OnecLink, Payment
from qstui.domain.clock import today
from qstui.domain.enums import DocKind, DocState, ExchangeStatus, PaymentSource
from qstui.domain.errors import AccessDenied
from qstui.domain.onec_deal import DOCUMENTS, INVOICE, PAYMENTS
from qstui.onec import mapping as M
from qstui.onec.errors import OnecError
from qstui.onec.simulator import Simulator, Store
from qstui.onec.simulator.seed import SeedSummary, seed
from qstui.onec.simulator.server import DROP, ERROR_500
from qstui.services.context import Context
from qstui.services.deals import get_deal
from qstui.services.deals.debt import deal_debt
from qstui.services.deals.documents import list_documents
from qstui.services.deals.items import update_item
from qstui.services.deals.view import deal_view
from qstui.services.onec.deal_onec import ChangedThere, invoice_mark
from qstui.services.onec.deal_run import NotLinked, sync_documents
from qstui.services.refbooks.currency import set_rate

INVOICE_SET = "Document_СчетНаОплатуПокупателю"


@pytest.fixture(scope="module")
def onec(frozen_clock: object) -> Iterator[tuple[Simulator, SeedSummary]]:
    store = Store("bp30")
    seeded = seed(store, [], [])
    with Simulator(store, user=USER, password=PASSWORD) as sim:
        yield sim, seeded


@pytest.fixture
def world(db: Database, onec: tuple[Simulator, SeedSummary], tmp_path: Path) -> Iterator[World]:
    sim, seeded = onec
    yield make_world(db, sim, seeded, tmp_path)
    sim.faults.clear()


def state(db: Database) -> dict[str, Any]:
    """What a deal run may write in qstui (the journal aside)."""
    with db.reader() as s:
        return {
            "documents": s.execute(
                select(
                    DealDocument.id,
                    DealDocument.version,
                    DealDocument.amount,
                    DealDocument.state,
                    DealDocument.rate,
                ).order_by(DealDocument.id)
            ).all(),
            "payments": s.execute(
                select(Payment.id, Payment.version, Payment.amount).order_by(Payment.id)
            ).all(),
            "contracts": s.execute(select(Contract.id, Contract.number)).all(),
            "links": s.execute(
                select(
                    OnecLink.object_kind,
                    OnecLink.object_id,
                    OnecLink.ref_key,
                    OnecLink.data_version,
                ).order_by(OnecLink.object_kind, OnecLink.object_id)
            ).all(),
        }


def marked_invoices(w: World) -> list[dict[str, Any]]:
    """The invoices qstui made for the deal (its client is the world's own)."""
    return their(
        w.store, M.INVOICE, Комментарий=invoice_mark(w.deal_id), Контрагент_Key=w.counterparty
    )


def test_an_invoice_is_posted_in_1c_with_the_deals_rows(world: World) -> None:
    w = world
    done = w.run(INVOICE)
    assert done.invoice_created and done.invoice_no
    [invoice] = marked_invoices(w)
    assert invoice["Posted"] is True
    assert invoice["Number"] == done.invoice_no
    assert invoice["Контрагент_Key"] == w.counterparty
    assert invoice["ДоговорКонтрагента_Key"] == w.contract_ref()
    assert invoice["ВалютаДокумента_Key"] == w.seeded.currencies["RUB"]
    assert invoice["Организация_Key"] == w.seeded.organization
    assert invoice["КурсВзаиморасчетов"] == 1
    assert invoice["СуммаДокумента"] == Decimal("6999.98")
    rows = [
        (
            r["LineNumber"],
            r["Номенклатура_Key"],
            r["Количество"],
            r["Цена"],
            r["Сумма"],
            r["СуммаНДС"],
        )
        for r in invoice["Товары"]
    ]
    assert rows == [
        (
            1,
            w.products["Кран шаровой"],
            Decimal("3"),
            Decimal("1500.00"),
            Decimal("4500.00"),
            Decimal("750.00"),
        ),
        (
            2,
            w.products["Монтаж, ч"],
            Decimal("2.5"),
            Decimal("999.99"),
            Decimal("2499.98"),
            Decimal("416.66"),
        ),
    ]
    # the contract: a buyer's contract in roubles made in 1C, and ours linked to it
    [contract] = their(w.store, M.CONTRACT, Owner_Key=w.counterparty)
    assert contract["ВидДоговора"] == "СПокупателем"
    assert contract["ВалютаВзаиморасчетов_Key"] == w.seeded.currencies["RUB"]
    assert contract["Ref_Key"] == w.contract_ref()
    # the invoice under the deal's documents, read-only, counted in the debt
    [document] = list_documents(w.anna, w.deal_id)
    assert (document.kind, document.doc_no, document.amount, document.state, document.by_hand) == (
        DocKind.INVOICE,
        done.invoice_no,
        Decimal("6999.98"),
        DocState.POSTED,
        False,
    )
    assert deal_debt(w.anna, w.deal_id).invoiced == Decimal("6999.98")
    run, _log = last_run(w.db)
    # our contract and the invoice made; the deal given the contract
    assert (run.status, run.n_created, run.n_updated) == (ExchangeStatus.OK, 2, 1)

    before = state(w.db)
    again = w.run(INVOICE)
    assert not again.invoice_created and again.invoice_no == done.invoice_no
    assert (again.created, again.updated) == (0, 0)
    assert state(w.db) == before
    assert len(marked_invoices(w)) == 1


def test_payments_and_documents_come_back_and_the_debt_is_right(world: World) -> None:
    w = world
    w.run(INVOICE)
    contract = w.contract_ref()
    [ours] = marked_invoices(w)
    rub, org = w.seeded.currencies["RUB"], w.seeded.organization
    head = {"counterparty": w.counterparty, "organization": org, "currency": rub}
    day = day_1c(today())
    payment = "payment"
    document_in_1c(
        w.store,
        payment,
        {**head, "date": day, "total": Decimal("5777.00")},
        [
            {"contract": contract, "amount": Decimal("5000.00"), "invoice": ours["Ref_Key"]},
            {"contract": w.seeded.organization, "amount": Decimal("777.00")},  # not ours
        ],
    )
    document_in_1c(  # not posted: not a payment yet
        w.store,
        payment,
        {**head, "date": day},
        [{"contract": contract, "amount": Decimal("1")}],
        posted=False,
    )
    extra = document_in_1c(  # an invoice the accountant made in 1C on the deal's contract
        w.store, M.INVOICE, {**head, "contract": contract, "date": day, "total": Decimal("100.00")}
    )
    shipment = document_in_1c(
        w.store,
        M.SHIPMENT,
        {**head, "contract": contract, "date": day, "total": Decimal("6999.98")},
    )
    document_in_1c(
        w.store,
        M.INVOICE_FACTURE,
        {**head, "date": day, "total": Decimal("6999.98")},
        [{"basis": shipment, "basis_type": "StandardODATA.Document_РеализацияТоваровУслуг"}],
    )

    paid = w.run(PAYMENTS)
    assert (paid.created, paid.updated) == (1, 0)
    with w.db.reader() as s:
        [pay] = s.scalars(select(Payment).where(Payment.deal_id == w.deal_id)).all()
        assert (pay.amount, pay.currency_code, pay.source) == (
            Decimal("5000.00"),
            "RUB",
            PaymentSource.ONEC,
        )
        assert pay.document_id is not None
    got = w.run(DOCUMENTS)
    assert (got.created, got.updated) == (3, 0)  # the extra invoice, the shipment, the facture
    kinds = sorted((d.kind, d.amount) for d in list_documents(w.anna, w.deal_id))
    assert kinds == sorted(
        [
            (DocKind.INVOICE, Decimal("6999.98")),
            (DocKind.INVOICE, Decimal("100.00")),
            (DocKind.SHIPMENT, Decimal("6999.98")),
            (DocKind.INVOICE_FACTURA, Decimal("6999.98")),
        ]
    )
    debt = deal_debt(w.anna, w.deal_id)
    assert (debt.invoiced, debt.shipped, debt.paid, debt.debt) == (
        Decimal("7099.98"),
        Decimal("6999.98"),
        Decimal("5000.00"),
        Decimal("2099.98"),
    )
    before = state(w.db)
    assert (w.run(PAYMENTS).created, w.run(DOCUMENTS).created) == (0, 0)
    assert state(w.db) == before
    # a change in 1C comes back as a change
    w.store.update(M.objects_of("bp30")[M.INVOICE].entity_set, extra, {"DeletionMark": True})
    changed = w.run(DOCUMENTS)
    assert (changed.created, changed.updated) == (0, 1)
    assert deal_debt(w.anna, w.deal_id).invoiced == Decimal("6999.98")


def test_a_usd_deal_round_trips_with_its_rate(
    db: Database, onec: tuple[Simulator, SeedSummary], tmp_path: Path
) -> None:
    sim, seeded = onec
    set_rate(Context.system(db), "USD", today(), Decimal("92.5"))
    w = make_world(db, sim, seeded, tmp_path, currency="USD")
    done = w.run(INVOICE)
    [invoice] = marked_invoices(w)
    usd = seeded.currencies["USD"]
    assert invoice["ВалютаДокумента_Key"] == usd and invoice["КурсВзаиморасчетов"] == Decimal(
        "92.5"
    )
    [contract] = their(w.store, M.CONTRACT, Owner_Key=w.counterparty)
    assert contract["ВалютаВзаиморасчетов_Key"] == usd
    with db.reader() as s:
        doc = s.scalars(select(DealDocument).where(DealDocument.deal_id == w.deal_id)).one()
        assert (doc.doc_no, doc.currency_code, doc.amount, doc.rate) == (
            done.invoice_no,
            "USD",
            Decimal("6999.98"),
            Decimal("92.5"),
        )
    [shown] = list_documents(w.anna, w.deal_id)
    assert (shown.currency_code, shown.rate) == ("USD", Decimal("92.5"))
    document_in_1c(
        w.store,
        "payment",
        {
            "counterparty": w.counterparty,
            "organization": seeded.organization,
            "currency": usd,
            "date": day_1c(today()),
        },
        [{"contract": w.contract_ref(), "amount": Decimal("1000.00"), "rate": Decimal("93.1")}],
    )
    w.run(PAYMENTS)
    with db.reader() as s:
        pay = s.scalars(select(Payment).where(Payment.deal_id == w.deal_id)).one()
        assert (pay.amount, pay.currency_code, pay.rate) == (
            Decimal("1000.00"),
            "USD",
            Decimal("93.1"),
        )
    debt = deal_debt(w.anna, w.deal_id)
    assert (debt.currency_code, debt.invoiced, debt.paid, debt.debt) == (
        "USD",
        Decimal("6999.98"),
        Decimal("1000.00"),
        Decimal("5999.98"),
    )


def _no_password(db: Database, error: BaseException) -> None:
    run, log = last_run(db)
    assert run.status == ExchangeStatus.FAILED and run.error_text
    for text in (run.error_text, str(error), *(line.message for line in log)):
        assert PASSWORD not in text


@pytest.mark.parametrize("mode", [ERROR_500, DROP])
def test_a_fault_halfway_leaves_qstui_as_it_was_and_the_next_run_completes(
    world: World, onec: tuple[Simulator, SeedSummary], mode: str
) -> None:
    w = world
    sim, _seeded = onec
    before = state(w.db)
    # 1C made the contract and the invoice, then the posting failed (every retry too)
    sim.faults.fail_after(0, mode, times=10, methods=["POST"], path_part="/Post")
    with pytest.raises(OnecError) as failed:
        w.run(INVOICE)
    assert state(w.db) == before
    _no_password(w.db, failed.value)
    [unposted] = marked_invoices(w)
    assert unposted["Posted"] is False
    sim.faults.clear()

    done = w.run(INVOICE)
    [invoice] = marked_invoices(w)  # found by its mark, not made twice
    assert invoice["Posted"] is True and invoice["Number"] == done.invoice_no
    assert len(their(w.store, M.CONTRACT, Owner_Key=w.counterparty)) == 1
    assert len(list_documents(w.anna, w.deal_id)) == 1

    # documents: the connection breaks while reading shipments
    document_in_1c(
        w.store,
        M.SHIPMENT,
        {
            "counterparty": w.counterparty,
            "organization": w.seeded.organization,
            "currency": w.seeded.currencies["RUB"],
            "contract": w.contract_ref(),
            "date": day_1c(today()),
            "total": Decimal("10.00"),
        },
    )
    middle = state(w.db)
    sim.faults.fail_after(0, mode, times=10, methods=["GET"], path_part="РеализацияТоваровУслуг")
    with pytest.raises(OnecError) as failed:
        w.run(DOCUMENTS)
    assert state(w.db) == middle
    _no_password(w.db, failed.value)
    sim.faults.clear()
    assert w.run(DOCUMENTS).created == 1


def test_what_is_not_linked_is_named_and_nothing_is_made(
    db: Database, onec: tuple[Simulator, SeedSummary], tmp_path: Path
) -> None:
    sim, seeded = onec
    w = make_world(db, sim, seeded, tmp_path, link_products=False)
    runs = run_count(db)
    with pytest.raises(NotLinked) as refused:
        w.run(INVOICE)
    assert "«Кран шаровой»" in str(refused.value) and "«Монтаж, ч»" in str(refused.value)
    assert refused.value.products == ["Кран шаровой", "Монтаж, ч"]
    assert marked_invoices(w) == []
    assert their(w.store, M.CONTRACT, Owner_Key=w.counterparty) == []
    assert run_count(db) == runs + 1 and last_run(db)[0].status == ExchangeStatus.FAILED


def test_a_manager_without_the_right_is_refused(world: World) -> None:
    w = world
    before = state(w.db)
    for action in (INVOICE, PAYMENTS, DOCUMENTS):
        with pytest.raises(AccessDenied):
            w.run(action, w.boris)
    with pytest.raises(AccessDenied):
        sync_documents(w.boris, "bp", w.secrets)
    assert state(w.db) == before and marked_invoices(w) == []


def test_sync_documents_brings_those_of_every_linked_deal(world: World) -> None:
    w = world
    w.run(INVOICE)
    head = {
        "counterparty": w.counterparty,
        "organization": w.seeded.organization,
        "currency": w.seeded.currencies["RUB"],
    }
    document_in_1c(
        w.store,
        M.SHIPMENT,
        {
            **head,
            "contract": w.contract_ref(),
            "date": day_1c(today()),
            "total": Decimal("6999.98"),
        },
    )
    document_in_1c(
        w.store,
        "payment",
        {**head, "date": day_1c(today())},
        [{"contract": w.contract_ref(), "amount": Decimal("6999.98")}],
    )
    done = sync_documents(w.anna, "bp", w.secrets, since=today(), client_factory=no_waiting)
    assert (done.deals, done.created) == (1, 2)
    assert deal_debt(w.anna, w.deal_id).debt == Decimal("0.00")
    again = sync_documents(w.anna, "bp", w.secrets, since=today(), client_factory=no_waiting)
    assert (again.created, again.updated) == (0, 0)


@pytest.mark.parametrize("config_kind", [M.UT11, M.UNF])
def test_the_same_deal_in_the_other_configurations(
    db: Database, tmp_path: Path, frozen_clock: object, config_kind: str
) -> None:
    """Names come from the mapping of the base's configuration (УТ 11, УНФ)."""
    store = Store(config_kind)
    seeded = seed(store, [], [])
    with Simulator(store, user=USER, password=PASSWORD) as sim:
        w = make_world(db, sim, seeded, tmp_path)
        done = w.run(INVOICE)
        invoice = M.objects_of(config_kind)[M.INVOICE]
        [made] = their(w.store, M.INVOICE, Комментарий=invoice_mark(w.deal_id))
        assert made["Posted"] is True and made["Number"] == done.invoice_no
        assert made[invoice.fields["total"]] == Decimal("6999.98")
        rows = made[invoice.tables[0].name]
        assert [r["Количество"] for r in rows] == [Decimal("3"), Decimal("2.5")]
        contract = w.contract_ref()
        payment = M.objects_of(config_kind)[M.PAYMENT].tables[0].fields
        document_in_1c(
            w.store,
            "payment",
            {
                "counterparty": w.counterparty,
                "organization": seeded.organization,
                "currency": seeded.currencies["RUB"],
                "date": day_1c(today()),
            },
            [{"contract": contract, "amount": Decimal("99.99")}]
            if payment["contract"] != payment["invoice"]
            else [{"invoice": made["Ref_Key"], "amount": Decimal("99.99")}],
        )
        assert w.run(PAYMENTS).created == 1
        assert deal_debt(w.anna, w.deal_id).debt == Decimal("6899.99")


def test_the_invoice_follows_the_deals_products_unless_1c_changed_it(world: World) -> None:
    w = world
    first = w.run(INVOICE)
    items = deal_view(w.anna, w.deal_id).card.items
    update_item(w.anna, items[0].id, get_deal(w.anna, w.deal_id).version, qty="4")
    updated = w.run(INVOICE)
    assert (updated.invoice_done, updated.invoice_no) == ("updated", first.invoice_no)
    assert (updated.created, updated.updated) == (0, 1)
    [invoice] = marked_invoices(w)
    assert invoice["Posted"] is True
    assert [r["Количество"] for r in invoice["Товары"]] == [Decimal("4"), Decimal("2.5")]
    assert invoice["СуммаДокумента"] == Decimal("8499.98")
    assert deal_debt(w.anna, w.deal_id).invoiced == Decimal("8499.98")

    # an accountant changes the invoice in 1C; the deal changes too: ours is refused
    w.store.update(INVOICE_SET, invoice["Ref_Key"], {"СуммаВключаетНДС": False})
    update_item(w.anna, items[0].id, get_deal(w.anna, w.deal_id).version, qty="5")
    before = state(w.db)
    with pytest.raises(ChangedThere) as refused:
        w.run(INVOICE)
    assert f"№ {first.invoice_no} was changed in 1C" in str(refused.value)
    assert state(w.db) == before
    assert last_run(w.db)[0].status == ExchangeStatus.FAILED
    [kept] = marked_invoices(w)
    assert [r["Количество"] for r in kept["Товары"]] == [Decimal("4"), Decimal("2.5")]
    # once their version is brought here, ours goes through
    assert w.run(DOCUMENTS).updated == 1
    assert w.run(INVOICE).invoice_done == "updated"
    [last] = marked_invoices(w)
    assert [r["Количество"] for r in last["Товары"]] == [Decimal("5"), Decimal("2.5")]
    assert w.run(INVOICE).invoice_done == "unchanged"
