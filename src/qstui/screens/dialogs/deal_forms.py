"""The dialogs of the deals module: the list's filter, a product
line, a payment, "received" for a planned payment, the details of a stage, losing a
deal and exporting its commercial proposal (КП).

Each form is a ``FormDialog`` whose submit function calls the service in a worker; the
field names are the service's, so its ``ValidationFailed`` messages land under them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from textual.widgets import Input, Select

from qstui.domain import formatting as fmt
from qstui.domain.clock import today
from qstui.domain.deals import (
    STATUS_LABELS,
    CurrencyInfo,
    DealCard,
    DealFilter,
    DealStageInfo,
    ItemInfo,
    PaymentInfo,
    PipelineInfo,
    RefusalReasonInfo,
)
from qstui.domain.enums import DealStatus, PaymentKind
from qstui.domain.errors import ValidationFailed
from qstui.files import documents_dir
from qstui.i18n import _
from qstui.services.deals.choices import ProductChoice
from qstui.services.deals.items import add_item, update_item
from qstui.services.deals.outcome import lose_deal
from qstui.services.deals.payments import add_payment, record_actual
from qstui.services.deals.proposals import write_proposal
from qstui.services.deals.stages import set_stage_details
from qstui.widgets.form import FieldSpec, FormDialog

ANY = 0  # the "all / none" choice of an id drop-down (ids start at 1)
ALL = "all"  # the "any status" choice
FORMATS = ("html", "txt", "md")


class DealForm(FormDialog):
    """A ``FormDialog`` whose fields scroll inside a screen of 24 lines, so its title,
    buttons and messages stay in sight."""

    DEFAULT_CSS = """
    DealForm VerticalScroll { max-height: 60vh; }
    """


# --- reading what was typed --------------------------------------------------------------


def number_text(value: Any) -> str | None:
    """A typed number as the services read it: spaces dropped, a decimal comma made a
    point; None when empty."""
    text = str(value or "").replace(fmt.NBSP, "").replace(" ", "").strip()
    if not text:
        return None
    return text.replace(",", ".") if text.count(",") == 1 and "." not in text else text


def typed_day(
    values: dict[str, Any], key: str, errors: dict[str, str], required: bool = False
) -> date | None:
    """The date typed in ``values[key]`` (ДД.ММ.ГГГГ); a message in ``errors`` if it is
    not one (or is missing and ``required``)."""
    text = str(values.get(key) or "").strip()
    if not text:
        if required:
            errors[key] = _("Enter a date")
        return None
    try:
        return fmt.parse_day(text)
    except ValueError:
        errors[key] = _("Enter a date as DD.MM.YYYY")
        return None


def typed_money(
    values: dict[str, Any], key: str, errors: dict[str, str], required: bool = True
) -> Decimal | None:
    """The amount typed in ``values[key]`` as people write it («42 509,50», «42509.5»);
    a message in ``errors`` if it is not one (or is missing and ``required``)."""
    text = str(values.get(key) or "").strip()
    if not text:
        if required:
            errors[key] = _("Enter an amount, e.g. 1234.50")
        return None
    try:
        return fmt.parse_money(text)
    except ValueError:
        errors[key] = _("Enter an amount, e.g. 1234.50")
        return None


def money_text(value: Decimal | None) -> str:
    """An amount as it is typed back into a field: «42 509,50» (ru), «42,509.50» (en)."""
    return "" if value is None else fmt.number(value, 2)


def chosen(value: Any) -> Any:
    """A drop-down's value, None for the "none" choice."""
    return None if value in (None, ANY, "") else value


def status_label(status: DealStatus) -> str:
    return _(STATUS_LABELS[status])


# --- the deals list's filter -------------------------------------------------------------


