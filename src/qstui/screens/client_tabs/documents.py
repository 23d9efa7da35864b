"""Tabs «Договоры» (contracts — C2 — with add, edit and close; the client terms —
соглашения, C6 — with add, edit and delete) and «Отправленные материалы» (packages
e-mailed to the client)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from qstui.domain import formatting as fmt
from qstui.domain.clients import (
    CONTRACT_FIELDS,
    TERMS_FIELDS,
    ClientCard,
    ContractInfo,
    TermsInfo,
    TermsInput,
)
from qstui.domain.enums import ContractStatus, SendingStatus
from qstui.domain.errors import ValidationFailed
from qstui.i18n import N_, _
from qstui.screens.client_tabs.base import CardTab, text, yes_no
from qstui.screens.client_tabs.records import RecordsPanel
from qstui.screens.dialogs.deal_forms import money_text, typed_money
from qstui.services.clients import contracts as client_contracts
from qstui.services.clients import terms as client_terms
from qstui.widgets import cells
from qstui.widgets.form import FieldSpec
from qstui.widgets.tables import card_table, fill_table

CONTRACT_STATUS = {
    ContractStatus.DRAFT: N_("draft"),
    ContractStatus.ACTIVE: N_("active"),
    ContractStatus.CLOSED: N_("ended"),  # not "closed": a contract (договор) is masculine
}
SENDING_STATUS = {
    SendingStatus.QUEUED: N_("queued"),
    SendingStatus.SENT: N_("sent"),
    SendingStatus.FAILED: N_("failed"),
}


def terms_fields(t: TermsInfo | None = None) -> list[FieldSpec]:
    def value(name: str) -> str:
        return text(getattr(t, name)) if t is not None else ""

    return [
        FieldSpec("title", _("Title"), value("title"), max_length=150),
        FieldSpec("discount_pct", _("Discount, %"), value("discount_pct")),
        FieldSpec("markup_pct", _("Markup, %"), value("markup_pct")),
        FieldSpec("prepay_pct", _("Prepayment, %"), value("prepay_pct")),
        FieldSpec("credit_days", _("Credit days"), value("credit_days")),
        FieldSpec("credit_limit", _("Credit limit"), value("credit_limit")),
        FieldSpec("pay_schedule", _("Payment schedule"), value("pay_schedule"), multiline=True),
        FieldSpec("delivery_terms", _("Delivery terms"), value("delivery_terms"), multiline=True),
        FieldSpec("valid_from", _("Valid from (DD.MM.YYYY)"), value("valid_from")),
        FieldSpec("valid_to", _("Valid to (DD.MM.YYYY)"), value("valid_to")),
        FieldSpec(
            "is_active",
            _("Active"),
            t.is_active if t is not None else True,
            choices=yes_no(),
            allow_blank=False,
        ),
    ]


def _blank_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if v == "" else v) for k, v in values.items() if k in TERMS_FIELDS}


def add_terms(ctx: Any, company_id: int, values: dict[str, Any]) -> int:
    clean = _blank_none(values)
    clean["title"] = clean.get("title") or ""
    return client_terms.add_terms(ctx, company_id, TermsInput(**clean))


class TermsSaver:
    """Saves the changed fields of client terms; keeps the new version for a retry."""

    def __init__(self, terms: TermsInfo) -> None:
        self.terms = terms
        self.version = terms.version
        self.saved = {f.name: f.value for f in terms_fields(terms)}

    def __call__(self, ctx: Any, values: dict[str, Any]) -> int:
        changes = {
            k: (None if v == "" else v)
            for k, v in values.items()
            if k in TERMS_FIELDS and v != self.saved.get(k)
        }
        if changes:
            self.version = client_terms.update_terms(ctx, self.terms.id, self.version, **changes)
            self.saved.update({k: values[k] for k in changes})
        return self.version


class TermsPanel(RecordsPanel[TermsInfo]):
    """The client terms table with its keys (they act when the table has the focus)."""

    BINDINGS = [
        Binding("insert", "add", N_("Add terms"), id="terms.add"),
        Binding("delete", "delete", N_("Delete terms"), id="terms.delete"),
    ]
    DEFAULT_CSS = "TermsPanel { height: auto; max-height: 1fr; }"
    TABLE = "terms"
    COLUMNS = (
        N_("Title"),
        N_("Discount, %"),
        N_("Prepayment, %"),
        N_("Credit days"),
        N_("Price list"),
        N_("Valid"),
        N_("Active"),
    )
    ADD = staticmethod(add_terms)
    DELETE = staticmethod(client_terms.delete_terms)
    NEW_TITLE = N_("New client terms")
    ADDED = N_("Client terms added")
    SAVED = N_("Client terms saved")
    DELETED = N_("Client terms deleted")

    def records(self, card: ClientCard) -> Sequence[TermsInfo]:
        return card.terms

    def heading(self, card: ClientCard) -> str:
        return _("Client terms: {n}").format(n=len(card.terms))

    def row(self, t: TermsInfo) -> list[str | Text]:
        return [
            t.title,
            text(t.discount_pct),
            text(t.prepay_pct),
            text(t.credit_days),
            t.price_list or "",
            " – ".join(x for x in (fmt.day(t.valid_from), fmt.day(t.valid_to)) if x),
            text(t.is_active),
        ]

    def fields(self, terms: TermsInfo | None) -> list[FieldSpec]:
        return terms_fields(terms)

    def edit_title(self, terms: TermsInfo) -> str:
        return _("Client terms: {title}").format(title=terms.title)

    def saver(self, terms: TermsInfo) -> TermsSaver:
        return TermsSaver(terms)

    def delete_question(self, terms: TermsInfo) -> str:
        return _("Delete the client terms «{title}»?").format(title=terms.title)


# --- contracts ---------------------------------------------------------------------------


def contract_fields(c: ContractInfo | None = None) -> list[FieldSpec]:
    """The contract form: empty for a new one (currency RUB), else filled from ``c``."""
    return [
        FieldSpec("number", _("Number"), c.number if c else "", max_length=50),
        FieldSpec("title", _("Title"), (c.title or "") if c else "", max_length=250),
        FieldSpec(
            "signed_on",
            _("Signed (DD.MM.YYYY)"),
            fmt.day(c.signed_on) if c else "",
            placeholder=_("DD.MM.YYYY"),
        ),
        FieldSpec(
            "valid_to",
            _("Valid to (DD.MM.YYYY)"),
            fmt.day(c.valid_to) if c else "",
            placeholder=_("DD.MM.YYYY"),
        ),
        FieldSpec("currency_code", _("Currency"), c.currency_code if c else "RUB", max_length=3),
        FieldSpec("amount", _("Amount"), money_text(c.amount) if c else ""),
        FieldSpec(
            "pay_terms", _("Payment terms"), (c.pay_terms or "") if c else "", multiline=True
        ),
        FieldSpec(
            "file_path",
            _("File (path to the signed contract)"),
            (c.file_path or "") if c else "",
            max_length=1000,
        ),
        FieldSpec("notes", _("Notes"), (c.notes or "") if c else "", multiline=True),
    ]


def contract_values(values: dict[str, Any]) -> dict[str, Any]:
    """The typed values as the service takes them: empty texts None, the amount read
    the way people write it («62 510,00»)."""
    errors: dict[str, str] = {}
    clean = {k: (None if v == "" else v) for k, v in values.items() if k in CONTRACT_FIELDS}
    if "amount" in values:
        clean["amount"] = typed_money(values, "amount", errors, required=False)
    if errors:
        raise ValidationFailed(errors)
    return clean


def add_contract(ctx: Any, company_id: int, values: dict[str, Any]) -> int:
    return client_contracts.add_contract(ctx, company_id, **contract_values(values))


class ContractSaver:
    """Saves the changed fields of a contract; keeps the new version for a retry."""

    def __init__(self, contract: ContractInfo) -> None:
        self.contract = contract
        self.version = contract.version
        self.saved = {f.name: f.value for f in contract_fields(contract)}

    def __call__(self, ctx: Any, values: dict[str, Any]) -> int:
        typed = {k: v for k, v in values.items() if k in CONTRACT_FIELDS}
        changed = {k: v for k, v in typed.items() if v != self.saved.get(k)}
        if changed:
            changes = contract_values(changed)
            self.version = client_contracts.update_contract(
                ctx, self.contract.id, self.version, **changes
            )
            self.saved.update(changed)
        return self.version


class ContractsPanel(RecordsPanel[ContractInfo]):
    """The contracts table with its keys: Ins adds a contract, Enter edits the one under
    the cursor, Del closes it (it has ended; it stays listed)."""

    BINDINGS = [
        Binding("insert", "add", N_("Add a contract"), id="contracts.add"),
        Binding("delete", "delete", N_("Close the contract"), id="contracts.close"),
    ]
    DEFAULT_CSS = "ContractsPanel { height: auto; max-height: 1fr; }"
    TABLE = "contracts"
    TITLE_CLASS = "tab-title"
    COLUMNS = (
        N_("Number"),
        (N_("Title"), 24),
        N_("Signed"),
        N_("Valid to"),
        N_("Amount"),
        (N_("Payment terms"), 24),
        N_("Status"),
        N_("File"),
    )
    ADD = staticmethod(add_contract)
    DELETE = staticmethod(client_contracts.close_contract)
    NEW_TITLE = N_("New contract")
    ADDED = N_("Contract added")
    SAVED = N_("Contract saved")
    DELETED = N_("Contract closed")

    def records(self, card: ClientCard) -> Sequence[ContractInfo]:
        return card.contracts

    def heading(self, card: ClientCard) -> str:
        return _("Contracts: {n}").format(n=len(card.contracts))

    def fill(self, card: ClientCard) -> None:
        super().fill(card)
        self.query_one("#contracts-title", Static).update(
            self.heading(card) + "  " + _("(Ins — add, Enter — edit, Del — close)")
        )

    def row(self, c: ContractInfo) -> list[str | Text]:
        return [
            c.number,
            c.title or "",
            fmt.day(c.signed_on),
            fmt.day(c.valid_to),
            cells.money(c.amount, c.currency_code),
            " ".join((c.pay_terms or "").split()),
            _(CONTRACT_STATUS.get(c.status, str(c.status))),
            c.file_path or "",
        ]

    def fields(self, contract: ContractInfo | None) -> list[FieldSpec]:
        return contract_fields(contract)

    def edit_title(self, contract: ContractInfo) -> str:
        return _("Contract №{number}").format(number=contract.number)

    def saver(self, contract: ContractInfo) -> ContractSaver:
        return ContractSaver(contract)

    def delete_question(self, contract: ContractInfo) -> str:
        return _("Close the contract №{number}: it has ended?").format(number=contract.number)


class ContractsTab(CardTab):
    TITLE = N_("Contracts")
    SHORT = N_("Contracts")

    def compose(self) -> ComposeResult:
        yield ContractsPanel(self)
        yield TermsPanel(self)

    def insert(self) -> None:
        """Ins: new client terms when the focus is in their table, else a contract."""
        terms = self.query_one(TermsPanel)
        focused = self.screen.focused
        inside = focused is not None and terms in focused.ancestors_with_self
        (terms if inside else self.query_one(ContractsPanel)).insert()

    def fill(self, card: ClientCard) -> None:
        self.query_one(ContractsPanel).fill(card)
        self.query_one(TermsPanel).fill(card)


class MaterialsTab(CardTab):
    TITLE = N_("Materials sent")
    SHORT = N_("Materials")

    def compose(self) -> ComposeResult:
        yield Static("", id="materials-title", classes="tab-title")
        yield card_table("materials", (N_("Sent"), N_("Package"), N_("Sent to"), N_("Status")))

    def fill(self, card: ClientCard) -> None:
        self.query_one("#materials-title", Static).update(
            _("Materials sent by e-mail: {n}").format(n=len(card.materials))
        )
        fill_table(
            self.query_one("#materials", DataTable),
            [
                (
                    str(m.id),
                    [
                        fmt.moment(m.sent_at),
                        m.package,
                        m.email_to,
                        cells.styled(
                            _(SENDING_STATUS.get(m.status, str(m.status))),
                            cells.ALERT if m.status == SendingStatus.FAILED else "",
                        ),
                    ],
                )
                for m in card.materials
            ],
        )
