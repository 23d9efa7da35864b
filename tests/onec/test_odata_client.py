"""The OData client against the simulator, a real HTTP server on loopback."""

from __future__ import annotations

import socket
from decimal import Decimal
from urllib.parse import unquote

import pytest
from tests.onec.conftest import PASSWORD, USER

from qstui.onec import mapping as M
from qstui.onec import parsers as P
from qstui.onec import values as V
from qstui.onec.errors import ODataError, OnecAuthError, OnecUnavailable
from qstui.onec.odata import ODataClient
from qstui.onec.simulator import Simulator, Store
from qstui.onec.simulator.seed import SeedSummary
from qstui.onec.simulator.server import DROP, DROP_AFTER, ERROR_500

CP = "Catalog_Контрагенты"
INVOICE = "Document_СчетНаОплатуПокупателю"


def test_pages_by_top_and_skip_in_ref_key_order(
    client: ODataClient, simulator: Simulator, seeded: SeedSummary
) -> None:
    pages = list(client.iterate(CP, select=["Ref_Key", "ИНН"], page_size=5))
    refs = [item["Ref_Key"] for page in pages for item in page]
    assert len(refs) == len(seeded.same + seeded.other_name + seeded.other_kpp + seeded.only_there)
    assert refs == sorted(refs) and len(set(refs)) == len(refs)
    assert [len(p) for p in pages][:-1] == [5] * (len(pages) - 1)
    assert set(pages[0][0]) == {"Ref_Key", "ИНН"}
    gets = [unquote(path) for method, path in simulator.requests if method == "GET"]
    assert all("$orderby=Ref_Key" in g and "$top=5" in g for g in gets)
    assert any("$skip=5" in g for g in gets)


def test_a_page_shorter_than_asked_is_the_last(client: ODataClient, store: Store) -> None:
    for n in range(4):
        store.create(CP, {"Description": f"К{n}"})
    assert [len(p) for p in client.iterate(CP, page_size=2)] == [2, 2]
    assert list(client.iterate("Catalog_Валюты", page_size=2)) == []


def test_filter_is_percent_encoded_with_guid_and_datetime(
    client: ODataClient, simulator: Simulator, seeded: SeedSummary
) -> None:
    inn = seeded.same[0]
    (item,) = client.get_page(CP, top=10, filter=f"ИНН eq {V.string_literal(inn)}")
    contracts = client.get_page(
        "Catalog_ДоговорыКонтрагентов",
        top=10,
        filter=f"Owner_Key eq {V.guid_literal(item['Ref_Key'])} and "
        f"Дата le datetime'2030-01-01T00:00:00'",
    )
    assert [c["Owner_Key"] for c in contracts] == [item["Ref_Key"]]
    raw = [path for _m, path in simulator.requests if "filter" in path]
    assert all("+" not in path and " " not in path and "%20eq%20" in path for path in raw)


def test_a_plus_in_the_filter_is_refused_by_1c(simulator: Simulator) -> None:
    import httpx

    url = simulator.url + "Catalog_Валюты?$format=json&$filter=Code+eq+'643'"
    response = httpx.get(url, auth=(USER, PASSWORD))
    assert response.status_code == 400
    assert "«+»" in response.json()["odata.error"]["message"]["value"]


def test_create_takes_the_key_from_location_and_values_typed(
    client: ODataClient, store: Store, seeded: SeedSummary
) -> None:
    cp = next(iter(store.objects[CP]))
    ref, created = client.create(
        INVOICE,
        {
            "Контрагент_Key": cp,
            "Организация_Key": seeded.organization,
            "ВалютаДокумента_Key": seeded.currencies["USD"],
            "КурсВзаиморасчетов": Decimal("92.5012"),
            "КратностьВзаиморасчетов": "1",
            "СуммаДокумента": Decimal("1234567.89"),
            "Товары": [
                {"LineNumber": "1", "Количество": Decimal("2.5"), "Сумма": Decimal("1234567.89")}
            ],
        },
    )
    assert ref in store.objects[INVOICE]
    assert created["КратностьВзаиморасчетов"] == "1"  # Int64 as a string, as 1C sends it
    doc = P.parse(M.INVOICE, M.BP30, client.get(INVOICE, ref))
    assert doc.total == Decimal("1234567.89") and doc.rate == Decimal("92.5012")
    assert doc.multiplier == 1 and doc.lines[0].quantity == Decimal("2.5")
    assert doc.contract is None and doc.posted is False