def filter_dialog(
    current: DealFilter,
    managers: Sequence[tuple[int, str]],
    pipelines: Sequence[PipelineInfo],
) -> DealForm:
    """Manager, stage, status, the period the deals started in, overdue only; closes
    with the new ``DealFilter``."""
    several = len(pipelines) > 1
    stages = [
        (f"{p.name}: {st.name}" if several else st.name, st.id)
        for p in pipelines
        for st in p.stages
    ]
    statuses = [(_("All"), ALL)] + [(status_label(s), s.value) for s in DealStatus]
    fields = [
        FieldSpec(
            "manager_id",
            _("Manager"),
            current.manager_id or ANY,
            choices=[(_("All"), ANY), *((name, ident) for ident, name in managers)],
            allow_blank=False,
        ),
        FieldSpec(
            "stage_id",
            _("Stage"),
            current.stage_id or ANY,
            choices=[(_("All"), ANY), *stages],
            allow_blank=False,
        ),
        FieldSpec(
            "status",
            _("Status"),
            current.status.value if current.status else ALL,
            choices=statuses,
            allow_blank=False,
        ),
        FieldSpec(
            "started_from",
            _("Started from"),
            fmt.day(current.started_from),
            placeholder=_("DD.MM.YYYY"),
        ),
        FieldSpec(
            "started_to", _("Started to"), fmt.day(current.started_to), placeholder=_("DD.MM.YYYY")
        ),
        FieldSpec(
            "overdue_only",
            _("Overdue stage only"),
            "yes" if current.overdue_only else "no",
            choices=[(_("No"), "no"), (_("Yes"), "yes")],
            allow_blank=False,
        ),
    ]

    def submit(ctx: Any, values: dict[str, Any]) -> DealFilter:
        errors: dict[str, str] = {}
        start = typed_day(values, "started_from", errors)
        end = typed_day(values, "started_to", errors)
        if start and end and end < start:
            errors["started_to"] = _("The end of the period is before its start")
        if errors:
            raise ValidationFailed(errors)
        status = values.get("status")
        return DealFilter(
            manager_id=chosen(values.get("manager_id")),
            stage_id=chosen(values.get("stage_id")),
            status=DealStatus(status) if status not in (None, ALL) else None,
            started_from=start,
            started_to=end,
            overdue_only=values.get("overdue_only") == "yes",
            text=current.text,
        )

    return DealForm(_("Filter deals"), fields, submit, save_label=_("Apply"))


# --- product lines -----------------------------------------------------------------------


def item_dialog(
    card: DealCard,
    version: Callable[[], int],
    product: ProductChoice | None = None,
    item: ItemInfo | None = None,
) -> DealForm:
    """Add ``product`` to the deal, or edit the line ``item``: quantity, price (default:
    the product's), discount. Closes with the deal's new version."""
    if item is not None:
        title = _("Product line: {name}").format(name=item.product_name)
        qty, price, discount = item.qty, item.price, item.discount_pct
    else:
        assert product is not None
        title = _("Add a product: {name}").format(name=product.name)
        qty, discount = 1, 0
        # The deal's currency: the product's price as it is; another one is converted
        # by the service at today's rate when the price is left empty.
        price = product.price if product.currency_code == card.currency_code else None
    price_hint = (
        _("Empty: the product's price converted into {currency}").format(
            currency=card.currency_code
        )
        if price is None
        else ""
    )
    fields = [
        FieldSpec("qty", _("Quantity"), _plain(qty)),
        FieldSpec(
            "price",
            _("Price, {currency}").format(currency=card.currency_code),
            money_text(price),
            placeholder=price_hint,
        ),
        FieldSpec("discount_pct", _("Discount, %"), _plain(discount)),
    ]

    def submit(ctx: Any, values: dict[str, Any]) -> int:
        qty_text = number_text(values.get("qty"))
        if qty_text is None:
            raise ValidationFailed({"qty": _("Enter a quantity, e.g. 2 or 1.5")})
        errors: dict[str, str] = {}
        price = typed_money(values, "price", errors, required=item is not None)
        if errors:
            raise ValidationFailed(errors)
        price_text = None if price is None else str(price)
        discount_text = number_text(values.get("discount_pct")) or "0"
        if item is not None:
            return update_item(
                ctx,
                item.id,
                version(),
                qty=qty_text,
                price=price_text,
                discount_pct=discount_text,
            )
        assert product is not None
        saved = add_item(ctx, card.id, version(), product.id, qty_text, price_text, discount_text)
        return saved.deal_version

    return DealForm(title, fields, submit)


