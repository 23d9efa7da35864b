"""``qstui event …``: interactions and plans (K1–K3): a manager's calendar, logging a
done interaction, planning one, completing a plan.

Thin: parse the arguments, call ``qstui.services.calendar.events`` with the context of
``--as LOGIN`` (default: the admin context), print a table or JSON. Dates and times are
read and shown in local time (``QSTUI_TZ`` or the computer's zone).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

import click
from rich.table import Table

from qstui.cli.common import (
    COMPANY_ID,
    CONTACT_ID,
    DEAL_ID,
    EVENT_ID,
    as_option,
    context,
    emit_json,
    json_option,
    table_console,
)
from qstui.domain import calendar as cal
from qstui.domain.calendar import EventRow
from qstui.domain.clock import utcnow
from qstui.domain.enums import EventStatus
from qstui.domain.formatting import parse_day
from qstui.domain.normalize import fold
from qstui.i18n import N_, _
from qstui.services.access.user_lookup import user_id_by_login
from qstui.services.calendar import event_types
from qstui.services.calendar import events as calendar_service
from qstui.services.calendar import lists as calendar_lists
from qstui.services.context import Context

F = TypeVar("F", bound=Callable[..., Any])
STATUS_LABELS = {
    EventStatus.PLANNED: N_("planned"),
    EventStatus.DONE: N_("done"),
    EventStatus.CANCELLED: N_("cancelled"),
}


# --- parsing -----------------------------------------------------------------------------


def _day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return parse_day(value)
    except ValueError:
        raise click.BadParameter("expected a date as DD.MM.YYYY or YYYY-MM-DD") from None


def _month(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> tuple[int, int] | None:
    if value is None:
        return None
    text = value.strip()
    for fmt in ("%m.%Y", "%Y-%m"):
        try:
            parsed = datetime.strptime(text, fmt)
            return parsed.year, parsed.month
        except ValueError:
            continue
    raise click.BadParameter("expected a month as MM.YYYY or YYYY-MM")


def _moment(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    """``DD.MM.YYYY HH:MM`` (or ``YYYY-MM-DD HH:MM``) in local time → naive UTC."""
    if value is None:
        return None
    text = " ".join(value.split())
    for fmt in ("%d.%m.%Y %H:%M", "%d.%m.%y %H:%M", "%Y-%m-%d %H:%M"):
        try:
            return cal.to_utc(datetime.strptime(text, fmt))
        except ValueError:
            continue
    raise click.BadParameter("expected a date and time as 'DD.MM.YYYY HH:MM'")


def _result(ctx: Context, text: str | None) -> tuple[int | None, str | None]:
    """A result that names a result of the reference book becomes its id; any other text
    is kept as the result text."""
    if text is None or not text.strip():
        return None, None
    key = fold(text)
    for result in event_types.list_event_results(ctx):
        if fold(result.name) == key:
            return result.id, None
    return None, text.strip()


# --- output ------------------------------------------------------------------------------


def _status(row: EventRow) -> str:
    if row.overdue:
        return _("overdue")
    return _(STATUS_LABELS.get(row.status, row.status))


def _print_rows(rows: list[EventRow], *, show_day: bool, show_manager: bool) -> None:
    table = Table(show_lines=False)
    if show_day:
        table.add_column(_("Date"), no_wrap=True)
    table.add_column(_("Time"), no_wrap=True)
    table.add_column(_("No."), justify="right", no_wrap=True)
    table.add_column(_("Type"), no_wrap=True)
    table.add_column(_("Subject"))
    table.add_column(_("Client"))
    table.add_column(_("Contact"))
    if show_manager:
        table.add_column(_("Manager"))
    table.add_column(_("Status"), no_wrap=True)
    table.add_column(_("Result"))
    for row in rows:
        cells = [row.local_at.strftime("%d.%m.%Y")] if show_day else []
        cells += [
            row.local_at.strftime("%H:%M"),
            str(row.id),
            row.type_name,
            row.subject,
            row.company_name or "",
            row.contact_name or "",
        ]
        if show_manager:
            cells.append(row.responsible_name)
        cells += [_status(row), row.result]
        table.add_row(*cells)
    table_console().print(table)


def _manager(ctx: Context, login: str | None, assigning: bool = False) -> int | None:
    return user_id_by_login(ctx, login, assigning=assigning) if login else None


# --- commands ----------------------------------------------------------------------------


@click.group("event", context_settings={"help_option_names": ["-h", "--help"]})
def event() -> None:
    """Interactions and plans: a manager's calendar, log, plan and complete."""


