"""The simulator behaves as FORMATS.md describes a published 1C base."""

from __future__ import annotations

import httpx
import pytest
from tests.onec.conftest import PASSWORD, USER

from qstui.onec import mapping as M
from qstui.onec import parsers as P
from qstui.onec.errors import ODataError
from qstui.onec.odata import ODataClient
from qstui.onec.simulator import Simulator, Store
from qstui.onec.simulator.seed import SeedCompany, SeedProduct, SeedSummary, seed


@pytest.mark.parametrize("config", M.CONFIG_KINDS)
def test_metadata_publishes_every_needed_set_with_tables(config: str) -> None:
    with (
        Simulator(Store(config), user=USER, password=PASSWORD) as sim,
        ODataClient(sim.url, USER, PASSWORD) as client,
    ):
        meta = client.metadata()
    assert set(M.entity_sets_needed(config)) <= meta.entity_sets
    invoice = M.objects_of(config)[M.INVOICE]
    assert f"{invoice.entity_set}_{invoice.tables[0].name}" in meta.entity_sets
    assert meta.properties[invoice.entity_set]["Ref_Key"] == "Edm.Guid"


def test_an_unpublished_set_is_missing_and_not_found(
    store: Store, simulator: Simulator, client: ODataClient
) -> None:
    store.unpublish("Document_СчетФактураВыданный")
    meta = client.metadata()
    assert "Document_СчетФактураВыданный" not in meta.entity_sets
    assert "Document_СчетФактураВыданный_ДокументыОснования" not in meta.entity_sets
    with pytest.raises(ODataError) as caught:
        client.get_page("Document_СчетФактураВыданный", top=1)
    assert caught.value.status == 404


def test_basic_auth_is_required(simulator: Simulator) -> None:
    assert httpx.get(simulator.url + "$metadata").status_code == 401
    assert httpx.get(simulator.url + "$metadata", auth=(USER, "x")).status_code == 401
    assert httpx.get(simulator.url + "$metadata", auth=(USER, PASSWORD)).status_code == 200


def test_no_next_link_and_int64_as_strings(
    simulator: Simulator, seeded: SeedSummary, store: Store
) -> None:
    url = simulator.url + "Document_РеализацияТоваровУслуг?$format=json&$top=1"
    ref = store.create(
        "Document_РеализацияТоваровУслуг",
        {"КратностьВзаиморасчетов": 1, "Товары": [{"LineNumber": 1, "Количество": 2}]},
    )["Ref_Key"]
    body = httpx.get(url, auth=(USER, PASSWORD)).json()
    assert "odata.nextLink" not in body
    (doc,) = body["value"]
    assert doc["Ref_Key"] == ref
    assert doc["КратностьВзаиморасчетов"] == "1"
    assert doc["Товары"][0]["LineNumber"] == "1"
    assert doc["Товары"][0]["Ref_Key"] == ref
    assert doc["ДоговорКонтрагента_Key"] == "00000000-0000-0000-0000-000000000000"
    assert doc["Date"] == "0001-01-01T00:00:00"
    assert (
        len(httpx.get(url.replace("$top=1", "$top=5"), auth=(USER, PASSWORD)).json()["value"]) == 1
    )


def test_data_version_changes_on_every_write(store: Store) -> None:
    versions = [store.create("Catalog_Номенклатура", {"Description": "А"})]
    ref = versions[0]["Ref_Key"]
    versions.append(store.update("Catalog_Номенклатура", ref, {"Description": "Б"}))
    versions.append(store.update("Catalog_Номенклатура", ref, {}))
    assert len({v["DataVersion"] for v in versions}) == 3


def test_rows_without_line_number_are_refused(client: ODataClient) -> None:
    with pytest.raises(ODataError, match="LineNumber"):
        client.create("Document_СчетНаОплатуПокупателю", {"Товары": [{"Количество": 1}]})


def test_seed_partitions_companies_and_products() -> None:
    companies = [SeedCompany(f"К{n}", f"77{n:08d}", "770101001") for n in range(20)]
    companies.append(SeedCompany("Без ИНН", "", ""))
    products = [SeedProduct(f"Т{n}", f"A{n}") for n in range(10)]
    store = Store("bp30")
    summary = seed(store, companies, products)
    assert (len(summary.same), len(summary.other_name), len(summary.other_kpp)) == (8, 2, 2)
    assert len(summary.only_here) == 8 and len(summary.only_there) == 4
    counterparties = P.parse_page(
        M.COUNTERPARTY, "bp30", {"value": list(store.objects["Catalog_Контрагенты"].values())}
    )
    by_inn = {c.inn: c for c in counterparties}
    assert set(by_inn) == set(
        summary.same + summary.other_name + summary.other_kpp + summary.only_there
    )
    assert by_inn[summary.other_name[0]].name.endswith("(1С)")
    assert by_inn[summary.other_kpp[0]].kpp != "770101001"
    assert by_inn[summary.same[0]].kpp == "770101001"
    contracts = store.objects["Catalog_ДоговорыКонтрагентов"].values()
    assert {c["Owner_Key"] for c in contracts} == {c.ref for c in counterparties}
    assert len(summary.products_same) == 5 and len(summary.products_only_here) == 4
    assert len(store.objects["Catalog_Номенклатура"]) == 6 + len(summary.products_only_there)