def _plain(value: Any) -> str:
    """A number as typed into a field: no thousands separators, no trailing zeros."""
    if value is None:
        return ""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# --- payments ----------------------------------------------------------------------------


def day_and_amount(values: dict[str, Any]) -> tuple[date, Decimal]:
    """The payment's date (``pay_date``) and amount as typed; ``ValidationFailed`` with a
    message at each field that is missing or wrong."""
    errors: dict[str, str] = {}
    day = typed_day(values, "pay_date", errors, required=True)
    amount = typed_money(values, "amount", errors)
    if errors or day is None or amount is None:
        raise ValidationFailed(errors)
    return day, amount


def payment_dialog(
    card: DealCard, kind: PaymentKind, currencies: Sequence[CurrencyInfo]
) -> DealForm:
    """A planned or an actual payment of the deal in any currency; closes with its id."""
    title = _("Planned payment") if kind == PaymentKind.PLANNED else _("Actual payment")
    codes = [(f"{c.code} — {c.name}", c.code) for c in currencies] or [
        (card.currency_code, card.currency_code)
    ]
    fields = [
        FieldSpec("pay_date", _("Date"), fmt.day(today()), placeholder=_("DD.MM.YYYY")),
        FieldSpec("amount", _("Amount")),
        FieldSpec(
            "currency_code", _("Currency"), card.currency_code, choices=codes, allow_blank=False
        ),
        FieldSpec("doc_no", _("Document number"), max_length=50),
        FieldSpec("purpose", _("Purpose"), max_length=500),
    ]

    def submit(ctx: Any, values: dict[str, Any]) -> int:
        day, amount = day_and_amount(values)
        return add_payment(
            ctx,
            card.id,
            kind,
            day,
            amount,
            values.get("currency_code") or card.currency_code,
            doc_no=values.get("doc_no") or None,
            purpose=values.get("purpose") or None,
        )

    return DealForm(title, fields, submit)


def received_dialog(payment: PaymentInfo) -> DealForm:
    """A planned payment was received: the day and the amount (default the planned
    one); closes with the payment's new version."""
    fields = [
        FieldSpec("pay_date", _("Date received"), fmt.day(today()), placeholder=_("DD.MM.YYYY")),
        FieldSpec(
            "amount",
            _("Amount, {currency}").format(currency=payment.currency_code),
            money_text(payment.amount),
        ),
        FieldSpec("doc_no", _("Document number"), payment.doc_no or "", max_length=50),
    ]

    def submit(ctx: Any, values: dict[str, Any]) -> int:
        day, amount = day_and_amount(values)
        return record_actual(
            ctx,
            payment.id,
            payment.version,
            pay_date=day,
            amount=amount,
            doc_no=values.get("doc_no") or None,
        )

    return DealForm(_("The payment was received"), fields, submit, save_label=_("Received"))


# --- stages ------------------------------------------------------------------------------


def stage_dialog(stage: DealStageInfo, managers: Sequence[tuple[int, str]]) -> DealForm:
    """The responsible, the deadline and the note of a stage the deal reached; closes
    with the stage row's new version."""
    people = list(managers)
    if stage.responsible_id is not None and stage.responsible_id not in {i for i, _n in people}:
        people.append((stage.responsible_id, stage.responsible_name or "?"))
    fields = [
        FieldSpec(
            "responsible_id",
            _("Responsible"),
            stage.responsible_id or ANY,
            choices=[("—", ANY), *((name, ident) for ident, name in people)],
            allow_blank=False,
        ),
        FieldSpec("due_on", _("Deadline"), fmt.day(stage.due_on), placeholder=_("DD.MM.YYYY")),
        FieldSpec("note", _("Note"), stage.note or "", max_length=1000),
    ]

    def submit(ctx: Any, values: dict[str, Any]) -> int:
        errors: dict[str, str] = {}
        due = typed_day(values, "due_on", errors)
        if errors:
            raise ValidationFailed(errors)
        assert stage.deal_stage_id is not None and stage.version is not None
        return set_stage_details(
            ctx,
            stage.deal_stage_id,
            stage.version,
            responsible_id=chosen(values.get("responsible_id")),
            due_on=due,
            note=values.get("note") or None,
        )

    return DealForm(_("Stage: {name}").format(name=stage.name), fields, submit)