@event.command("list")
@click.option("--day", "on_day", metavar="DATE", callback=_day, help="One day: DD.MM.YYYY.")
@click.option(
    "--week", "in_week", metavar="DATE", callback=_day, help="The week (Mon–Sun) of DATE."
)
@click.option("--month", "in_month", metavar="MM.YYYY", callback=_month, help="A month.")
@click.option("--manager", metavar="LOGIN", help="Whose calendar (default: yours).")
@click.option("--overdue", is_flag=True, help="Plans whose time has passed, of any day.")
@click.option("--cancelled", is_flag=True, help="Show cancelled plans too.")
@json_option
@as_option
def list_events(
    on_day: date | None,
    in_week: date | None,
    in_month: tuple[int, int] | None,
    manager: str | None,
    overdue: bool,
    cancelled: bool,
    as_json: bool,
    as_login: str | None,
) -> None:
    """List a calendar: today by default; --day, --week, --month or --overdue.

    Without --as the administrator sees every manager's events.
    """
    chosen = [o for o, v in (("--day", on_day), ("--week", in_week), ("--month", in_month)) if v]
    if overdue:
        chosen.append("--overdue")
    if len(chosen) > 1:
        raise click.UsageError(f"use only one of {', '.join(chosen)}")
    ctx = context(as_login)
    user_id = _manager(ctx, manager)
    now = utcnow()
    if overdue:
        rows = calendar_lists.overdue(ctx, user_id=user_id, now=now)
        if as_json:
            emit_json(rows)
            return
        title = _("Overdue plans")
    else:
        # per_day=None: the listing prints every event of the period (the screens
        # load the first events of a day and say how many more there are)
        options: dict[str, Any] = {
            "user_id": user_id,
            "now": now,
            "include_cancelled": cancelled,
            "per_day": None,
        }
        if in_month:
            view = calendar_lists.month(ctx, *in_month, **options)
        elif in_week:
            view = calendar_lists.week(ctx, in_week, **options)
        else:
            view = calendar_lists.day(ctx, on_day or cal.local_day(now), **options)
        if as_json:
            emit_json(view)
            return
        rows = view.events
        if view.first == view.last:
            title = _("Events of {day}").format(day=view.first.strftime("%d.%m.%Y"))
        else:
            title = _("Events of {first} – {last}").format(
                first=view.first.strftime("%d.%m.%Y"), last=view.last.strftime("%d.%m.%Y")
            )
    click.echo(title)
    if not rows:
        click.echo(_("No events"))
        return
    show_day = overdue or any(row.day != rows[0].day for row in rows) or bool(in_week or in_month)
    show_manager = len({row.responsible_id for row in rows}) > 1 or ctx.is_system
    _print_rows(rows, show_day=show_day, show_manager=show_manager)


def _common_options(f: F) -> F:
    for option in (
        click.option("--contact", "contact_id", type=CONTACT_ID, help="Contact person id."),
        click.option("--deal", "deal_id", type=DEAL_ID, help="Deal id."),
        click.option("--notes", help="A comment."),
        click.option(
            "--manager",
            metavar="LOGIN",
            help="Responsible manager (default: you, or the client's manager for the admin).",
        ),
    ):
        f = option(f)
    return f


@event.command("log")
@click.argument("company_id", type=COMPANY_ID)
@click.option("--type", "type_code", required=True, help="Interaction type code, e.g. call.")
@click.option("--subject", required=True, help="What it was about.")
@click.option("--result", help="The result: a name from the results book or any text.")
@click.option(
    "--at", "when", metavar="'DD.MM.YYYY HH:MM'", callback=_moment, help="When (default: now)."
)
@_common_options
@json_option
@as_option
def log_event(
    company_id: int,
    type_code: str,
    subject: str,
    result: str | None,
    when: datetime | None,
    contact_id: int | None,
    deal_id: int | None,
    notes: str | None,
    manager: str | None,
    as_json: bool,
    as_login: str | None,
) -> None:
    """Record a done interaction with the client COMPANY_ID."""
    ctx = context(as_login)
    result_id, result_text = _result(ctx, result)
    event_id = calendar_service.log_interaction(
        ctx,
        company_id,
        type_code,
        subject,
        when=when,
        contact_id=contact_id,
        deal_id=deal_id,
        result_id=result_id,
        result_text=result_text,
        notes=notes,
        responsible_id=_manager(ctx, manager, assigning=True),
    )
    if as_json:
        emit_json(calendar_lists.get_event(ctx, event_id))
        return
    click.echo(_("Interaction {id} recorded").format(id=event_id))


