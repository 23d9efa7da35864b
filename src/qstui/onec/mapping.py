"""Object and field names of each 1C configuration qstui exchanges with — data only.

qstui's code names a 1C object by its *role* (``COUNTERPARTY``, ``INVOICE`` …) and a
field by a logical name (``inn``, ``contract``, ``quantity`` …); this table is the one
place that says what the role and the field are called in a configuration. A base's
``config_kind`` (``onec_bases.config_kind``) picks its column.

Names of БП 3.0 are those of real responses (``../shared/onec/samples/odata/``); names
of УТ 11 and УНФ follow the published metadata of those configurations and are checked
against a real base by ``qstui onec base test`` (which reads its ``$metadata``).
Common fields every catalog or document has (``Ref_Key``, ``DataVersion``,
``DeletionMark``, ``Code``, ``Description``, ``Number``, ``Date``, ``Posted``) are in
``CATALOG_FIELDS`` and ``DOCUMENT_FIELDS``, the same in every configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

BP30: Final = "bp30"
UT11: Final = "ut11"
UNF: Final = "unf"
CONFIG_KINDS: Final = (BP30, UT11, UNF)

# Roles: the objects qstui reads or writes
COUNTERPARTY: Final = "counterparty"
PARTNER: Final = "partner"  # УТ 11 only: the business partner above its legal entities
CONTRACT: Final = "contract"
PRODUCT: Final = "product"
UNIT: Final = "unit"
CURRENCY: Final = "currency"
ORGANIZATION: Final = "organization"
INVOICE: Final = "invoice"
PAYMENT: Final = "payment"
SHIPMENT: Final = "shipment"
INVOICE_FACTURE: Final = "invoice_facture"

CATALOG_FIELDS: Final = MappingProxyType(
    {
        "ref": "Ref_Key",
        "version": "DataVersion",
        "deleted": "DeletionMark",
        "code": "Code",
        "name": "Description",
        "parent": "Parent_Key",
        "is_folder": "IsFolder",
    }
)
DOCUMENT_FIELDS: Final = MappingProxyType(
    {
        "ref": "Ref_Key",
        "version": "DataVersion",
        "deleted": "DeletionMark",
        "number": "Number",
        "date": "Date",
        "posted": "Posted",
    }
)
LINE_NUMBER: Final = "LineNumber"  # every row of a tabular section


@dataclass(frozen=True)
class Table:
    """A tabular section: its name in the object and its rows' fields."""

    name: str
    fields: MappingProxyType[str, str]


@dataclass(frozen=True)
class ObjectMap:
    """One 1C object of a configuration: its entity set, its own fields, its tables."""

    entity_set: str
    fields: MappingProxyType[str, str]
    tables: tuple[Table, ...] = ()
    kind: str = field(default="catalog")  # "catalog" or "document"

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)


def _f(**names: str) -> MappingProxyType[str, str]:
    return MappingProxyType(dict(names))


def _doc(entity_set: str, fields: MappingProxyType[str, str], *tables: Table) -> ObjectMap:
    return ObjectMap(entity_set, fields, tables, kind="document")


# Goods and services rows: the same names in every sales document of БП 3.0 / УНФ
_BP_GOODS = _f(
    product="Номенклатура_Key",
    quantity="Количество",
    price="Цена",
    amount="Сумма",
    vat_rate="СтавкаНДС",
    vat_amount="СуммаНДС",
    content="Содержание",
)

