"""``qstui deal …``: Deals: list and show deals, export a commercial proposal.

Thin: parse the arguments, call the ``qstui.services.deals`` services with the
context of ``--as LOGIN`` (default: the admin context), print rich tables or JSON.
Expected failures propagate to the root group (one line on stderr, exit code 1).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from qstui.cli.common import (
    COMPANY_ID,
    DEAL_ID,
    as_option,
    context,
    emit_json,
    json_option,
    table_console,
)
from qstui.domain.deals import (
    DOC_KIND_LABELS,
    DOC_STATE_LABELS,
    PAYMENT_KIND_LABELS,
    PAYMENT_SOURCE_LABELS,
    STATUS_LABELS,
    DealCard,
    DealFilter,
    DealRow,
)
from qstui.domain.enums import DealStatus
from qstui.domain.formatting import day, money, number
from qstui.domain.formatting import debt as debt_text
from qstui.i18n import _
from qstui.services.access.user_lookup import user_id_by_login
from qstui.services.deals import listing, proposals
from qstui.services.deals.view import get_deal


def _status(status: DealStatus) -> str:
    return _(STATUS_LABELS[status])


@click.group("deal", context_settings={"help_option_names": ["-h", "--help"]})
def deal() -> None:
    """Deals: list and show deals, export a commercial proposal."""


@deal.command("list")
@click.option("--manager", "manager_login", metavar="LOGIN", help="Only this manager's deals.")
@click.option(
    "--status",
    type=click.Choice([s.value for s in DealStatus]),
    help="Only deals in this status.",
)
@click.option("--stage", "stage_name", metavar="NAME", help="Only deals at a stage of this name.")
@click.option(
    "--company", "company_id", type=COMPANY_ID, metavar="ID", help="Only this client's deals."
)
@click.option("--search", "text", metavar="TEXT", help="Words the title starts with.")
@click.option("--overdue", is_flag=True, help="Only open deals with an overdue stage.")
@click.option(
    "--limit",
    type=click.IntRange(1, listing.MAX_LIMIT),
    default=50,
    show_default=True,
    help="At most this many deals (newest start first).",
)
@as_option
@json_option
def list_deals(
    manager_login: str | None,
    status: str | None,
    stage_name: str | None,
    company_id: int | None,
    text: str | None,
    overdue: bool,
    limit: int,
    as_login: str | None,
    as_json: bool,
) -> None:
    """List the deals you see, newest start first."""
    ctx = context(as_login)
    manager_id = user_id_by_login(ctx, manager_login) if manager_login else None
    flt = DealFilter(
        manager_id=manager_id,
        company_id=company_id,
        stage_name=stage_name,
        status=DealStatus(status) if status else None,
        overdue_only=overdue,
        text=text,
    )
    page = listing.list_deals(ctx, flt, limit=limit)
    if as_json:
        emit_json(page.rows)
        return
    if not page.rows:
        click.echo(_("No deals found"))
        return
    total = listing.count_deals(ctx, flt)
    _print_list(page.rows)
    click.echo(_("Shown {shown} of {total}").format(shown=len(page.rows), total=total))


def _print_list(rows: list[DealRow]) -> None:
    table = Table()
    table.add_column(_("ID"), justify="right", no_wrap=True)
    table.add_column(_("Started"), no_wrap=True)
    table.add_column(_("Deal"))
    table.add_column(_("Client"))
    table.add_column(_("Stage"))
    table.add_column(_("Manager"))
    table.add_column(_("Amount"), justify="right", no_wrap=True)
    table.add_column(_("Status"), no_wrap=True)
    for row in rows:
        stage = Text(row.stage_name or "")
        if row.is_overdue:
            stage = Text(f"{row.stage_name or ''} ({_('overdue')})", style="red")
        table.add_row(
            str(row.id),
            day(row.started_on),
            row.title,
            row.company_name,
            stage,
            row.manager_name or "",
            money(row.amount, row.currency_code),
            _status(row.status),
        )
    table_console().print(table)


@deal.command("show")
@click.argument("deal_id", metavar="ID", type=DEAL_ID)
@as_option
@json_option
def show(deal_id: int, as_login: str | None, as_json: bool) -> None:
    """Show the card of deal ID.

    Main fields and custom fields, stages, products, payments, 1C documents and the debt.
    """
    card = get_deal(context(as_login), deal_id)
    if as_json:
        emit_json(card)
        return
    _print_card(card)


def _print_card(card: DealCard) -> None:
    console = table_console()
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold", no_wrap=True)
    head.add_column()
    fields: list[tuple[str, str | Text | None]] = [
        (_("Deal"), f"{card.title} (#{card.id})"),
        (_("Client"), card.company_name),
        (_("Contact person"), card.contact_name),
        (_("Manager"), card.manager_name),
        (_("Pipeline"), card.pipeline_name),
        (_("Stage"), card.stage_name),
        (_("Status"), _status(card.status)),
        (_("Started"), day(card.started_on)),
        (_("Planned end"), day(card.planned_end_on)),
        (_("Closed"), day(card.closed_on)),
        (_("Currency"), card.currency_code),
        (_("Amount"), money(card.amount, card.currency_code)),
        (_("Source"), card.source_name),
        (_("Reason"), card.reason),
        (_("Refusal reason"), card.lost_reason_name),
        (_("Lost at stage"), card.lost_stage_name),
        (_("Refusal note"), card.lost_note),
        (_("Notes"), card.notes),
        *[(f.title, _custom_text(f.value)) for f in card.custom_fields],
    ]
    for label, value in fields:
        if value:
            head.add_row(label, value)
    console.print(head)

    stages = Table(title=_("Stages"), title_justify="left")
    for title in (_("Stage"), _("Responsible"), _("Started"), _("Due"), _("Done")):
        stages.add_column(title, no_wrap=title != _("Stage"))
    for st in card.stages:
        name = Text(("▶ " if st.is_current else "  ") + st.name)
        due = Text(day(st.due_on))
        if st.is_overdue:
            due = Text(f"{day(st.due_on)} ({_('overdue')})", style="red")
        stages.add_row(name, st.responsible_name or "", day(st.started_on), due, day(st.done_on))
    console.print(stages)

    if card.items:
        items = Table(title=_("Products"), title_justify="left")
        items.add_column("№", justify="right")
        items.add_column(_("Product"))
        items.add_column(_("Qty"), justify="right")
        items.add_column(_("Unit"))
        items.add_column(_("Price"), justify="right")
        items.add_column(_("Discount"), justify="right")
        items.add_column(_("Sum"), justify="right")
        for item in card.items:
            items.add_row(
                str(item.line_no),
                item.product_name,
                _qty(item.qty),
                item.unit or "",
                money(item.price, card.currency_code),
                f"{_qty(item.discount_pct)} %" if item.discount_pct else "",
                money(item.amount, card.currency_code),
            )
        console.print(items)

    if card.payments:
        payments = Table(title=_("Payments"), title_justify="left")
        for title in (_("Kind"), _("Date"), _("Amount"), _("Source"), _("Document"), _("Purpose")):
            payments.add_column(title, justify="right" if title == _("Amount") else "left")
        for p in card.payments:
            payments.add_row(
                _(PAYMENT_KIND_LABELS[p.kind]),
                day(p.pay_date),
                money(p.amount, p.currency_code),
                _(PAYMENT_SOURCE_LABELS[p.source]),
                p.doc_no or "",
                p.purpose or "",
            )
        console.print(payments)

    if card.documents:
        documents = Table(title=_("Documents"), title_justify="left")
        for title in (_("Document"), _("Number"), _("Date"), _("Amount"), _("State"), _("Source")):
            documents.add_column(title, justify="right" if title == _("Amount") else "left")
        for d in card.documents:
            documents.add_row(
                _(DOC_KIND_LABELS[d.kind]),
                d.doc_no,
                day(d.doc_date),
                money(d.amount, d.currency_code),
                _(DOC_STATE_LABELS[d.state]),
                _("by hand") if d.by_hand else _("1C"),
            )
        console.print(documents)

    if card.debt is None:
        console.print(Text(f"{_('Debt')}: {card.debt_error or ''}", style="red"))
        return
    debt = card.debt
    line = Text(f"{_('Debt')}: ")
    line.append(  # an advance reads as one, never as a negative debt
        Text(debt_text(debt.debt, debt.currency_code), style="red" if debt.is_receivable else "")
    )
    line.append(
        "  ("
        + _("invoiced {invoiced}, shipped {shipped}, paid {paid}").format(
            invoiced=money(debt.invoiced, debt.currency_code),
            shipped=money(debt.shipped, debt.currency_code),
            paid=money(debt.paid, debt.currency_code),
        )
        + ")"
    )
    console.print(line)


def _custom_text(value: object) -> str | None:
    """A custom field's value as the card prints it (None: not filled in)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return _qty(value)
    if isinstance(value, date):
        return day(value)
    return str(value)


def _qty(value: Decimal) -> str:
    text = format(Decimal(value).normalize(), "f")
    places = len(text.split(".")[1]) if "." in text else 0
    return number(Decimal(text), places)


@deal.command("proposal")
@click.argument("deal_id", metavar="ID", type=DEAL_ID)
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@as_option
def proposal(deal_id: int, path: Path, as_login: str | None) -> None:
    """Write the commercial proposal of deal ID to FILE.

    The format follows the extension: .txt, .html (a printable page) or .md.
    """
    written = proposals.write_proposal(context(as_login), deal_id, path)
    click.echo(_("Proposal saved to {path}").format(path=written))