@event.command("plan")
@click.argument("company_id", type=COMPANY_ID)
@click.option("--type", "type_code", required=True, help="Interaction type code, e.g. meeting.")
@click.option("--subject", required=True, help="What it is about.")
@click.option(
    "--at",
    "event_at",
    metavar="'DD.MM.YYYY HH:MM'",
    callback=_moment,
    required=True,
    help="When, in local time.",
)
@click.option(
    "--remind",
    type=click.IntRange(0, calendar_service.REMIND_MAX),
    default=15,
    show_default=True,
    help="Remind this many minutes before.",
)
@click.option("--no-remind", is_flag=True, help="No reminder.")
@_common_options
@json_option
@as_option
def plan(
    company_id: int,
    type_code: str,
    subject: str,
    event_at: datetime,
    remind: int,
    no_remind: bool,
    contact_id: int | None,
    deal_id: int | None,
    notes: str | None,
    manager: str | None,
    as_json: bool,
    as_login: str | None,
) -> None:
    """Plan an interaction with the client COMPANY_ID."""
    ctx = context(as_login)
    event_id = calendar_service.plan_event(
        ctx,
        company_id,
        type_code,
        subject,
        event_at,
        remind_minutes=None if no_remind else remind,
        contact_id=contact_id,
        deal_id=deal_id,
        notes=notes,
        responsible_id=_manager(ctx, manager, assigning=True),
    )
    if as_json:
        emit_json(calendar_lists.get_event(ctx, event_id))
        return
    click.echo(
        _("Interaction {id} planned for {when}").format(
            id=event_id, when=cal.to_local(event_at).strftime("%d.%m.%Y %H:%M")
        )
    )


@event.command("done")
@click.argument("event_id", type=EVENT_ID)
@click.option("--result", help="The result: a name from the results book or any text.")
@click.option("--plan-next", is_flag=True, help="Also plan the suggested next interaction.")
@json_option
@as_option
def done(
    event_id: int, result: str | None, plan_next: bool, as_json: bool, as_login: str | None
) -> None:
    """Complete the plan EVENT_ID with its result; shows the suggested next plan."""
    ctx = context(as_login)
    card = calendar_lists.get_event(ctx, event_id)
    result_id, result_text = _result(ctx, result)
    completion = calendar_service.complete_event(
        ctx, event_id, card.version, result_id=result_id, result_text=result_text
    )
    next_id = calendar_service.plan_from(ctx, completion.next_plan) if plan_next else None
    if as_json:
        emit_json(
            {
                "event_id": completion.event_id,
                "version": completion.version,
                "next_plan": completion.next_plan,
                "next_event_id": next_id,
            }
        )
        return
    click.echo(_("Interaction {id} done").format(id=event_id))
    when = cal.to_local(completion.next_plan.event_at).strftime("%d.%m.%Y %H:%M")
    if next_id is not None:
        click.echo(_("Next interaction {id} planned for {when}").format(id=next_id, when=when))
    else:
        click.echo(
            _("Suggested next: {when} «{subject}» (plan it with --plan-next)").format(
                when=when, subject=completion.next_plan.subject
            )
        )


@event.command("types")
@click.option("--all", "include_inactive", is_flag=True, help="Include deactivated types.")
@json_option
@as_option
def types(include_inactive: bool, as_json: bool, as_login: str | None) -> None:
    """List the interaction types (codes for --type)."""
    infos = event_types.list_event_types(context(as_login), include_inactive=include_inactive)
    if as_json:
        emit_json(infos)
        return
    table = Table(show_lines=False)
    table.add_column(_("Code"), no_wrap=True)
    table.add_column(_("Interaction type"))
    table.add_column(_("System"), no_wrap=True)
    table.add_column(_("Active"), no_wrap=True)
    for info in infos:
        table.add_row(
            info.code,
            info.label,
            _("yes") if info.is_system else "",
            _("yes") if info.is_active else _("no"),
        )
    table_console().print(table)
