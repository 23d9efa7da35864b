"""Invoices and shipments registered by hand (D5 without 1C) and the debt they make
(D6): a deal without 1C gets a debt, an overpayment is an advance, 1C documents stay
read-only, every write is audited and keeps the deal's summary columns — on both
backends."""

from __future__ import annotations

from decimal import Decimal

import pytest
from deal_support import company, count, make_team, product, row, without_right
from sqlalchemy import select
from tests.conftest import FROZEN_NOW

from qstui.db.models import AuditEntry, Deal, DealDocument
from qstui.domain import formatting as fmt
from qstui.domain.enums import AuditAction, DocKind
from qstui.domain.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from qstui.i18n import set_language
from qstui.services import deals as D
from qstui.services.deals import debt as Debt
from qstui.services.deals import documents as Docs
from qstui.services.deals import items as I
from qstui.services.deals import payments as P

pytestmark = pytest.mark.usefixtures("frozen_clock")
TODAY = FROZEN_NOW.date()


def _deal_with_products(db, team) -> int:
    """A deal of anna's without 1C, its products worth 62 510,00 ₽."""
    client = company(db, "Ромашка", team.id("anna"))
    deal_id = D.create_deal(team.anna, client, "Поставка")
    version = D.get_deal(team.anna, deal_id).version
    saved = I.add_item(team.anna, deal_id, version, product(db, "Станок", "60000.00"), "1")
    I.add_item(team.anna, deal_id, saved.deal_version, product(db, "Монтаж", "1255.00"), "2")
    assert D.get_deal(team.anna, deal_id).amount == Decimal("62510.00")
    return deal_id


def _audits(db, document_id: int) -> list[AuditAction]:
    with db.reader() as s:
        return list(
            s.scalars(
                select(AuditEntry.action)
                .where(
                    AuditEntry.object_kind == "deal_document", AuditEntry.object_id == document_id
                )
                .order_by(AuditEntry.id)
            )
        )


def _summary(db, deal_id: int) -> tuple[Decimal, Decimal, Decimal]:
    deal = row(db, Deal, deal_id)
    return deal.invoiced, deal.shipped, deal.paid


def test_a_deal_without_1c_gets_its_debt_from_a_hand_made_invoice(db):
    team = make_team(db)
    deal_id = _deal_with_products(db, team)
    P.add_payment(team.anna, deal_id, "actual", TODAY, "20000.50")
    # before: only the payment, an advance — never a negative debt on the screen
    before = Debt.deal_debt(team.anna, deal_id)
    assert before.debt == Decimal("-20000.50") and before.is_advance
    set_language("ru")
    assert fmt.debt(before.debt) == "аванс 20\u00a0000,50\u00a0₽"
    set_language("en")

    # the invoice for the deal's products (no sum given), in the deal currency
    invoice = Docs.add_hand_document(team.anna, deal_id, "invoice", "СЧ-1", TODAY)
    info = Docs.get_document(team.anna, invoice)
    assert info.by_hand and info.kind == DocKind.INVOICE
    assert (info.amount, info.currency_code) == (Decimal("62510.00"), "RUB")
    debt = Debt.deal_debt(team.anna, deal_id)
    assert debt.debt == Decimal("42509.50") and debt.is_receivable
    assert _summary(db, deal_id) == (Decimal("62510.00"), Decimal("0.00"), Decimal("20000.50"))
    # the summary is what a recount from the rows gives
    with db.reader() as s:
        assert Debt.debts_from_rows(s, [deal_id])[deal_id] == debt
    # and the client's debt too
    assert Debt.client_debt(team.anna, row(db, Deal, deal_id).company_id).total == Decimal(
        "42509.50"
    )
    assert _audits(db, invoice) == [AuditAction.CREATE]

    # a shipment of a typed sum larger than the invoice: the debt follows the larger
    shipment = Docs.add_hand_document(team.anna, deal_id, "shipment", "РН-1", TODAY, "70000.00")
    assert Debt.deal_debt(team.anna, deal_id).debt == Decimal("49999.50")

    # edited: the sum and the number; the summary follows
    version = Docs.get_document(team.anna, shipment).version
    version = Docs.update_hand_document(
        team.anna, shipment, version, amount=Decimal("30000.00"), doc_no="РН-2"
    )
    assert _summary(db, deal_id)[1] == Decimal("30000.00")
    assert Debt.deal_debt(team.anna, deal_id).debt == Decimal("42509.50")
    with pytest.raises(Conflict):  # saved meanwhile: the old version is refused
        Docs.update_hand_document(team.anna, shipment, version - 1, amount="1.00")
    assert _audits(db, shipment) == [AuditAction.CREATE, AuditAction.UPDATE]

    # deleted
    Docs.delete_hand_document(team.anna, shipment, version)
    assert count(db, DealDocument, DealDocument.id == shipment) == 0
    assert _audits(db, shipment) == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE]
    assert _summary(db, deal_id)[1] == Decimal("0.00")

    # a payment above the invoice: an advance
    P.add_payment(team.anna, deal_id, "actual", TODAY, "50000.00")
    advance = Debt.deal_debt(team.anna, deal_id)
    assert advance.debt == Decimal("-7490.50") and advance.is_advance
    assert not advance.is_receivable
    assert fmt.debt(advance.debt) == "advance 7,490.50\u00a0₽"
    assert fmt.debt(Decimal("42509.50")) == "42,509.50\u00a0₽"