_BP30: dict[str, ObjectMap] = {
    COUNTERPARTY: ObjectMap(
        "Catalog_Контрагенты",
        _f(
            inn="ИНН",
            kpp="КПП",
            full_name="НаименованиеПолное",
            legal_kind="ЮридическоеФизическоеЛицо",
        ),
    ),
    CONTRACT: ObjectMap(
        "Catalog_ДоговорыКонтрагентов",
        _f(
            owner="Owner_Key",
            contract_kind="ВидДоговора",
            number="Номер",
            date="Дата",
            currency="ВалютаВзаиморасчетов_Key",
            organization="Организация_Key",
        ),
    ),
    PRODUCT: ObjectMap(
        "Catalog_Номенклатура",
        _f(
            article="Артикул",
            full_name="НаименованиеПолное",
            unit="ЕдиницаИзмерения_Key",
            is_service="Услуга",
        ),
    ),
    UNIT: ObjectMap("Catalog_КлассификаторЕдиницИзмерения", _f(full_name="НаименованиеПолное")),
    CURRENCY: ObjectMap("Catalog_Валюты", _f(full_name="НаименованиеПолное")),
    ORGANIZATION: ObjectMap("Catalog_Организации", _f(inn="ИНН", kpp="КПП")),
    INVOICE: _doc(
        "Document_СчетНаОплатуПокупателю",
        _f(
            counterparty="Контрагент_Key",
            contract="ДоговорКонтрагента_Key",
            organization="Организация_Key",
            currency="ВалютаДокумента_Key",
            rate="КурсВзаиморасчетов",
            multiplier="КратностьВзаиморасчетов",
            total="СуммаДокумента",
            vat_included="СуммаВключаетНДС",
            comment="Комментарий",
        ),
        Table("Товары", _BP_GOODS),
    ),
    PAYMENT: _doc(
        "Document_ПоступлениеНаРасчетныйСчет",
        _f(
            counterparty="Контрагент_Key",
            organization="Организация_Key",
            currency="ВалютаДокумента_Key",
            total="СуммаДокумента",
            operation="ВидОперации",
            purpose="НазначениеПлатежа",
        ),
        Table(
            "РасшифровкаПлатежа",
            _f(
                contract="ДоговорКонтрагента_Key",
                amount="СуммаПлатежа",
                invoice="СчетНаОплату_Key",
                rate="КурсВзаиморасчетов",
                settlement_amount="СуммаВзаиморасчетов",
            ),
        ),
    ),
    SHIPMENT: _doc(
        "Document_РеализацияТоваровУслуг",
        _f(
            counterparty="Контрагент_Key",
            contract="ДоговорКонтрагента_Key",
            organization="Организация_Key",
            currency="ВалютаДокумента_Key",
            rate="КурсВзаиморасчетов",
            multiplier="КратностьВзаиморасчетов",
            total="СуммаДокумента",
            vat_included="СуммаВключаетНДС",
            invoice="СчетНаОплатуПокупателю_Key",
            operation="ВидОперации",
        ),
        Table("Товары", _BP_GOODS),
        Table("Услуги", _BP_GOODS),
    ),
    INVOICE_FACTURE: _doc(
        "Document_СчетФактураВыданный",
        _f(
            counterparty="Контрагент_Key",
            contract="ДоговорКонтрагента_Key",
            organization="Организация_Key",
            currency="ВалютаДокумента_Key",
            total="СуммаДокумента",
        ),
        Table(
            "ДокументыОснования",
            _f(basis="ДокументОснование", basis_type="ДокументОснование_Type"),
        ),
    ),
}

_UT11_GOODS = _f(
    product="Номенклатура_Key",
    quantity="Количество",
    price="Цена",
    amount="Сумма",
    vat_rate="СтавкаНДС",
    vat_amount="СуммаНДС",
    content="Содержание",
)

