"""The parsers read every golden file (real БП 3.0 answers) into typed records: Decimal
sums, Int64 strings as int, the empty GUID and the empty date as None."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from qstui.onec import mapping as M
from qstui.onec import parsers as P
from qstui.onec import values as V
from qstui.onec.errors import OnecFormatError
from qstui.onec.records import Contract, Product, SalesDocument

SAMPLES = Path(__file__).parent / "samples" / "odata"
GOLDEN = sorted(SAMPLES.glob("*.json"))


def _load(name: str) -> Any:
    return V.loads((SAMPLES / name).read_bytes())


def _walk(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [v for item in value.values() for v in _walk(item)]
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _walk(item)]
    return [value]


def test_there_are_golden_files() -> None:
    assert len(GOLDEN) == 4


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_every_golden_file_converts_without_raw_values(path: Path) -> None:
    payload = V.loads(path.read_bytes())
    entity_set = payload["odata.metadata"].rsplit("#", 1)[1]
    items = P.page_items(payload)
    assert items
    for raw in items:
        doc = P.document(raw, entity_set)
        assert doc.ref == raw["Ref_Key"]
        leaves = _walk([doc.fields, doc.tables])
        assert not any(isinstance(v, float) for v in leaves)
        assert V.EMPTY_GUID not in leaves
        assert V.EMPTY_DATE not in leaves
        assert "StandardODATA.Undefined" not in leaves
        for rows in doc.tables.values():
            assert all(isinstance(row["LineNumber"], int) for row in rows)


def test_contract() -> None:
    (contract,) = P.parse_page(M.CONTRACT, M.BP30, _load("bp30_Catalog_ДоговорыКонтрагентов.json"))
    assert contract == Contract(
        ref="b7569c10-f670-11ea-8591-000c29b45b09",
        version="AAAAAQAAAAA=",
        deleted=False,
        code="00-000001",
        name="Основной договор",
        owner="b7569c0f-f670-11ea-8591-000c29b45b09",
        kind="СПокупателем",
        number="",
        date=None,  # 0001-01-01T00:00:00
        currency="a192de9a-d84c-11ea-8133-0050569f62a1",
        organization="87fa6cc2-e901-11ea-8591-000c29b45b09",
    )


def test_product() -> None:
    (product,) = P.parse_page(M.PRODUCT, M.BP30, _load("bp30_Catalog_Номенклатура.json"))
    assert product == Product(
        ref="f02ce7b3-e3b3-11eb-b4ad-000c29b45b09",
        version="AAAAAQAAAAA=",
        deleted=False,
        code="00-00000001",
        name="Мойка",
        full_name="Мойка",
        article="",
        unit="f40235d5-d84c-11ea-8133-0050569f62a1",
        is_service=False,
        is_folder=False,
        parent=None,
    )


def test_shipments_with_goods_and_services() -> None:
    goods, services = P.parse_page(
        M.SHIPMENT, M.BP30, _load("bp30_Document_РеализацияТоваровУслуг.json")
    )
    assert isinstance(goods, SalesDocument)
    assert goods.number == "0000-000001"
    assert goods.date == datetime(2021, 12, 22, 17, 22, 8)
    assert goods.posted is False
    assert goods.counterparty == "b7569bcd-f670-11ea-8591-000c29b45b09"
    assert goods.contract is None and goods.invoice is None
    assert goods.rate == Decimal(1) and goods.multiplier == 1
    assert goods.total == Decimal("150129")
    assert goods.vat_included is True
    assert goods.operation == "Товары"
    assert [line.table for line in goods.lines] == ["Товары", "Товары"]
    first = goods.lines[0]
    assert first.line_number == 1
    assert first.product == "2d4fe75f-48a4-11ec-ad72-000c29b45b09"
    assert (first.quantity, first.price, first.amount) == (25, 5455, 136375)
    assert first.vat_amount == Decimal("22729.17")
    assert type(first.vat_amount) is Decimal
    assert sum(line.amount for line in goods.lines) == goods.total
    assert [line.table for line in services.lines] == ["Услуги", "Услуги"]
    assert services.lines[0].content == "сборка каркаса мойки"
    assert sum(line.amount for line in services.lines) == services.total


def test_a_document_of_no_typed_kind() -> None:
    (doc,) = [
        P.document(raw, "Document_ОтчетПроизводстваЗаСмену")
        for raw in P.page_items(_load("bp30_Document_ОтчетПроизводстваЗаСмену.json"))
    ]
    assert doc.number == "0000-000001" and doc.date == datetime(2021, 7, 13, 11, 30)
    assert doc.fields["ПодразделениеОрганизации_Key"] is None
    assert doc.fields["СубконтоСписанияНДС1"] is None  # composite, Undefined
    assert set(doc.tables) == {"Продукция", "Услуги", "ВозвратныеОтходы", "Материалы"}
    (product_row,) = doc.tables["Продукция"]
    assert product_row["LineNumber"] == 1
    assert product_row["Количество"] == Decimal(1)
    assert product_row["Спецификация_Key"] is None
    service = doc.tables["Услуги"][0]
    assert service["Субконто1"] is None  # an empty reference of a typed composite
    assert len(doc.tables["Материалы"]) == 2


COUNTERPARTY_JSON = """{"odata.metadata": "x#Catalog_Контрагенты", "value": [{
 "Ref_Key": "B7569BCD-F670-11EA-8591-000C29B45B09", "DataVersion": "AAAAAgAAAAA=",
 "DeletionMark": false, "Parent_Key": "00000000-0000-0000-0000-000000000000",
 "IsFolder": false, "Code": "00-000007", "Description": "Ромашка",
 "НаименованиеПолное": "ООО «Ромашка»", "ИНН": "7707083893 ", "КПП": "770701001",
 "ЮридическоеФизическоеЛицо": "ЮридическоеЛицо"}]}"""


def test_counterparty_inn_trimmed_and_guid_lower_case() -> None:
    (cp,) = P.parse_page(M.COUNTERPARTY, M.BP30, V.loads(COUNTERPARTY_JSON))
    assert cp.ref == "b7569bcd-f670-11ea-8591-000c29b45b09"
    assert (cp.inn, cp.kpp, cp.full_name) == ("7707083893", "770701001", "ООО «Ромашка»")
    assert cp.parent is None and cp.partner is None


PAYMENT_JSON = """{"Ref_Key": "5a0b3c1e-0000-11ec-ad72-000c29b45b09", "DataVersion": "AAA=",
 "DeletionMark": false, "Number": "0000-000012", "Date": "2026-11-20T12:00:00",
 "Posted": true, "Контрагент_Key": "b7569bcd-f670-11ea-8591-000c29b45b09",
 "Организация_Key": "87fa6cc2-e901-11ea-8591-000c29b45b09",
 "ВалютаДокумента_Key": "a192de9a-d84c-11ea-8133-0050569f62a1",
 "СуммаДокумента": 1000000.1, "ВидОперации": "ОплатаПокупателя",
 "НазначениеПлатежа": "Оплата по счету 15",
 "РасшифровкаПлатежа": [
  {"Ref_Key": "5a0b3c1e-0000-11ec-ad72-000c29b45b09", "LineNumber": "2",
   "ДоговорКонтрагента_Key": "b7569c10-f670-11ea-8591-000c29b45b09",
   "СуммаПлатежа": 0.1, "СчетНаОплату_Key": "00000000-0000-0000-0000-000000000000",
   "КурсВзаиморасчетов": 92.5012, "СуммаВзаиморасчетов": 1000000}]}"""


def test_payment_sums_are_exact_decimals() -> None:
    pay = P.parse(M.PAYMENT, M.BP30, V.loads(PAYMENT_JSON))
    assert pay.total == Decimal("1000000.1") and pay.posted is True
    (line,) = pay.lines
    assert line.line_number == 2
    assert line.amount == Decimal("0.1") and line.rate == Decimal("92.5012")
    assert line.invoice is None
    assert line.contract == "b7569c10-f670-11ea-8591-000c29b45b09"


def test_invoice_facture_bases() -> None:
    raw = V.loads(
        """{"Ref_Key": "5a0b3c1e-0000-11ec-ad72-000c29b45b09", "Number": "7",
        "Date": "2026-11-20T00:00:00", "Posted": true, "СуммаДокумента": 10,
        "ДокументыОснования": [
         {"LineNumber": "1", "ДокументОснование": "8b9660f6-6332-11ec-ad72-000c29b45b09",
          "ДокументОснование_Type": "StandardODATA.Document_РеализацияТоваровУслуг"},
         {"LineNumber": "2", "ДокументОснование": "",
          "ДокументОснование_Type": "StandardODATA.Undefined"}]}"""
    )
    facture = P.parse(M.INVOICE_FACTURE, M.BP30, raw)
    assert facture.bases == (
        ("Document_РеализацияТоваровУслуг", "8b9660f6-6332-11ec-ad72-000c29b45b09"),
    )
    assert facture.version == "" and facture.counterparty is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Ref_Key", "not-a-guid"),
        ("Ref_Key", "00000000-0000-0000-0000-000000000000"),
        ("Date", "yesterday"),
        ("СуммаДокумента", "много"),
        ("Posted", "yes"),
    ],
)
def test_a_wrong_value_names_its_field(field: str, value: str) -> None:
    raw = V.loads(PAYMENT_JSON)
    raw[field] = value
    with pytest.raises(OnecFormatError, match=field):
        P.parse(M.PAYMENT, M.BP30, raw)


def test_a_line_number_that_is_not_int64() -> None:
    raw = V.loads(PAYMENT_JSON)
    raw["РасшифровкаПлатежа"][0]["LineNumber"] = "1.5"
    with pytest.raises(OnecFormatError, match=r"РасшифровкаПлатежа\[1\]\.LineNumber"):
        P.parse(M.PAYMENT, M.BP30, raw)


def test_not_json_and_no_value_list() -> None:
    with pytest.raises(OnecFormatError):
        V.loads(b"<html>")
    with pytest.raises(OnecFormatError, match="value"):
        P.parse_page(M.PRODUCT, M.BP30, {"odata.metadata": "x"})


def test_ut11_product_service_enum_and_unf_shipment_table() -> None:
    raw = {
        "Ref_Key": "f02ce7b3-e3b3-11eb-b4ad-000c29b45b09",
        "Description": "Монтаж",
        "ТипНоменклатуры": "Услуга",
    }
    assert P.parse(M.PRODUCT, M.UT11, raw).is_service is True
    doc = P.parse(
        M.SHIPMENT,
        M.UNF,
        {
            "Ref_Key": "8b9660f6-6332-11ec-ad72-000c29b45b09",
            "Курс": 1.5,
            "Кратность": "10",
            "Запасы": [{"LineNumber": "1", "Количество": 2, "Цена": 3.3, "Сумма": 6.6}],
        },
    )
    assert (doc.rate, doc.multiplier) == (Decimal("1.5"), 10)
    assert doc.lines[0].amount == Decimal("6.6") and doc.lines[0].table == "Запасы"


def test_filter_literals_and_written_bodies() -> None:
    assert V.guid_literal("B7569BCD-F670-11EA-8591-000C29B45B09") == (
        "guid'b7569bcd-f670-11ea-8591-000c29b45b09'"
    )
    with pytest.raises(OnecFormatError):
        V.guid_literal("x' or 1=1")
    assert V.datetime_literal(datetime(2026, 1, 2, 3, 4, 5)) == "datetime'2026-01-02T03:04:05'"
    assert V.string_literal("O'Neil") == "'O''Neil'"
    body = V.dumps({"Сумма": Decimal("12345678901234.56"), "Дата": datetime(2026, 1, 2)})
    assert body == '{"Сумма": 12345678901234.56, "Дата": "2026-01-02T00:00:00"}'
    assert V.loads(body)["Сумма"] == Decimal("12345678901234.56")
