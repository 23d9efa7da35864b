"""«Администрирование → Справочники» (S1), driven as an administrator does at 80×24 on
the demo database (SQLite and Firebird): a source the demo's deals use is refused
deletion with where it is used, deactivated (the deal card still shows it, the new-deal
choices no longer offer it), a new value is added through the form with a bad value
first; a manager has no such module."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tests.ui.conftest import SMALL, log_in, make_app, screen_text, settle

from qstui.app import QstuiApp
from qstui.db.models import Deal, Source
from qstui.screens.dialogs.message import ConfirmDialog, ErrorDialog
from qstui.screens.dialogs.refbook_value import RefValueDialog
from qstui.screens.refbooks import RefbooksScreen
from qstui.services import deals as D
from qstui.services.context import context_for


async def open_book(pilot, app: QstuiApp, title: str) -> RefbooksScreen:
    await pilot.press("f11")
    await settle(pilot, app)
    screen = app.screen
    assert isinstance(screen, RefbooksScreen)
    titles = [i.title for i in screen.infos]
    screen.book_list.highlighted = titles.index(title)
    await settle(pilot, app)
    await pilot.press("enter")
    await settle(pilot, app)
    return screen


async def to_value(pilot, app: QstuiApp, screen: RefbooksScreen, label: str) -> None:
    screen.table.move_cursor(row=[r.shown["name"] for r in screen.shown_rows].index(label))
    await pilot.pause()


def busiest_source(db) -> tuple[int, str]:
    with db.reader() as s:
        row = s.execute(
            select(Source.id, Source.name, func.count(Deal.id))
            .join(Deal, Deal.source_id == Source.id)
            .group_by(Source.id, Source.name)
            .order_by(func.count(Deal.id).desc(), Source.id)
        ).first()
        return row[0], row[1]


async def test_an_admin_deactivates_a_used_source_instead_of_deleting_it(demo_db):
    source_id, name = busiest_source(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "admin")
        screen = await open_book(pilot, app, "Sources")
        assert name in screen_text(app) and "Sources" in screen_text(app)
        await to_value(pilot, app, screen, name)
        await pilot.press("delete")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot, app)
        assert isinstance(app.screen, ErrorDialog)
        text = " ".join(screen_text(app).split())
        assert name in text and "deals:" in text and "clients:" in text
        assert "deactivate it instead of deleting" in app.screen.message
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("d")
        await settle(pilot, app)
        row = next(r for r in screen.shown_rows if r.id == source_id)
        assert not row.is_active
        assert "inactive: not offered for new records" in screen_text(app)
        await pilot.press("i")  # hide the inactive values
        await settle(pilot, app)
        assert name not in {r.shown["name"] for r in screen.shown_rows}

    ivanov = context_for(demo_db, "ivanov")
    assert source_id not in {i for i, _n in D.source_choices(ivanov)}
    with demo_db.reader() as s:
        deal_id = s.scalar(select(Deal.id).where(Deal.source_id == source_id).limit(1))
    assert D.get_deal(context_for(demo_db, "admin"), deal_id).source_name == name


async def test_a_new_value_through_the_form_keeps_what_was_typed_on_a_bad_value(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "admin")
        screen = await open_book(pilot, app, "Sources")
        await pilot.press("n")
        await settle(pilot, app)
        assert isinstance(app.screen, RefValueDialog)
        await pilot.press(*"Вебинар")
        await pilot.press("tab", *"дорого")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, RefValueDialog)
        assert "Enter a number" in screen_text(app)
        assert app.screen.query_one("#input-name").value == "Вебинар"
        cost = app.screen.query_one("#input-cost")
        cost.value = ""
        cost.focus()
        await pilot.press(*"12 500,50", "ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen
        assert screen.current is not None and screen.current.shown["name"] == "Вебинар"
        assert screen.current.shown["cost"] == "12500.50"
        await pilot.press("slash", *"вебин")
        await settle(pilot, app)
        assert [r.shown["name"] for r in screen.shown_rows] == ["Вебинар"]


@pytest.mark.one_backend  # the services refuse a manager on both (tests/services/test_refbooks.py)
async def test_a_manager_has_no_reference_books(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        await pilot.press("f11")
        await settle(pilot, app)
        assert not isinstance(app.screen, RefbooksScreen)


async def test_a_stage_is_added_to_a_pipeline_picked_in_the_form(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "admin")
        screen = await open_book(pilot, app, "Pipeline stages")
        pipelines = screen.choices["pipeline_id"]
        assert pipelines, "the form's pipelines are read with the book"
        await pilot.press("n")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, RefValueDialog)
        dialog.query_one("#input-pipeline_id").value = pipelines[0][0]
        dialog.query_one("#input-name").focus()
        await pilot.press(*"Пилот", "tab", *"150", "ctrl+s")
        await settle(pilot, app)
        assert app.screen is dialog and "At most 100" in screen_text(app)
        field = dialog.query_one("#input-probability")
        field.value = "50"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen
        added = screen.current
        assert added is not None and added.shown["name"] == "Пилот"
        assert added.values["pipeline_id"] == pipelines[0][0] and added.values["probability"] == 50