_UT11: dict[str, ObjectMap] = {
    PARTNER: ObjectMap("Catalog_Партнеры", _f(full_name="НаименованиеПолное")),
    COUNTERPARTY: ObjectMap(
        "Catalog_Контрагенты",
        _f(
            inn="ИНН",
            kpp="КПП",
            full_name="НаименованиеПолное",
            legal_kind="ЮрФизЛицо",
            partner="Партнер_Key",
        ),
    ),
    CONTRACT: ObjectMap(
        "Catalog_ДоговорыКонтрагентов",
        _f(
            owner="Контрагент_Key",
            partner="Партнер_Key",
            contract_kind="ТипДоговора",
            number="Номер",
            date="Дата",
            currency="ВалютаВзаиморасчетов_Key",
            organization="Организация_Key",
        ),
    ),
    PRODUCT: ObjectMap(
        "Catalog_Номенклатура",
        _f(
            article="Артикул",
            full_name="НаименованиеПолное",
            unit="ЕдиницаИзмерения_Key",
            is_service="ТипНоменклатуры",
        ),
    ),
    UNIT: ObjectMap("Catalog_УпаковкиЕдиницыИзмерения", _f(full_name="НаименованиеПолное")),
    CURRENCY: ObjectMap("Catalog_Валюты", _f(full_name="НаименованиеПолное")),
    ORGANIZATION: ObjectMap("Catalog_Организации", _f(inn="ИНН", kpp="КПП")),
    INVOICE: _doc(
        "Document_СчетНаОплатуКлиенту",
        _f(
            counterparty="Контрагент_Key",
            partner="Партнер_Key",
            contract="Договор_Key",
            organization="Организация_Key",
            currency="Валюта_Key",
            total="СуммаДокумента",
            vat_included="ЦенаВключаетНДС",
            comment="Комментарий",
        ),
        Table("Товары", _UT11_GOODS),
    ),
    PAYMENT: _doc(
        "Document_ПоступлениеБезналичныхДенежныхСредств",
        _f(
            counterparty="Контрагент_Key",
            organization="Организация_Key",
            currency="Валюта_Key",
            total="СуммаДокумента",
            operation="ХозяйственнаяОперация",
            purpose="НазначениеПлатежа",
        ),
        Table(
            "РасшифровкаПлатежа",
            _f(
                contract="ОснованиеПлатежа",
                amount="Сумма",
                invoice="ОснованиеПлатежа",
                settlement_amount="СуммаВзаиморасчетов",
            ),
        ),
    ),
    SHIPMENT: _doc(
        "Document_РеализацияТоваровУслуг",
        _f(
            counterparty="Контрагент_Key",
            partner="Партнер_Key",
            contract="Договор_Key",
            organization="Организация_Key",
            currency="Валюта_Key",
            total="СуммаДокумента",
            vat_included="ЦенаВключаетНДС",
            operation="ХозяйственнаяОперация",
        ),
        Table("Товары", _UT11_GOODS),
    ),
    INVOICE_FACTURE: _doc(
        "Document_СчетФактураВыданный",
        _f(
            counterparty="Контрагент_Key",
            organization="Организация_Key",
            currency="Валюта_Key",
            total="СуммаДокумента",
        ),
        Table(
            "ДокументыОснования",
            _f(basis="ДокументОснование", basis_type="ДокументОснование_Type"),
        ),
    ),
}