def test_rows_through_a_tabular_section_set_are_error_13(client: ODataClient, store: Store) -> None:
    with pytest.raises(ODataError) as caught:
        client.create(INVOICE + "_Товары", {"LineNumber": "1", "Количество": 1})
    assert caught.value.code == "13" and caught.value.status == 400
    assert "табличной части" in caught.value.detail
    assert "табличной части" in str(caught.value)


def test_patch_replaces_a_tabular_section_whole_and_if_match_guards_it(
    client: ODataClient, store: Store, seeded: SeedSummary
) -> None:
    ref, created = client.create(INVOICE, {"Товары": [{"LineNumber": "1", "Количество": 1}] * 1})
    first = created["DataVersion"]
    updated = client.update(
        INVOICE,
        ref,
        {},
        tables={"Товары": [{"Количество": Decimal(3)}, {"Количество": Decimal(4)}]},
        data_version=first,
    )
    assert updated["DataVersion"] != first
    assert [r["LineNumber"] for r in updated["Товары"]] == ["1", "2"]
    assert [r["Количество"] for r in updated["Товары"]] == [Decimal(3), Decimal(4)]
    with pytest.raises(ODataError) as caught:
        client.update(INVOICE, ref, {"СуммаДокумента": Decimal(1)}, data_version=first)
    assert caught.value.status == 412
    assert store.objects[INVOICE][ref]["СуммаДокумента"] == Decimal(0)
    client.mark_deleted(INVOICE, ref, data_version=updated["DataVersion"])
    assert store.objects[INVOICE][ref]["DeletionMark"] is True


def test_post_refuses_empty_references_then_posts(
    client: ODataClient, store: Store, seeded: SeedSummary, simulator: Simulator
) -> None:
    ref, _created = client.create(INVOICE, {"Товары": [{"LineNumber": "1", "Количество": 1}]})
    with pytest.raises(ODataError, match="Контрагент_Key") as caught:
        client.post_document(INVOICE, ref)
    assert caught.value.status == 400
    product = next(iter(store.objects["Catalog_Номенклатура"]))
    cp = next(iter(store.objects[CP]))
    client.update(
        INVOICE,
        ref,
        {
            "Контрагент_Key": cp,
            "Организация_Key": seeded.organization,
            "ВалютаДокумента_Key": seeded.currencies["RUB"],
        },
        tables={"Товары": [{"Номенклатура_Key": product, "Количество": 1}]},
    )
    before = store.objects[INVOICE][ref]["DataVersion"]
    client.post_document(INVOICE, ref)
    assert store.objects[INVOICE][ref]["Posted"] is True
    assert store.objects[INVOICE][ref]["DataVersion"] != before
    assert any("/Post?PostingModeOperational=false" in unquote(p) for _m, p in simulator.requests)
    client.unpost_document(INVOICE, ref)
    assert store.objects[INVOICE][ref]["Posted"] is False


def test_odata_error_carries_1c_message(client: ODataClient) -> None:
    with pytest.raises(ODataError) as caught:
        client.get_page("Catalog_НетТакого", top=1)
    assert caught.value.status == 404 and caught.value.code == "9"
    assert "Catalog_НетТакого" in caught.value.detail
    with pytest.raises(ODataError, match="Неизвестное свойство"):
        client.create(CP, {"НетТакогоПоля": 1})


def test_4xx_is_never_retried(client: ODataClient, simulator: Simulator) -> None:
    with pytest.raises(ODataError):
        client.get_page("Catalog_НетТакого", top=1)
    assert len(simulator.requests) == 1 and client.waits == []  # type: ignore[attr-defined]


