"""The deal card — «Работа» (D1–D8), pushed over any screen (Esc returns).

Tabs: 1 Main (the deal's fields, edited in place, ctrl+s saves under the version),
2 Stages (move to the next/previous stage, a stage's responsible and deadline),
3 Products and payment (product lines with the total; planned and actual payments),
4 1C documents, 5 Debt. Win, lose (reason and stage), reopen, and the commercial
proposal (КП) export work from every tab.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    Select,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
    TextArea,
)

from qstui.domain import formatting as fmt
from qstui.domain.deals import (
    DOC_KIND_LABELS,
    DOC_STATE_LABELS,
    PAYMENT_KIND_LABELS,
    PAYMENT_SOURCE_LABELS,
    STATUS_LABELS,
    CurrencyInfo,
    DealCard,
    DealStageInfo,
    ItemInfo,
    PaymentInfo,
)
from qstui.domain.enums import DealStatus, PaymentKind
from qstui.domain.errors import Conflict, ValidationFailed
from qstui.i18n import N_, _
from qstui.services import rights as R
from qstui.services.currency import list_currencies
from qstui.services.deals import (
    contact_choices,
    get_deal,
    manager_choices,
    move_to_stage,
    reopen_deal,
    source_choices,
    update_deal,
    win_deal,
)
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets import cells
from qstui.widgets.form import FieldSpec, FormField, field_values, show_errors

TABS = ("main", "stages", "products", "docs", "debt")
TAB_TITLES = {
    "main": N_("Main"),
    "stages": N_("Stages"),
    "products": N_("Products and payment"),
    "docs": N_("1C documents"),
    "debt": N_("Debt"),
}
# The fields of the Main tab, as ``update_deal`` names them.
FIELD_LABELS = {
    "title": N_("Title"),
    "contact_id": N_("Contact person"),
    "manager_id": N_("Responsible manager"),
    "source_id": N_("Source"),
    "reason": N_("Reason"),
    "started_on": N_("Start"),
    "planned_end_on": N_("Planned end"),
    "currency_code": N_("Currency"),
    "notes": N_("Notes"),
}
NONE = 0  # the "none" choice of a drop-down (ids start at 1)
WIDE = 110  # columns marked ``wide`` are shown from this screen width on


@dataclass(frozen=True)
class Col:
    """A column of the card's tables. A weighted column takes at least ``width`` and a
    share of the room the others leave (up to ``cap``), so nothing overflows at 80
    columns; a ``wide`` one is shown on wide screens only."""

    key: str
    title: str  # message id
    width: int
    weight: int = 0
    cap: int = 0
    wide: bool = False
    right: bool = False


TABLE_COLUMNS: dict[str, tuple[Col, ...]] = {
    "stages": (
        Col("stage", N_("Stage"), 16, 2, 40),
        Col("responsible", N_("Responsible"), 14, 2, 30),
        Col("started", N_("Started"), 10, wide=True),
        Col("due", N_("Deadline"), 10),
        Col("done", N_("Done"), 10),
        Col("note", N_("Note"), 10, 1, 60, wide=True),
    ),
    "items": (
        Col("product", N_("Product"), 14, 1, 70),
        Col("qty", N_("Qty"), 8, right=True),
        Col("price", N_("Price"), 14, right=True),
        Col("discount", N_("Disc. %"), 7, right=True),
        Col("sum", N_("Sum"), 15, right=True),
    ),
    "payments": (
        Col("kind", N_("Kind"), 9),
        Col("date", N_("Date"), 10),
        Col("amount", N_("Amount"), 15, right=True),
        Col("source", N_("Source"), 10),
        Col("doc", N_("Document"), 9, 1, 20),
        Col("purpose", N_("Purpose"), 6, 2, 60),
    ),
    "docs": (
        Col("kind", N_("Kind"), 14),
        Col("number", N_("Number"), 8, 1, 20),
        Col("date", N_("Date"), 10),
        Col("sum", N_("Sum"), 15, right=True),
        Col("state", N_("State"), 10, 1, 20),
        Col("note", N_("Note"), 6, 2, 60),
    ),
}


def column_widths(cols: tuple[Col, ...] | list[Col], room: int) -> list[int]:
    """Widths of ``cols`` in ``room`` cells (each column also takes 2 of padding)."""
    spare = room - sum(col.width + 2 for col in cols)
    weights = sum(col.weight for col in cols)
    widths = []
    for col in cols:
        extra = spare * col.weight // weights if spare > 0 and weights else 0
        width = col.width + extra
        widths.append(min(width, col.cap) if col.cap else width)
    return widths


@dataclass(frozen=True)
class CardData:
    """The card and what its drop-downs offer, loaded together in one worker."""

    card: DealCard
    contacts: list[tuple[int, str]]
    managers: list[tuple[int, str]]
    sources: list[tuple[int, str]]
    currencies: list[CurrencyInfo]


def load_card(ctx: Any, deal_id: int) -> CardData:
    card = get_deal(ctx, deal_id)
    return CardData(
        card=card,
        contacts=contact_choices(ctx, deal_id),
        managers=[(m.id, m.full_name) for m in manager_choices(ctx)],
        sources=source_choices(ctx),
        currencies=list_currencies(ctx),
    )


def _with_current(
    choices: list[tuple[int, str]], ident: int | None, name: str | None
) -> list[tuple[Any, str]]:
    """``choices`` as (label, value) pairs with "—" first; the current value is kept even
    when it is not among them (e.g. an inactive source)."""
    pairs: list[tuple[Any, str]] = [("—", NONE)]
    pairs += [(label, value) for value, label in choices]
    if ident is not None and ident not in {value for value, _label in choices}:
        pairs.append((name or str(ident), ident))
    return pairs


def _none(text: str) -> Text:
    """The one row of an empty table, saying so."""
    return Text(text, style="italic dim", no_wrap=True, overflow="fold")


class DealCardScreen(Localized, ServiceCalls, Screen[None]):
    AUTO_FOCUS = "Tabs"
    BINDINGS = [
        Binding("escape", "back", N_("Back"), show=False, id="deal_card.back"),
        Binding("ctrl+s", "save", N_("Save"), id="deal_card.save"),
        Binding("n", "next_stage", N_("Next stage"), id="deal_card.next_stage"),
        Binding("p", "previous_stage", N_("Previous stage"), id="deal_card.previous_stage"),
        Binding("m", "move_here", N_("Move here"), id="deal_card.move_here"),
        Binding("e", "edit", N_("Edit"), id="deal_card.edit"),
        Binding("a", "add_item", N_("Add"), id="deal_card.add_item"),
        Binding("delete", "remove", N_("Delete"), id="deal_card.remove"),
        Binding("y", "add_planned", N_("Planned pay"), id="deal_card.add_planned"),
        Binding("f", "add_actual", N_("Payment"), id="deal_card.add_actual"),
        Binding("r", "received", N_("Received"), id="deal_card.received"),
        Binding("w", "win", N_("Won"), show=False, id="deal_card.win"),
        Binding("l", "lose", N_("Lost"), show=False, id="deal_card.lose"),
        Binding("o", "reopen", N_("Reopen"), show=False, id="deal_card.reopen"),
        Binding("k", "proposal", N_("Proposal (КП)"), show=False, id="deal_card.proposal"),
        Binding("ctrl+r", "reload", N_("Reload"), show=False, id="deal_card.reload"),
        *[
            Binding(str(n), f"tab('{tab}')", TAB_TITLES[tab], show=False, id=f"deal_card.tab.{tab}")
            for n, tab in enumerate(TABS, start=1)
        ],
    ]
    DEFAULT_CSS = """
    DealCardScreen #card-head { height: auto; padding: 0 1; background: $boost;
        text-wrap: nowrap; text-overflow: ellipsis; }
    DealCardScreen #card-keys { height: 1; padding: 0 1; background: $boost;
        color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    DealCardScreen TabbedContent { height: 1fr; }
    DealCardScreen TabPane { padding: 0 1; height: 1fr; }
    DealCardScreen #main-info { height: auto; margin-bottom: 1; }
    DealCardScreen #main-form { height: auto; }
    DealCardScreen .form-row { height: auto; }
    DealCardScreen .form-row FormField { width: 1fr; }
    DealCardScreen .form-row FormField:first-child { margin-right: 2; }
    DealCardScreen DataTable { height: auto; max-height: 1fr; }
    DealCardScreen #products-pane { height: 1fr; }
    DealCardScreen #items-table { max-height: 12; }
    DealCardScreen #payments-table { max-height: 10; }
    DealCardScreen .section-title { margin-top: 0; }
    DealCardScreen #items-total { text-style: bold; margin-bottom: 1; }
    DealCardScreen .hint { color: $text-muted; height: auto; }
    """

    def __init__(self, deal_id: int) -> None:
        super().__init__()
        self.deal_id = deal_id
        self.card: DealCard | None = None
        self.data: CardData | None = None
        self.original: dict[str, Any] = {}
        self.labels: dict[str, dict[Any, str]] = {}
        self._form_shape: list[tuple[str, tuple[Any, ...]]] = []
        self._shown: dict[str, list[tuple[Col, int]]] = {}
        self._overlay: dict[str, Any] = {}

    # --- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Deal №{id}").format(id=self.deal_id), id="card-head")
        yield Static("", id="card-keys")
        with TabbedContent(id="card-tabs", initial="tab-main"):
            for n, tab in enumerate(TABS, start=1):
                with TabPane(f"{n} {_(TAB_TITLES[tab])}", id=f"tab-{tab}"):
                    yield from getattr(self, f"_compose_{tab}")()
        yield Footer()

    def _compose_main(self) -> ComposeResult:
        with VerticalScroll(id="main-scroll") as scroll:
            scroll.can_focus = False  # Tab goes straight to the fields
            yield Static("", id="main-info")
            yield Vertical(id="main-form")
            yield Static(_("Tab — to the fields · ctrl+s — save · Esc — leave the field"),
                         classes="hint")  # fmt: skip

    def _compose_stages(self) -> ComposeResult:
        with Vertical():
            yield self._table("stages")

    def _compose_products(self) -> ComposeResult:
        with VerticalScroll(id="products-pane") as pane:
            pane.can_focus = False  # Tab goes between the two tables
            yield Static(_("Products and services"), classes="section-title", id="items-title")
            yield self._table("items")
            yield Static("", id="items-total")
            yield Static(_("Payments"), classes="section-title", id="payments-title")
            yield self._table("payments")

    def _compose_docs(self) -> ComposeResult:
        yield self._table("docs")

    def _compose_debt(self) -> ComposeResult:
        yield Static("", id="debt-view")

    def _table(self, name: str) -> DataTable[Any]:
        return DataTable(id=f"{name}-table", cursor_type="row", zebra_stripes=True)

    def _emptied(self, name: str) -> tuple[DataTable[Any], int]:
        """The table ``name`` emptied, its columns sized to the screen; and the row the
        cursor was on."""
        table = self.query_one(f"#{name}-table", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        room = max(self.size.width - 4, 40)  # the pane's padding and a scrollbar
        cols = [c for c in TABLE_COLUMNS[name] if not c.wide or room >= WIDE]
        shown = list(zip(cols, column_widths(cols, room), strict=True))
        for col, width in shown:
            table.add_column(_(col.title), key=col.key, width=width)
        self._shown[name] = shown
        return table, row

    def _add(self, name: str, key: str, values: dict[str, str | Text | None]) -> None:
        """A row of the table ``name``: the cells of its shown columns, numbers right."""
        row = []
        for col, width in self._shown[name]:
            value = values.get(col.key)
            cell = value.copy() if isinstance(value, Text) else Text(value or "")
            cell.no_wrap = True
            cell.overflow = "ellipsis"
            if col.right:
                cell.align("right", width)
            row.append(cell)
        self.query_one(f"#{name}-table", DataTable).add_row(*row, key=key)

    def on_resize(self) -> None:
        if self.card is not None:
            self._show_tables(self.card)

    def _show_tables(self, card: DealCard) -> None:
        self._show_stages(card)
        self._show_items(card)
        self._show_payments(card)
        self._show_docs(card)

    # --- loading --------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.reload()

    def reload(self, overlay: dict[str, Any] | None = None) -> None:
        """Load the card (again); ``overlay``: typed values to keep in the Main form."""
        self._overlay = dict(overlay or {})
        self.call_service(
            load_card,
            self.deal_id,
            then=self._loaded,
            on_error=self._load_failed,
            # Only the first load shows the indicator: a loading container takes the focus
            # away from the table the user is working in.
            loading=self.query_one("#card-tabs") if self.card is None else None,
            group="deal-card",
        )

    def action_reload(self) -> None:
        self.reload()

    def _load_failed(self, error: BaseException) -> None:
        if self.card is None and self.app.screen is self:
            self.app.pop_screen()
        self.qapp.show_error(error)

    def _loaded(self, data: CardData) -> None:
        self.data, self.card = data, data.card
        card = data.card
        self._show_head(card)
        self._show_info(card)
        self.call_later(self._build_form, data, self._overlay)
        self._show_tables(card)
        self._show_debt(card)
        self.refresh_bindings()

    def _show_head(self, card: DealCard) -> None:
        status = _(STATUS_LABELS[card.status])
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append(_("Deal №{id}").format(id=card.id) + " · ", style="bold")
        head.append(card.title, style="bold")
        head.append("\n")
        head.append(card.company_name)
        head.append(" · ")
        head.append(status, style="bold" if card.status == DealStatus.OPEN else "")
        head.append(" · " + fmt.money(card.amount, card.currency_code))
        if card.stage_name:
            overdue = card.is_overdue
            head.append(" · ")
            head.append(card.stage_name, style=cells.ALERT if overdue else "")
            if overdue:
                head.append(" " + _("(overdue)"), style=cells.ALERT)
        self.query_one("#card-head", Static).update(head)
        keys = [("Esc", _("back"))]
        if card.status == DealStatus.OPEN:
            keys += [("w", _("won")), ("l", _("lost"))]
        else:
            keys.append(("o", _("reopen")))
        keys += [("k", _("proposal")), ("1–5", _("tabs")), ("F1", _("all keys"))]
        line = Text(no_wrap=True, overflow="ellipsis")
        for n, (key, label) in enumerate(keys):
            line.append(" · " if n else "")
            line.append(key, style="bold")
            line.append(f" {label}")
        self.query_one("#card-keys", Static).update(line)

    def _show_info(self, card: DealCard) -> None:
        """What the Main tab shows but does not edit (the head has client, status,
        stage and total)."""
        info = Text()
        pairs = [
            (_("Pipeline"), card.pipeline_name),
            (_("Actual end"), fmt.day(card.closed_on) or "—"),
        ]
        if card.status == DealStatus.LOST:
            pairs += [
                (_("Refusal reason"), card.lost_reason_name or "—"),
                (_("Lost at stage"), card.lost_stage_name or "—"),
            ]
            if card.lost_note:
                pairs.append((_("Note"), card.lost_note))
        for n, (label, value) in enumerate(pairs):
            if n:
                info.append(" · ")
            info.append(f"{label}: ", style="bold")
            info.append(value)
        self.query_one("#main-info", Static).update(info)

    # --- the Main tab: editing in place ---------------------------------------------------

    def _specs(self, data: CardData) -> list[FieldSpec]:
        card = data.card
        currencies = [(c.code, c.code) for c in data.currencies]
        if card.currency_code not in {c.code for c in data.currencies}:
            currencies.append((card.currency_code, card.currency_code))
        return [
            FieldSpec("title", _label("title"), card.title, max_length=250),
            FieldSpec(
                "contact_id",
                _label("contact_id"),
                card.contact_id or NONE,
                choices=_with_current(data.contacts, card.contact_id, card.contact_name),
                allow_blank=False,
            ),
            FieldSpec(
                "manager_id",
                _label("manager_id"),
                card.manager_id or NONE,
                choices=_with_current(data.managers, card.manager_id, card.manager_name),
                allow_blank=False,
            ),
            FieldSpec(
                "source_id",
                _label("source_id"),
                card.source_id or NONE,
                choices=_with_current(data.sources, card.source_id, card.source_name),
                allow_blank=False,
            ),
            FieldSpec("reason", _label("reason"), card.reason or "", max_length=500),
            FieldSpec(
                "currency_code",
                _label("currency_code"),
                card.currency_code,
                choices=currencies,
                allow_blank=False,
            ),
            FieldSpec(
                "started_on",
                _label("started_on"),
                fmt.day(card.started_on),
                placeholder=_("DD.MM.YYYY"),
            ),
            FieldSpec(
                "planned_end_on",
                _label("planned_end_on"),
                fmt.day(card.planned_end_on),
                placeholder=_("DD.MM.YYYY"),
            ),
            FieldSpec("notes", _label("notes"), card.notes or "", multiline=True),
        ]

    async def _build_form(self, data: CardData, overlay: dict[str, Any]) -> None:
        specs = self._specs(data)
        self.original = {spec.name: spec.value for spec in specs}
        self.labels = {
            spec.name: {value: label for label, value in spec.choices}
            for spec in specs
            if spec.choices is not None
        }
        for spec in specs:
            if spec.name in overlay:
                spec.value = overlay[spec.name]
        form = self.query_one("#main-form", Vertical)
        shape = [(spec.name, tuple(spec.choices or ())) for spec in specs]
        if shape == self._form_shape:
            for spec in specs:  # the same fields and choices: new values in place
                _set_value(form.query_one(f"#input-{spec.name}"), spec.value)
            show_errors(form, {})
            return
        self._form_shape = shape
        focused = self.focused
        refocus = focused.id if focused is not None and form in focused.ancestors else None
        await form.remove_children()
        fields = [FormField(spec) for spec in specs]
        pairs, last = fields[:-1], fields[-1]  # the notes take the whole width
        rows = [Horizontal(*pairs[i : i + 2], classes="form-row") for i in range(0, len(pairs), 2)]
        await form.mount_all([*rows, last])
        if refocus:
            found = form.query(f"#{refocus}")
            if found:
                found.first().focus()

    def typed_changes(self) -> dict[str, Any]:
        """The Main form's fields whose typed value differs from the loaded card (raw)."""
        form = self.query_one("#main-form", Vertical)
        values = field_values(form)
        return {
            name: value
            for name, value in values.items()
            if name in self.original and _norm(value) != _norm(self.original[name])
        }

    @property
    def dirty(self) -> bool:
        return bool(self.card is not None and self.original and self.typed_changes())

    def _service_values(self, typed: dict[str, Any]) -> dict[str, Any]:
        """Typed values as ``update_deal`` takes them; ValidationFailed for bad dates."""
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        for name, value in typed.items():
            if name in ("started_on", "planned_end_on"):
                text = str(value or "").strip()
                if not text:
                    values[name] = None
                    continue
                try:
                    values[name] = fmt.parse_day(text)
                except ValueError:
                    errors[name] = _("Enter a date as DD.MM.YYYY")
            elif name in ("contact_id", "manager_id", "source_id"):
                values[name] = None if value in (None, NONE) else value
            else:
                values[name] = value
        if errors:
            raise ValidationFailed(errors)
        return values

    def action_save(self) -> None:
        if self.card is None:
            return
        form = self.query_one("#main-form", Vertical)
        typed = self.typed_changes()
        show_errors(form, {})
        if not typed:
            self.notify(_("Nothing to save"))
            return
        try:
            values = self._service_values(typed)
        except ValidationFailed as error:
            self._save_failed(error, typed)
            return
        self.call_service(
            update_deal,
            self.card.id,
            self.card.version,
            then=lambda _version: self._saved(),
            on_error=lambda error: self._save_failed(error, typed),
            group="deal-save",
            **values,
        )

    def _saved(self) -> None:
        self.notify(_("Saved"))
        self.reload()

    def _save_failed(self, error: BaseException, typed: dict[str, Any]) -> None:
        from qstui.screens.dialogs.conflict import ConflictDialog

        if isinstance(error, ValidationFailed):
            self.query_one("#card-tabs", TabbedContent).active = "tab-main"
            rest = show_errors(self.query_one("#main-form", Vertical), error.errors)
            if rest:
                self.notify(rest, severity="error")
        elif isinstance(error, Conflict):
            shown = [
                (_(FIELD_LABELS[name]), str(self.labels.get(name, {}).get(value, value)))
                for name, value in typed.items()
            ]

            def answer(choice: str | None) -> None:
                if choice == ConflictDialog.RELOAD:
                    self.reload(overlay=typed)

            self.app.push_screen(ConflictDialog(str(error), shown), answer)
        else:
            self.qapp.show_error(error)

    def action_back(self) -> None:
        focused = self.focused
        form = self.query_one("#main-form", Vertical)
        if focused is not None and form in focused.ancestors:
            self.query_one("#card-tabs", TabbedContent).query_one(Tabs).focus()
            return
        if self.dirty:
            from qstui.screens.dialogs.message import ConfirmDialog

            def answer(leave: bool | None) -> None:
                if leave:
                    self.dismiss()

            self.app.push_screen(
                ConfirmDialog(
                    _("The deal has unsaved changes. Close it without saving?"),
                    yes=_("Close"),
                    no=_("Stay"),
                ),
                answer,
            )
            return
        self.dismiss()

    # --- showing the tabs -----------------------------------------------------------------

    def _show_stages(self, card: DealCard) -> None:
        table, row = self._emptied("stages")
        for st in card.stages:
            style = cells.ALERT if st.is_overdue else ("bold" if st.is_current else "")
            mark = "▶ " if st.is_current else "  "
            values = {
                "stage": mark + st.name,
                "responsible": st.responsible_name,
                "started": fmt.day(st.started_on),
                "due": fmt.day(st.due_on),
                "done": fmt.day(st.done_on),
                "note": st.note,
            }
            styled = {k: Text(v or "", style=style) for k, v in values.items()}
            self._add("stages", f"s{st.stage_id}", styled)  # type: ignore[arg-type]
        current = next((i for i, st in enumerate(card.stages) if st.is_current), 0)
        table.move_cursor(row=row if 0 < row < len(card.stages) else current)

    def _show_items(self, card: DealCard) -> None:
        table, row = self._emptied("items")
        code = card.currency_code
        for item in card.items:
            self._add(
                "items",
                f"i{item.id}",
                {
                    "product": f"{item.line_no}. {item.product_name}",
                    "qty": f"{_qty(item)} {item.unit or ''}".strip(),
                    "price": fmt.money(item.price, code),
                    "discount": _qty_text(item.discount_pct),
                    "sum": fmt.money(item.amount, code),
                },
            )
        self.query_one("#items-title", Static).update(
            _("Products and services")
            if card.items
            else _("Products and services: none yet (a — add)")
        )
        table.move_cursor(row=min(row, max(len(card.items) - 1, 0)))
        self.query_one("#items-total", Static).update(
            _("Total: {amount}").format(amount=fmt.money(card.amount, code))
        )

    def _show_payments(self, card: DealCard) -> None:
        table, row = self._emptied("payments")
        for p in card.payments:
            self._add(
                "payments",
                f"p{p.id}",
                {
                    "kind": _(PAYMENT_KIND_LABELS[p.kind]),
                    "date": fmt.day(p.pay_date),
                    "amount": fmt.money(p.amount, p.currency_code),
                    "source": _(PAYMENT_SOURCE_LABELS[p.source]),
                    "doc": p.doc_no,
                    "purpose": p.purpose,
                },
            )
        self.query_one("#payments-title", Static).update(
            _("Payments") if card.payments else _("Payments: none yet")
        )
        table.move_cursor(row=min(row, max(len(card.payments) - 1, 0)))

    def _show_docs(self, card: DealCard) -> None:
        self._emptied("docs")
        for d in card.documents:
            self._add(
                "docs",
                f"d{d.id}",
                {
                    "kind": _(DOC_KIND_LABELS[d.kind]),
                    "number": d.doc_no,
                    "date": fmt.day(d.doc_date),
                    "sum": fmt.money(d.amount, d.currency_code),
                    "state": _(DOC_STATE_LABELS[d.state]),
                    "note": d.note,
                },
            )
        if not card.documents:
            self._add("docs", "none", {"kind": _none(_("No documents"))})

    def _show_debt(self, card: DealCard) -> None:
        view = self.query_one("#debt-view", Static)
        if card.debt is None:
            view.update(Text(card.debt_error or _("The debt cannot be computed"), style="red"))
            return
        debt = card.debt
        grid = Table.grid(padding=(0, 3))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        grid.add_row(_("Invoiced"), fmt.money(debt.invoiced, debt.currency_code))
        grid.add_row(_("Shipped"), fmt.money(debt.shipped, debt.currency_code))
        grid.add_row(_("Paid"), fmt.money(debt.paid, debt.currency_code))
        grid.add_row(
            Text(_("Debt"), style="bold"),
            Text(
                fmt.money(debt.debt, debt.currency_code),
                style=cells.ALERT + " bold" if debt.is_receivable else "bold",
            ),
        )
        notes = Text(
            _("Debt = the larger of invoiced and shipped, minus paid, in {currency}.").format(
                currency=debt.currency_code
            ),
            style="dim",
        )
        if debt.debt < 0:
            notes = Text(_("The client paid in advance."), style="dim")
        view.update(Group(grid, Text(""), notes))

    # --- what the keys may do -------------------------------------------------------------

    @property
    def active_tab(self) -> str:
        return self.query_one("#card-tabs", TabbedContent).active.removeprefix("tab-")

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()
        targets = {"stages": "#stages-table", "products": "#items-table", "docs": "#docs-table"}
        target = targets.get(self.active_tab)
        if target and isinstance(self.focused, Tabs):
            self.query_one(target).focus()

    def action_tab(self, tab: str) -> None:
        tabbed = self.query_one("#card-tabs", TabbedContent)
        # Focus the tab bar first: a focused widget in the pane being hidden would pass
        # the focus to its neighbour there, and TabbedContent would switch back to it.
        self.set_focus(tabbed.query_one(Tabs), scroll_visible=False)
        tabbed.active = f"tab-{tab}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        card = self.card
        ctx = self.qapp.ctx
        can_edit = bool(ctx is not None and ctx.has(R.EDIT))
        tab = self.active_tab if self.is_mounted else "main"
        is_open = card is not None and card.status == DealStatus.OPEN
        if action == "save":
            return tab == "main" and can_edit
        if action in ("next_stage", "previous_stage", "move_here"):
            return tab == "stages" and can_edit and is_open
        if action == "edit":
            return tab in ("stages", "products") and can_edit
        if action in ("add_item", "remove", "add_planned", "add_actual", "received"):
            return tab == "products" and can_edit
        if action in ("win", "lose"):
            return card is not None and can_edit and is_open
        if action == "reopen":
            return card is not None and can_edit and not is_open
        if action == "proposal":
            return card is not None
        return True

    # --- stages ---------------------------------------------------------------------------

    def _current_index(self) -> int:
        assert self.card is not None
        return next((i for i, st in enumerate(self.card.stages) if st.is_current), -1)

    def _move(self, stage: DealStageInfo) -> None:
        assert self.card is not None
        self.call_service(
            move_to_stage,
            self.card.id,
            self.card.version,
            stage.stage_id,
            then=lambda _v: self._moved(stage),
            on_error=self._op_failed,
            group="deal-op",
        )

    def _moved(self, stage: DealStageInfo) -> None:
        self.notify(_("The deal is at the stage «{name}»").format(name=stage.name))
        self.reload()

    def _step(self, delta: int) -> None:
        if self.card is None:
            return
        index = self._current_index() + delta
        if not 0 <= index < len(self.card.stages):
            self.notify(
                _("This is the last stage") if delta > 0 else _("This is the first stage"),
                severity="warning",
            )
            return
        self._move(self.card.stages[index])

    def action_next_stage(self) -> None:
        self._step(+1)

    def action_previous_stage(self) -> None:
        self._step(-1)

    def action_move_here(self) -> None:
        stage = self._highlighted_stage()
        if stage is not None and not stage.is_current:
            self._move(stage)

    def _highlighted_stage(self) -> DealStageInfo | None:
        if self.card is None or not self.card.stages:
            return None
        row = self.query_one("#stages-table", DataTable).cursor_row
        return self.card.stages[row] if 0 <= row < len(self.card.stages) else None

    def _stage_details(self) -> None:
        from qstui.screens.dialogs.deal_forms import stage_dialog

        stage = self._highlighted_stage()
        if stage is None or self.data is None:
            return
        if stage.deal_stage_id is None:
            self.notify(_("The deal has not reached this stage yet"), severity="warning")
            return
        self._form(stage_dialog(stage, self.data.managers), _("Stage saved"))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        table = event.data_table.id
        if table == "stages-table" and self.check_action("edit", ()):
            self._stage_details()
        elif table == "items-table" and self.check_action("edit", ()):
            self._edit_item()
        elif table == "payments-table" and self.check_action("received", ()):
            self.action_received()

    # --- products and payments ------------------------------------------------------------

    def _version(self) -> int:
        assert self.card is not None
        return self.card.version

    def _form(self, dialog: Any, done: str) -> None:
        """Push a form dialog; when it saved, say ``done`` and reload the card."""

        def closed(result: Any) -> None:
            if result is not None:
                self.notify(done)
                self.reload()

        self.app.push_screen(dialog, closed)

    def action_add_item(self) -> None:
        from qstui.screens.dialogs.deal_forms import ProductPicker, item_dialog

        card = self.card
        if card is None:
            return

        def picked(product: Any) -> None:
            if product is not None and self.card is not None:
                self._form(
                    item_dialog(self.card, self._version, product=product), _("Product added")
                )

        self.app.push_screen(ProductPicker(card.currency_code), picked)

    def _highlighted(self, name: str, rows: tuple[Any, ...]) -> Any | None:
        table = self.query_one(f"#{name}-table", DataTable)
        row = table.cursor_row
        return rows[row] if rows and 0 <= row < len(rows) else None

    def _edit_item(self) -> None:
        from qstui.screens.dialogs.deal_forms import item_dialog

        if self.card is None:
            return
        item: ItemInfo | None = self._highlighted("items", self.card.items)
        if item is None:
            self.notify(_("The deal has no products yet: a — add one"), severity="warning")
            return
        self._form(item_dialog(self.card, self._version, item=item), _("Product line saved"))

    def action_edit(self) -> None:
        if self.active_tab == "stages":
            self._stage_details()
        elif self.active_tab == "products":
            if self.focused is self.query_one("#payments-table"):
                self.action_received()
            else:
                self._edit_item()

    def action_remove(self) -> None:
        from qstui.screens.dialogs.message import ConfirmDialog
        from qstui.services.deal_items import remove_item
        from qstui.services.payments import delete_payment

        card = self.card
        if card is None:
            return
        if self.focused is self.query_one("#payments-table"):
            payment: PaymentInfo | None = self._highlighted("payments", card.payments)
            if payment is None:
                return
            question = _("Delete the payment of {amount} of {day}?").format(
                amount=fmt.money(payment.amount, payment.currency_code),
                day=fmt.day(payment.pay_date),
            )

            def delete(yes: bool | None) -> None:
                if yes:
                    self._op(delete_payment, payment.id, payment.version, done=_("Deleted"))

        elif self.focused is self.query_one("#items-table"):
            item: ItemInfo | None = self._highlighted("items", card.items)
            if item is None:
                return
            question = _("Remove «{name}» from the deal?").format(name=item.product_name)

            def delete(yes: bool | None) -> None:
                if yes:
                    self._op(remove_item, item.id, self._version(), done=_("Removed"))

        else:
            self.notify(_("Highlight a product or a payment first"), severity="warning")
            return

        self.app.push_screen(ConfirmDialog(question, yes=_("Delete"), no=_("Cancel")), delete)

    def _payment(self, kind: PaymentKind) -> None:
        from qstui.screens.dialogs.deal_forms import payment_dialog

        if self.card is None or self.data is None:
            return
        self._form(payment_dialog(self.card, kind, self.data.currencies), _("Payment added"))

    def action_add_planned(self) -> None:
        self._payment(PaymentKind.PLANNED)

    def action_add_actual(self) -> None:
        self._payment(PaymentKind.ACTUAL)

    def action_received(self) -> None:
        from qstui.screens.dialogs.deal_forms import received_dialog

        if self.card is None:
            return
        payment: PaymentInfo | None = self._highlighted("payments", self.card.payments)
        if payment is None or payment.kind != PaymentKind.PLANNED:
            self.notify(_("Highlight a planned payment in the payments table"), severity="warning")
            return
        self._form(received_dialog(payment), _("The payment is recorded as received"))

    # --- win, lose, reopen, the proposal --------------------------------------------------

    def _op(self, fn: Any, *args: Any, done: str) -> None:
        def finished(_result: Any) -> None:
            self.notify(done)
            self.reload()

        self.call_service(fn, *args, then=finished, on_error=self._op_failed, group="deal-op")

    def _op_failed(self, error: BaseException) -> None:
        from qstui.screens.dialogs.conflict import ConflictDialog

        if isinstance(error, Conflict):

            def answer(choice: str | None) -> None:
                if choice == ConflictDialog.RELOAD:
                    self.reload(overlay=self.typed_changes())

            self.app.push_screen(ConflictDialog(str(error)), answer)
        else:
            self.qapp.show_error(error)
            self.reload(overlay=self.typed_changes())

    def action_win(self) -> None:
        from qstui.screens.dialogs.message import ConfirmDialog

        card = self.card
        if card is None:
            return

        def answer(yes: bool | None) -> None:
            if yes and self.card is not None:
                self._op(win_deal, self.card.id, self.card.version, done=_("The deal is won"))

        self.app.push_screen(
            ConfirmDialog(
                _("Mark the deal «{title}» as won?").format(title=card.title),
                yes=_("Won"),
                no=_("Cancel"),
            ),
            answer,
        )

    def action_lose(self) -> None:
        from qstui.services.pipelines import list_refusal_reasons

        if self.card is not None:
            self.call_service(list_refusal_reasons, then=self._ask_loss, group="reasons")

    def _ask_loss(self, reasons: list[Any]) -> None:
        from qstui.screens.dialogs.deal_forms import lose_dialog

        if self.card is not None:
            self._form(lose_dialog(self.card, reasons, self._version), _("The deal is lost"))

    def action_reopen(self) -> None:
        from qstui.screens.dialogs.message import ConfirmDialog

        card = self.card
        if card is None:
            return

        def answer(yes: bool | None) -> None:
            if yes and self.card is not None:
                self._op(
                    reopen_deal, self.card.id, self.card.version, done=_("The deal is open again")
                )

        self.app.push_screen(
            ConfirmDialog(
                _("Reopen the deal «{title}»?").format(title=card.title),
                yes=_("Reopen"),
                no=_("Cancel"),
            ),
            answer,
        )

    def action_proposal(self) -> None:
        from qstui.screens.dialogs.deal_forms import ProposalDialog

        def saved(result: Any) -> None:
            if result is not None:
                self.notify(_("The proposal is saved: {path}").format(path=result.path), timeout=10)

        self.app.push_screen(ProposalDialog(self.deal_id), saved)


def _norm(value: Any) -> Any:
    """A field value compared for "changed": text stripped, None and "none" alike."""
    if value is None or value == NONE:
        return ""
    return value.strip() if isinstance(value, str) else value


def _set_value(widget: Any, value: Any) -> None:
    """Put ``value`` into a form input (an Input, a Select or a TextArea)."""
    if isinstance(widget, Select):
        widget.value = value
    elif isinstance(widget, TextArea):
        widget.text = str(value or "")
    else:
        widget.value = "" if value is None else str(value)


def _qty_text(value: Any) -> str:
    """A quantity or percent without trailing zeros: ``2``, ``1,5`` (ru)."""
    text = format(value, "f")
    places = len(text.split(".")[1].rstrip("0")) if "." in text else 0
    return fmt.number(value, places)


def _qty(item: ItemInfo) -> str:
    return _qty_text(item.qty)


def _label(name: str) -> str:
    """The translated label of the Main form's field ``name``."""
    return _(FIELD_LABELS[name])
