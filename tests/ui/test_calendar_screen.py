"""The calendar module (K2–K4), driven from the keyboard on the demo database: the day,
week and month views against the services, planning / moving / completing / cancelling
an interaction, the overdue list, another manager's calendar, the contact analysis."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from tests.ui.calendar_checks import (
    calendar_app,
    check_day_week_month,
    move_cursor_to,
    open_calendar,
    shown_ids,
)
from tests.ui.conftest import LARGE, SMALL, screen_text, settle

from qstui.domain import calendar as cal
from qstui.domain import formatting as fmt
from qstui.domain.clients import ClientFilter
from qstui.domain.clock import today
from qstui.domain.enums import EventStatus
from qstui.services.calendar import events as calendar_service
from qstui.services.calendar import lists as calendar_lists
from qstui.services.calendar.contact_analysis import contact_analysis
from qstui.services.clients.companies import list_clients
from qstui.services.context import context_for
from qstui.widgets.cells import ALERT


def unique_word(ctx):
    """(company id, name, a typed prefix that finds only that company)."""
    for row in list_clients(ctx, limit=40).rows:
        for word in sorted(row.name.replace("«", " ").replace("»", " ").split(), key=len)[::-1]:
            if len(word) < 5 or not word.isalpha():
                continue
            prefix = word[:6].lower()
            hits = list_clients(ctx, ClientFilter(text=prefix), limit=3).rows
            if [h.id for h in hits] == [row.id]:
                return row.id, row.name, prefix
    raise AssertionError("no client with a unique word in the demo")


@pytest.mark.one_backend
async def test_day_week_month_show_what_the_services_return(demo_db):
    await check_day_week_month(demo_db)


async def test_plan_move_complete_and_plan_the_next(demo_db):
    ctx = context_for(demo_db, "ivanov")
    company_id, company_name, typed = unique_word(ctx)
    day = today()
    tomorrow = day + timedelta(days=1)
    app = calendar_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_calendar(pilot, app)

        # n: a new plan — client found by typing, type from the list, a subject
        await pilot.press("n")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "PlanDialog"
        await pilot.press(*typed)
        await settle(pilot, app)
        assert company_name in screen_text(app)  # the hit under the field
        await pilot.press("enter")  # pick it
        await settle(pilot, app)
        await pilot.press("tab")  # contact → type
        await pilot.press("enter", "down", "enter")  # the second type: Meeting
        await pilot.press("tab", *"Plan T1", "enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "CalendarScreen"
        plans = [e for e in calendar_lists.day(ctx, day).events if e.subject == "Plan T1"]
        assert len(plans) == 1
        plan = plans[0]
        assert plan.company_id == company_id
        assert plan.type_code == "meeting"
        assert plan.status == EventStatus.PLANNED
        assert plan.local_at == datetime.combine(day, time(10, 0))
        assert plan.responsible_id == ctx.user_id
        assert plan.remind_at == plan.event_at - timedelta(minutes=15)
        assert "Plan T1" in screen_text(app)
        assert screen.current_event.id == plan.id

        # r: move it to tomorrow 15:30
        await pilot.press("r")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "MoveDialog"
        await pilot.press(*fmt.day(tomorrow), "tab", *"15:30", "enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "CalendarScreen"
        moved = calendar_lists.get_event(ctx, plan.id).row
        assert moved.local_at == datetime.combine(tomorrow, time(15, 30))
        assert plan.id not in shown_ids(screen)  # gone from today
        await pilot.press("full_stop")
        await settle(pilot, app)
        assert plan.id in shown_ids(screen)
        assert "15:30" in screen_text(app)

        # c: complete it with a result; the next plan is offered, Enter accepts it
        await move_cursor_to(pilot, app, screen, plan.id)
        await pilot.press("c")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "CompleteDialog"
        await pilot.press("enter", "down", "enter")  # the first result (focus starts there)
        await pilot.press("tab", *"Agreed", "enter")
        await settle(pilot, app)
        done = calendar_lists.get_event(ctx, plan.id).row
        assert done.status == EventStatus.DONE
        assert done.result_id is not None and done.result_text == "Agreed"
        assert type(app.screen).__name__ == "PlanDialog"
        text = screen_text(app)
        assert "Plan the next interaction?" in text and "Plan T1" in text
        following = cal.next_working_day(day)
        assert fmt.day(following) in text
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "CalendarScreen"
        nexts = [
            e
            for e in calendar_lists.company_plans(ctx, company_id)
            if e.subject == "Plan T1" and e.id != plan.id
        ]
        assert len(nexts) == 1
        assert nexts[0].status == EventStatus.PLANNED
        assert nexts[0].type_code == "meeting"
        assert nexts[0].local_at == datetime.combine(following, time(10, 0))

        # x: cancel the next plan (with a confirmation)
        await pilot.press("g")
        await settle(pilot, app)
        await pilot.press(*fmt.day(following), "enter")
        await settle(pilot, app)
        await move_cursor_to(pilot, app, screen, nexts[0].id)
        await pilot.press("x")
        await settle(pilot, app)
        assert "Cancel the plan?" in screen_text(app)
        await pilot.press("y")
        await settle(pilot, app)
        assert calendar_lists.get_event(ctx, nexts[0].id).row.status == EventStatus.CANCELLED
        assert nexts[0].id not in shown_ids(screen)

        # Del: a manager may not delete; the refusal is one error dialog
        await pilot.press("d")
        await settle(pilot, app)
        if screen.current_event is not None:
            await pilot.press("delete")
            await settle(pilot, app)
            assert type(app.screen).__name__ == "ErrorDialog"
            assert "Access denied" in screen_text(app)
            await pilot.press("escape")
            await settle(pilot, app)


async def test_a_plan_changed_meanwhile_keeps_what_was_typed(demo_db):
    ctx = context_for(demo_db, "ivanov")
    day = today()
    event_id = calendar_service.plan_event(
        ctx, None, "call", "Conflict T", cal.to_utc(datetime.combine(day, time(9, 10)))
    )
    app = calendar_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_calendar(pilot, app)
        await move_cursor_to(pilot, app, screen, event_id)
        await pilot.press("r")
        await settle(pilot, app)
        await pilot.press("tab", *"16:45")
        # someone else moves it meanwhile
        version = calendar_lists.get_event(ctx, event_id).version
        calendar_service.reschedule(
            ctx, event_id, version, cal.to_utc(datetime.combine(day, time(11, 0)))
        )
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "MoveDialog"
        assert "The record was changed by" in screen_text(app)
        assert app.screen.query_one("#input-time").value == "16:45"  # nothing typed is lost
        await pilot.press("enter")  # the current version is loaded: saving again applies it
        await settle(pilot, app)
        assert type(app.screen).__name__ == "CalendarScreen"
        moved = calendar_lists.get_event(ctx, event_id).row
        assert moved.local_at == datetime.combine(day, time(16, 45))


async def test_head_deletes_an_interaction_after_confirming(demo_db):
    head = context_for(demo_db, "head")
    day = today()
    event_id = calendar_service.plan_event(
        head, None, "call", "Delete me", cal.to_utc(datetime.combine(day, time(9, 5)))
    )
    app = calendar_app(demo_db, "head")
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_calendar(pilot, app, "head")
        await move_cursor_to(pilot, app, screen, event_id)
        await pilot.press("delete")
        await settle(pilot, app)
        assert "Delete the interaction for good?" in screen_text(app)
        await pilot.press("n")  # no: nothing happens
        await settle(pilot, app)
        assert calendar_lists.get_event(head, event_id).id == event_id
        await pilot.press("delete")
        await settle(pilot, app)
        await pilot.press("y")
        await settle(pilot, app)
        assert event_id not in [e.id for e in calendar_lists.day(head, day).events]
        assert event_id not in shown_ids(screen)


async def test_overdue_list_is_the_services(demo_db):
    ctx = context_for(demo_db, "ivanov")
    app = calendar_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_calendar(pilot, app)
        await pilot.press("o")
        await settle(pilot, app)
        expected = calendar_lists.overdue(ctx)
        assert expected
        assert shown_ids(screen) == [e.id for e in expected]
        assert [e.event_at for e in expected] == sorted(e.event_at for e in expected)
        assert f"Overdue plans: {len(expected)}" in screen_text(app)
        cells = screen.table.get_row_at(0)
        assert all(str(cell.style) == ALERT for cell in cells if cell.plain)
        # Enter on an overdue plan opens it (to complete it)
        await move_cursor_to(pilot, app, screen, expected[0].id)
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "CompleteDialog"
        assert expected[0].subject in screen_text(app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "CalendarScreen"


async def test_manager_sees_only_himself_head_opens_ivanovs_calendar(demo_db):
    ivanov = context_for(demo_db, "ivanov")
    head = context_for(demo_db, "head")
    department = calendar_lists.visible_managers(head)
    assert {m.login for m in department} >= {"head", "ivanov", "petrova"}
    assert "sidorov" not in {m.login for m in department}
    app = calendar_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await open_calendar(pilot, app)
        await pilot.press("u")
        await settle(pilot, app)
        options = app.screen.query_one("#managers")
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == [
            str(ivanov.user_id)
        ]
        await pilot.press("escape")

    app = calendar_app(demo_db, "head")
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_calendar(pilot, app, "head")
        await pilot.press("u")
        await settle(pilot, app)
        options = app.screen.query_one("#managers")
        offered = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert offered == [str(m.id) for m in department]
        text = screen_text(app)
        assert all(m.full_name in text for m in department)
        target = offered.index(str(ivanov.user_id))
        while options.highlighted != target:
            await pilot.press("down" if options.highlighted < target else "up")
        await pilot.press("enter")
        await settle(pilot, app)
        expected = calendar_lists.day(head, today(), user_id=ivanov.user_id)
        assert shown_ids(screen) == [e.id for e in expected.events]
        assert all(e.responsible_id == ivanov.user_id for e in expected.events)
        assert "Иванов И. П." in screen_text(app)
        await pilot.press("o")
        await settle(pilot, app)
        assert shown_ids(screen) == [
            e.id for e in calendar_lists.overdue(head, user_id=ivanov.user_id)
        ]


async def test_contact_analysis_as_head_for_this_month(demo_db):
    head = context_for(demo_db, "head")
    day = today()
    first, last = day.replace(day=1), cal.month_last(day.year, day.month)
    app = calendar_app(demo_db, "head")
    async with app.run_test(size=LARGE) as pilot:
        await open_calendar(pilot, app, "head")
        await pilot.press("a")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ContactAnalysisScreen"
        expected = contact_analysis(head, first, last)
        assert expected
        text = screen_text(app)
        assert f"{fmt.day(first)} – {fmt.day(last)}" in text
        table = app.screen.query_one("#analysis-table")
        codes = list(expected[0].by_type)
        for stats in expected:
            row = [cell.plain for cell in table.get_row(str(stats.user_id))]
            assert row[0] == stats.full_name
            numbers = [int(v) if v != "·" else 0 for v in row[1:]]
            assert numbers == [stats.count(c) for c in codes] + [stats.total, stats.overdue]
            assert stats.full_name in text
        header = [str(col.label) for col in table.columns.values()]
        assert header[:3] == ["Manager", "Call", "Meeting"] and header[-2:] == ["Total", "Overdue"]

        await pilot.press("l")  # last month
        await settle(pilot, app)
        previous_last = first - timedelta(days=1)
        previous = contact_analysis(head, previous_last.replace(day=1), previous_last)
        for stats in previous:
            row = [cell.plain for cell in table.get_row(str(stats.user_id))]
            assert row[-2] == (str(stats.total) if stats.total else "·")
        await pilot.press("escape")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "CalendarScreen"


@pytest.mark.one_backend  # what is drawn does not depend on the database
async def test_views_fit_small_and_large_terminals(demo_db):
    app = calendar_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_calendar(pilot, app)
        for size in (SMALL, LARGE):
            await pilot.resize_terminal(*size)
            await settle(pilot, app)
            for key, widget in (("d", "cal-list"), ("w", None), ("m", "cal-month")):
                await pilot.press(key)
                await settle(pilot, app)
                if widget is None:  # a list grouped by day, or seven columns when wide
                    widget = "cal-week" if size == LARGE else "cal-list"
                assert screen.switcher.current == widget
                text = screen_text(app)
                lines = text.splitlines()
                assert len(lines) <= size[1]
                assert all(len(line) <= size[0] for line in lines)
                for label in ("d day", "w week", "m month", "o overdue", "u whose", "a analysis"):
                    assert label in text, (size, key, label)
                for label in ("n New plan", "c Complete", "r Move"):
                    assert label in lines[-1], (size, key, label)