def test_wrong_password_is_an_auth_error_without_the_password(simulator: Simulator) -> None:
    with (
        ODataClient(simulator.url, USER, "неверный", backoff=0) as bad,
        pytest.raises(OnecAuthError) as caught,
    ):
        bad.metadata()
    assert caught.value.status == 401
    assert "неверный" not in str(caught.value) and PASSWORD not in str(caught.value)
    assert len(simulator.requests) == 1


@pytest.mark.parametrize("mode", [ERROR_500, DROP])
def test_5xx_and_dropped_connections_are_retried_with_backoff(
    client: ODataClient, simulator: Simulator, seeded: SeedSummary, mode: str
) -> None:
    simulator.faults.fail_after(1, mode, times=2)
    pages = list(client.iterate(CP, page_size=5))
    assert sum(len(page) for page in pages) == len(store_counterparties(simulator))
    assert len(simulator.requests) == len(pages) + 2
    assert client.waits == [0.25, 0.5]  # type: ignore[attr-defined]


def store_counterparties(simulator: Simulator) -> dict:
    return simulator.store.objects[CP]


def test_retries_give_up_with_one_clear_error(client: ODataClient, simulator: Simulator) -> None:
    simulator.faults.fail_after(0, ERROR_500, times=10)
    with pytest.raises(ODataError) as caught:
        client.get_page(CP, top=1)
    assert caught.value.status == 500 and "Внутренняя ошибка" in caught.value.detail
    assert len(simulator.requests) == 3  # the first try and two retries
    simulator.faults.clear()
    simulator.faults.fail_after(0, DROP, times=10)
    with pytest.raises(OnecUnavailable, match="does not answer"):
        client.get_page(CP, top=1)


def test_a_create_whose_connection_dropped_is_not_repeated(
    client: ODataClient, simulator: Simulator, store: Store
) -> None:
    simulator.faults.fail_after(0, DROP_AFTER, methods=["POST"])
    with pytest.raises(OnecUnavailable, match="unknown"):
        client.create(CP, {"Description": "Ромашка"})
    assert len(store.objects[CP]) == 1  # made once by 1C, never twice by a retry
    assert [m for m, _p in simulator.requests] == ["POST"]


def test_a_create_answered_500_is_retried(
    client: ODataClient, simulator: Simulator, store: Store
) -> None:
    simulator.faults.fail_after(0, ERROR_500, methods=["POST"])
    ref, _obj = client.create(CP, {"Description": "Ромашка"})
    assert list(store.objects[CP]) == [ref]


def test_a_silent_server_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        with (
            ODataClient(
                f"http://127.0.0.1:{port}/b/odata/standard.odata/",
                USER,
                PASSWORD,
                timeout=0.3,
                retries=1,
                backoff=0,
            ) as silent,
            pytest.raises(OnecUnavailable, match="no answer in time"),
        ):
            silent.get_page(CP, top=1)


def test_nothing_listening_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        ODataClient(f"http://127.0.0.1:{port}/b/", USER, PASSWORD, retries=1, backoff=0) as c,
        pytest.raises(OnecUnavailable) as caught,
    ):
        c.metadata()
    assert PASSWORD not in str(caught.value)


def test_a_patch_whose_answer_was_lost_is_not_a_conflict(
    client: ODataClient, simulator: Simulator, store: Store
) -> None:
    ref, created = client.create(CP, {"Description": "Ромашка"})
    simulator.faults.fail_after(0, DROP_AFTER, methods=["PATCH"])
    with pytest.raises(OnecUnavailable, match="unknown"):
        client.update(CP, ref, {"Description": "Лютик"}, data_version=created["DataVersion"])
    assert store.objects[CP][ref]["Description"] == "Лютик"  # 1C made it; we cannot know
    simulator.faults.fail_after(0, DROP_AFTER, methods=["PATCH"])
    client.update(CP, ref, {"Description": "Василёк"})  # no If-Match: the retry is harmless
    assert store.objects[CP][ref]["Description"] == "Василёк"