def test_1c_documents_stay_read_only(db):
    team = make_team(db)
    deal_id = _deal_with_products(db, team)
    from_1c = Docs.add_document(team.anna, deal_id, "invoice", "1С-7", TODAY, "100.00")
    info = Docs.get_document(team.anna, from_1c)
    assert not info.by_hand
    with pytest.raises(AccessDenied):
        Docs.update_hand_document(team.anna, from_1c, info.version, amount="1.00")
    with pytest.raises(AccessDenied):
        Docs.delete_hand_document(team.head, from_1c, info.version)
    assert row(db, DealDocument, from_1c).amount == Decimal("100.00")
    assert _audits(db, from_1c) == [AuditAction.CREATE]


def test_rights_visibility_and_bad_input(db):
    team = make_team(db)
    deal_id = _deal_with_products(db, team)
    # a manager of another department does not see the deal: nothing to add to
    with pytest.raises(NotFound):
        Docs.add_hand_document(team.vera, deal_id, "invoice", "1", TODAY, "10.00")
    # the head of the department does
    by_head = Docs.add_hand_document(team.head, deal_id, "shipment", "2", TODAY, "10.00")
    version = Docs.get_document(team.anna, by_head).version
    with pytest.raises(NotFound):
        Docs.update_hand_document(team.vera, by_head, version, amount="1.00")
    with pytest.raises(NotFound):
        Docs.delete_hand_document(team.vera, by_head, version)
    # without the right to edit: seen, not written
    viewer = without_right(db, "anna", "edit")
    assert [d.id for d in Docs.list_documents(viewer, deal_id)] == [by_head]
    with pytest.raises(AccessDenied):
        Docs.add_hand_document(viewer, deal_id, "invoice", "3", TODAY, "10.00")
    with pytest.raises(AccessDenied):
        Docs.update_hand_document(viewer, by_head, version, amount="1.00")
    with pytest.raises(AccessDenied):
        Docs.delete_hand_document(viewer, by_head, version)
    # bad input: one message per field, nothing written
    with pytest.raises(ValidationFailed) as bad:
        Docs.add_hand_document(team.head, deal_id, "payment_order", "", None, "-5")
    assert set(bad.value.errors) == {"kind", "doc_no", "doc_date", "amount"}
    with pytest.raises(ValidationFailed) as bad:
        Docs.update_hand_document(team.head, by_head, version, kind="invoice_factura")
    assert set(bad.value.errors) == {"kind"}
    # no products and no sum: the sum is asked for
    empty = D.create_deal(team.anna, row(db, Deal, deal_id).company_id, "Пустая")
    with pytest.raises(ValidationFailed) as bad:
        Docs.add_hand_document(team.anna, empty, "invoice", "4", TODAY)
    assert set(bad.value.errors) == {"amount"}
    assert count(db, DealDocument) == 1
