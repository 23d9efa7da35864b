"""Reference books (S1) through one interface, on both backends: every book listed,
values added, changed, deactivated (old records keep them, new ones cannot pick them),
deleted only when nothing uses them (else refused with where), reordered; rights
checked in the service. The module has its own database: it changes the books."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from deal_support import Team, company, make_team
from sqlalchemy import select

from qstui.db.models import Base, Deal, Source, Stage
from qstui.domain.errors import AccessDenied, Conflict, ValidationFailed
from qstui.domain.refbooks import InUse
from qstui.services import deals as D
from qstui.services.clients import card as client_card
from qstui.services.clients import companies
from qstui.services.context import Context
from qstui.services.refbooks import books as B
from qstui.services.refbooks.book_specs import BOOKS, BY_NAME
from qstui.services.refbooks.book_usage import TABLE_LABELS, referrers


@pytest.fixture(scope="module")
def team(own_database: Any, frozen_clock: Any) -> Team:
    return make_team(own_database)


def _row(ctx: Context, book: str, **match: Any) -> Any:
    rows, _total = B.book_rows(ctx, book)
    return next(r for r in rows if all(r.values.get(k) == v for k, v in match.items()))


@pytest.mark.one_backend
def test_every_table_that_uses_a_book_has_a_name_to_show() -> None:
    for book in BOOKS:
        for table, _columns in referrers(book.model.__tablename__, book.ref_column):
            assert table.name in TABLE_LABELS, (book.name, table.name)
    assert {b.model.__tablename__ for b in BOOKS} <= set(Base.metadata.tables)


def test_every_book_is_listed_with_its_counts(team: Team) -> None:
    infos = {i.name: i for i in B.list_books(team.system)}
    assert set(infos) == {b.name for b in BOOKS}
    assert infos["currencies"].count >= 1
    assert infos["stages"].can_reorder and infos["stages"].can_deactivate
    assert not infos["currency_rates"].can_deactivate
    with pytest.raises(AccessDenied):
        B.list_books(team.anna)  # a manager has neither refbooks.edit nor export


def test_a_source_in_use_is_deactivated_not_deleted(team: Team, own_database: Any) -> None:
    admin = team.system
    source_id = B.add_value(admin, "sources", {"name": "Выставка «Мир связи»", "cost": "150000"})
    client = company(own_database, "ООО Связист", team.id("anna"))
    companies.update_company(admin, client, _version(own_database, client), source_id=source_id)
    deal_id = D.create_deal(team.anna, client, "Связь в офис", source_id=source_id)

    row = _row(admin, "sources", name="Выставка «Мир связи»")
    assert row.values["cost"] == Decimal("150000.00")
    with pytest.raises(InUse) as refused:
        B.delete_value(admin, "sources", source_id, row.version)
    assert "deals: 1" in str(refused.value) and "clients: 1" in str(refused.value)
    assert {u.what for u in B.where_used(admin, "sources", source_id)} == {"deals", "clients"}

    B.set_active(admin, "sources", source_id, row.version, False)
    # old records keep showing it …
    assert D.get_deal(team.anna, deal_id).source_name == "Выставка «Мир связи»"
    # … new choices no longer offer it, and the services refuse it for a new record
    assert source_id not in {i for i, _n in D.source_choices(team.anna)}
    assert source_id not in {i for i, _n in client_card.card_choices(team.anna)["sources"]}
    with pytest.raises(ValidationFailed) as bad:
        D.create_deal(team.anna, client, "Ещё связь", source_id=source_id)
    assert "source_id" in bad.value.errors
    # the deal that has it is saved with it unchanged
    version = D.get_deal(team.anna, deal_id).version
    D.update_deal(team.anna, deal_id, version, title="Связь в офис, 2 этаж", source_id=source_id)
    # an unused source is deleted
    spare = B.add_value(admin, "sources", {"name": "Листовки"})
    B.delete_value(admin, "sources", spare, _row(admin, "sources", name="Листовки").version)
    with own_database.reader() as s:
        assert s.get(Source, spare) is None


def _version(db: Any, company_id: int) -> int:
    from qstui.db.models import Company

    with db.reader() as s:
        return s.get(Company, company_id).version


def test_only_refbooks_edit_changes_a_book(team: Team) -> None:
    with pytest.raises(AccessDenied):
        B.add_value(team.anna, "industries", {"name": "Горное дело"})
    row = _row(team.system, "currencies", code="RUB")
    with pytest.raises(AccessDenied):
        B.change_value(team.anna, "currencies", row.id, row.version, {"symbol": "р."})
    with pytest.raises(AccessDenied):
        B.delete_value(team.anna, "currencies", row.id, row.version)


def test_bad_values_are_refused_with_one_message_each(team: Team) -> None:
    admin = team.system
    with pytest.raises(ValidationFailed) as bad:
        B.add_value(
            admin,
            "products",
            {"name": "", "price": "10,555", "vat_pct": "120", "currency_code": "XYZ"},
        )
    assert set(bad.value.errors) == {"name", "price", "vat_pct"}
    with pytest.raises(ValidationFailed) as bad:
        B.add_value(admin, "products", {"name": "Кабель", "price": "10", "currency_code": "XYZ"})
    assert "currency_code" in bad.value.errors
    pipeline = _row(admin, "pipelines", is_default=True)
    with pytest.raises(ValidationFailed) as bad:
        B.add_value(
            admin, "stages", {"pipeline_id": pipeline.id, "name": "Пилот", "probability": "150"}
        )
    assert "probability" in bad.value.errors
    with pytest.raises(ValidationFailed) as bad:
        B.add_value(admin, "industries", {"name": _row(admin, "industries").values["name"]})
    assert "name" in bad.value.errors
    rub = _row(admin, "currencies", code="RUB")
    with pytest.raises(ValidationFailed) as bad:
        B.change_value(admin, "currencies", rub.id, rub.version, {"code": "RUR"})
    assert "code" in bad.value.errors
    with pytest.raises(ValidationFailed):
        B.set_active(admin, "currencies", rub.id, rub.version, False)  # the base currency


def test_a_product_names_its_group_unit_and_currency_by_their_keys(team: Team) -> None:
    admin = team.system
    group = B.add_value(admin, "product_groups", {"name": "Кабели"})
    unit = _row(admin, "units", okei_code="796")
    product = B.add_value(
        admin,
        "products",
        {
            "sku": "CBL-5E",
            "name": "Кабель UTP 5e",
            "group_id": "кабели",
            "unit_id": "796",
            "price": "35,50",
            "currency_code": "rub",
            "vat_pct": "20",
            "is_service": "нет",
        },
    )
    row = B.book_row(admin, "products", product)
    assert row.values["group_id"] == group and row.values["unit_id"] == unit.id
    assert row.values["currency_code"] == "RUB" and row.values["price"] == Decimal("35.50")
    assert row.shown["group_id"] == "Кабели" and row.shown["unit_id"] == unit.values["short_name"]
    # a deactivated group stays on the product, and no new product may pick it
    group_row = B.book_row(admin, "product_groups", group)
    B.set_active(admin, "product_groups", group, group_row.version, False)
    B.change_value(admin, "products", product, row.version, {"price": "36", "group_id": group})
    with pytest.raises(ValidationFailed) as bad:
        B.add_value(
            admin,
            "products",
            {
                "name": "Кабель 6",
                "price": "40",
                "group_id": group,
                "currency_code": "RUB",
                "vat_pct": "20",
            },
        )
    assert "group_id" in bad.value.errors


def test_reordering_keeps_each_stage_within_its_pipeline(team: Team, own_database: Any) -> None:
    admin = team.system
    pipeline = _row(admin, "pipelines", is_default=True)
    with own_database.reader() as s:
        before = list(
            s.scalars(
                select(Stage.id).where(Stage.pipeline_id == pipeline.id).order_by(Stage.sort_no)
            )
        )
    assert B.move_value(admin, "stages", before[1], -1)
    assert not B.move_value(admin, "stages", before[1], -1)  # already first
    with own_database.reader() as s:
        after = list(
            s.scalars(
                select(Stage.id).where(Stage.pipeline_id == pipeline.id).order_by(Stage.sort_no)
            )
        )
    assert after == [before[1], before[0], *before[2:]]
    reasons, _n = B.book_rows(admin, "refusal_reasons")
    B.move_value(admin, "refusal_reasons", reasons[0].id, 2)
    moved, _n = B.book_rows(admin, "refusal_reasons")
    assert [r.id for r in moved][:3] == [reasons[1].id, reasons[2].id, reasons[0].id]


def test_a_stage_and_a_custom_field_go_through_their_own_rules(team: Team) -> None:
    admin = team.system
    pipeline_id = B.add_value(admin, "pipelines", {"name": "Сервис"})
    only = _row(admin, "stages", pipeline_id=pipeline_id)
    with pytest.raises(ValidationFailed):  # a pipeline keeps one active stage
        B.set_active(admin, "stages", only.id, only.version, False)
    B.add_value(admin, "stages", {"pipeline_id": "Сервис", "name": "Выезд", "probability": "60"})
    assert [
        r.values["name"]
        for r in B.book_rows(admin, "stages")[0]
        if r.values["pipeline_id"] == pipeline_id
    ][-1] == "Выезд"
    field_id = B.add_value(
        admin,
        "custom_fields",
        {
            "entity": "company",
            "code": "tariff",
            "title": "Тариф",
            "field_kind": "choice",
            "choices": "Базовый; Бизнес",
        },
    )
    field = B.book_row(admin, "custom_fields", field_id)
    assert field.values["choices"] == ["Базовый", "Бизнес"]
    with pytest.raises(ValidationFailed):
        B.change_value(admin, "custom_fields", field_id, field.version, {"field_kind": "text"})


def test_a_rate_is_corrected_not_deleted(team: Team) -> None:
    admin = team.system
    rate_id = B.add_value(
        admin, "currency_rates", {"currency_code": "USD", "rate_date": "01.12.2026", "rate": "91,5"}
    )
    row = B.book_row(admin, "currency_rates", rate_id)
    assert row.values["rate"] == Decimal("91.5")
    B.change_value(admin, "currency_rates", rate_id, row.version, {"rate": "92.25"})
    assert B.book_row(admin, "currency_rates", rate_id).values["rate"] == Decimal("92.25")
    with pytest.raises(ValidationFailed):
        B.delete_value(admin, "currency_rates", rate_id, None)


def test_two_admins_changing_one_value_the_second_is_told(team: Team) -> None:
    admin = team.system
    region = _row(admin, "regions", code="77")
    B.change_value(admin, "regions", region.id, region.version, {"name": "г. Москва"})
    with pytest.raises(Conflict):
        B.change_value(admin, "regions", region.id, region.version, {"name": "Москва"})
    assert B.book_row(admin, "regions", region.id).values["name"] == "г. Москва"


def test_unknown_book_is_named(team: Team) -> None:
    with pytest.raises(ValidationFailed) as bad:
        B.book_rows(team.system, "colours")
    assert "sources" in bad.value.errors["book"]
    assert set(BY_NAME) >= {"sources", "stages"}
    assert Deal.__tablename__ == "deals"