_UNF: dict[str, ObjectMap] = {
    COUNTERPARTY: ObjectMap(
        "Catalog_Контрагенты",
        _f(inn="ИНН", kpp="КПП", full_name="НаименованиеПолное", legal_kind="ЮрФизЛицо"),
    ),
    CONTRACT: ObjectMap(
        "Catalog_ДоговорыКонтрагентов",
        _f(
            owner="Owner_Key",
            contract_kind="ВидДоговора",
            number="НомерДоговора",
            date="ДатаДоговора",
            currency="ВалютаРасчетов_Key",
            organization="Организация_Key",
        ),
    ),
    PRODUCT: ObjectMap(
        "Catalog_Номенклатура",
        _f(
            article="Артикул",
            full_name="НаименованиеПолное",
            unit="ЕдиницаИзмерения_Key",
            is_service="ТипНоменклатуры",
        ),
    ),
    UNIT: ObjectMap("Catalog_КлассификаторЕдиницИзмерения", _f(full_name="НаименованиеПолное")),
    CURRENCY: ObjectMap("Catalog_Валюты", _f(full_name="НаименованиеПолное")),
    ORGANIZATION: ObjectMap("Catalog_Организации", _f(inn="ИНН", kpp="КПП")),
    INVOICE: _doc(
        "Document_СчетНаОплату",
        _f(
            counterparty="Контрагент_Key",
            contract="Договор_Key",
            organization="Организация_Key",
            currency="ВалютаДокумента_Key",
            rate="Курс",
            multiplier="Кратность",
            total="СуммаДокумента",
            vat_included="СуммаВключаетНДС",
            comment="Комментарий",
        ),
        Table("Запасы", _BP_GOODS),
    ),
    PAYMENT: _doc(
        "Document_ПоступлениеНаСчет",
        _f(
            counterparty="Контрагент_Key",
            organization="Организация_Key",
            currency="ВалютаДенежныхСредств_Key",
            total="СуммаДокумента",
            operation="ВидОперации",
            purpose="НазначениеПлатежа",
        ),
        Table(
            "РасшифровкаПлатежа",
            _f(
                contract="Договор_Key",
                amount="СуммаПлатежа",
                invoice="СчетНаОплату_Key",
                rate="Курс",
                settlement_amount="СуммаРасчетов",
            ),
        ),
    ),
    SHIPMENT: _doc(
        "Document_РасходнаяНакладная",
        _f(
            counterparty="Контрагент_Key",
            contract="Договор_Key",
            organization="Организация_Key",
            currency="ВалютаДокумента_Key",
            rate="Курс",
            multiplier="Кратность",
            total="СуммаДокумента",
            vat_included="СуммаВключаетНДС",
            operation="ВидОперации",
        ),
        Table("Запасы", _BP_GOODS),
    ),
    INVOICE_FACTURE: _doc(
        "Document_СчетФактура",
        _f(
            counterparty="Контрагент_Key",
            contract="Договор_Key",
            organization="Организация_Key",
            currency="Валюта_Key",
            total="СуммаДокумента",
        ),
        Table(
            "ДокументыОснования",
            _f(basis="ДокументОснование", basis_type="ДокументОснование_Type"),
        ),
    ),
}

MAPPINGS: Final = MappingProxyType(
    {
        BP30: MappingProxyType(_BP30),
        UT11: MappingProxyType(_UT11),
        UNF: MappingProxyType(_UNF),
    }
)

# Values of enumerations qstui writes or filters on
CONTRACT_WITH_BUYER: Final = MappingProxyType(
    {BP30: "СПокупателем", UT11: "СПокупателем", UNF: "СПокупателем"}
)

# A counterparty's legal kind (``legal_kind``): a legal entity, an individual
LEGAL_ENTITY: Final = MappingProxyType({BP30: "ЮридическоеЛицо", UT11: "ЮрЛицо", UNF: "ЮрЛицо"})
INDIVIDUAL: Final = MappingProxyType({BP30: "ФизическоеЛицо", UT11: "ФизЛицо", UNF: "ФизЛицо"})
# A product's ``is_service`` as written: БП 3.0 has a flag, УТ 11 and УНФ an enumeration
SERVICE_KIND: Final = MappingProxyType({BP30: True, UT11: "Услуга", UNF: "Услуга"})
GOODS_KIND: Final = MappingProxyType({BP30: False, UT11: "Товар", UNF: "Запас"})


def service_value(config_kind: str, is_service: bool) -> object:
    """The value of a product's ``is_service`` field in ``config_kind``."""
    return (SERVICE_KIND if is_service else GOODS_KIND)[config_kind]


# The objects ``qstui onec base test`` asks to be published, and the 1C menu to do it
NEEDED_ROLES: Final = (
    COUNTERPARTY,
    PARTNER,
    CONTRACT,
    PRODUCT,
    UNIT,
    CURRENCY,
    ORGANIZATION,
    INVOICE,
    PAYMENT,
    SHIPMENT,
    INVOICE_FACTURE,
)
PUBLISH_MENU_PATH: Final = (
    "Администрирование → Настройки синхронизации данных → Настройка стандартного интерфейса OData"
)


def objects_of(config_kind: str) -> MappingProxyType[str, ObjectMap]:
    """The objects of configuration ``config_kind`` (``KeyError`` for an unknown one)."""
    return MAPPINGS[config_kind]


def entity_sets_needed(config_kind: str) -> tuple[str, ...]:
    """The entity sets qstui needs published in a base of ``config_kind``, in role order."""
    objects = MAPPINGS[config_kind]
    return tuple(objects[role].entity_set for role in NEEDED_ROLES if role in objects)