# --- losing a deal -----------------------------------------------------------------------


def lose_dialog(
    card: DealCard, reasons: Sequence[RefusalReasonInfo], version: Callable[[], int]
) -> DealForm:
    """D7: the refusal reason, the stage it was lost at (default: the current one) and
    a note; closes with the deal's new version."""
    stages = [(s.name, s.stage_id) for s in card.stages]
    fields = [
        FieldSpec(
            "reason_id",
            _("Refusal reason"),
            ANY,
            choices=[(_("— choose —"), ANY), *((r.name, r.id) for r in reasons)],
            allow_blank=False,
        ),
        FieldSpec(
            "stage_id",
            _("Lost at stage"),
            card.stage_id if card.stage_id is not None else stages[0][1],
            choices=stages,
            allow_blank=False,
        ),
        FieldSpec("lost_note", _("Note"), multiline=True),
    ]

    def submit(ctx: Any, values: dict[str, Any]) -> int:
        reason = chosen(values.get("reason_id"))
        if reason is None:
            raise ValidationFailed({"reason_id": _("Choose a refusal reason")})
        return lose_deal(
            ctx,
            card.id,
            version(),
            reason,
            chosen(values.get("stage_id")),
            values.get("lost_note") or None,
        )

    return DealForm(
        _("The deal is lost: {title}").format(title=card.title),
        fields,
        submit,
        save_label=_("Mark as lost"),
    )


# --- the commercial proposal -------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    path: Path


def default_proposal_path(deal_id: int, kind: str = "html") -> str:
    """In the user's documents folder (``files.documents_dir``); the dialog shows it, so
    the user sees where the file goes and may type another path."""
    return str(documents_dir() / f"КП-{deal_id}.{kind}")


class ProposalDialog(DealForm):
    """The format (txt / html / md) and the file; the file name follows the format."""

    def __init__(self, deal_id: int) -> None:
        fields = [
            FieldSpec(
                "format",
                _("Format"),
                "html",
                choices=[(kind, kind) for kind in FORMATS],
                allow_blank=False,
            ),
            FieldSpec("path", _("File"), default_proposal_path(deal_id)),
        ]
        super().__init__(_("Commercial proposal"), fields, self._write, save_label=_("Export"))
        self.deal_id = deal_id

    def _write(self, ctx: Any, values: dict[str, Any]) -> Saved:
        kind = values.get("format") or "html"
        text = str(values.get("path") or "").strip()
        if not text:
            raise ValidationFailed({"path": _("Enter the file name")})
        target = Path(text).expanduser()
        if target.suffix.lower().lstrip(".") not in FORMATS:
            target = target.with_name(f"{target.name}.{kind}")
        if not target.is_absolute():  # a bare name: in the documents folder too
            target = documents_dir() / target
        if target.parent == documents_dir():
            target.parent.mkdir(parents=True, exist_ok=True)
        return Saved(write_proposal(ctx, self.deal_id, target))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "input-format" or event.value is Select.BLANK:
            return
        path_input = self.query_one("#input-path", Input)
        path = Path(path_input.value.strip() or default_proposal_path(self.deal_id))
        if path.suffix.lower().lstrip(".") in FORMATS:
            path_input.value = str(path.with_suffix(f".{event.value}"))
