"""Typed reading of every configuration's objects from the simulator, with $select."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import unquote

import pytest
from tests.onec.conftest import PASSWORD, USER

from qstui.onec import mapping as M
from qstui.onec import values as V
from qstui.onec.odata import ODataClient
from qstui.onec.reading import fields_used, read
from qstui.onec.records import Contract, Counterparty, Product, SalesDocument
from qstui.onec.simulator import Simulator, Store
from qstui.onec.simulator.seed import built_in, seed


@pytest.mark.parametrize("config", M.CONFIG_KINDS)
def test_reads_typed_records_of_every_configuration(config: str) -> None:
    store = Store(config)
    summary = seed(store, *built_in())
    objects = M.objects_of(config)
    invoice = objects[M.INVOICE]
    goods = invoice.tables[0]
    product = next(iter(store.objects[objects[M.PRODUCT].entity_set]))
    store.create(
        invoice.entity_set,
        store.names(M.INVOICE, {"total": Decimal("10.05"), "organization": summary.organization})
        | {
            goods.name: [
                {
                    "LineNumber": 1,
                    goods.fields["product"]: product,
                    goods.fields["amount"]: Decimal("10.05"),
                }
            ]
        },
    )
    with (
        Simulator(store, user=USER, password=PASSWORD) as sim,
        ODataClient(sim.url, USER, PASSWORD) as client,
    ):
        counterparties = [
            r for page in read(client, config, M.COUNTERPARTY, page_size=7) for r in page
        ]
        products = [r for page in read(client, config, M.PRODUCT) for r in page]
        contracts = [r for page in read(client, config, M.CONTRACT) for r in page]
        (doc,) = [r for page in read(client, config, M.INVOICE) for r in page]
        inn = summary.same[0]
        (found,) = next(
            read(
                client,
                config,
                M.COUNTERPARTY,
                filter=f"{objects[M.COUNTERPARTY].fields['inn']} eq {V.string_literal(inn)}",
            )
        )
        selects = [unquote(p) for _m, p in sim.requests if "$select=" in p]
    assert all(isinstance(r, Counterparty) for r in counterparties)
    assert len(counterparties) == 16 and found.inn == inn
    assert all(isinstance(r, Product) and r.unit for r in products)
    assert any(r.is_service for r in products) and not all(r.is_service for r in products)
    assert all(isinstance(r, Contract) and r.kind == "СПокупателем" for r in contracts)
    assert {c.owner for c in contracts} == {c.ref for c in counterparties}
    if config == M.UT11:
        assert all(c.partner for c in counterparties)
    assert isinstance(doc, SalesDocument) and doc.total == Decimal("10.05")
    assert doc.lines[0].product == product and doc.lines[0].amount == Decimal("10.05")
    assert doc.organization == summary.organization and doc.counterparty is None
    assert all("Ref_Key" in s and "DataVersion" in s for s in selects)
    assert any(goods.name in s for s in selects)


def test_fields_used_of_a_catalog() -> None:
    names = fields_used(M.objects_of(M.BP30)[M.COUNTERPARTY])
    assert names[:3] == ["Ref_Key", "DataVersion", "DeletionMark"]
    assert "ИНН" in names and "КПП" in names and len(names) == len(set(names))
