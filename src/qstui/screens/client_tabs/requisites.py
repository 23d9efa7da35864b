"""Tab «Реквизиты и банк»: the company's requisites edited in place (ctrl+s saves them
with the version the editing started from; each validation message appears at its
field) and its bank accounts (Ins adds, Enter edits, Del deletes; the service checks
the account's key against the BIK).

Nothing typed is lost: a reload of the card (after any change, or «Reload» in the
conflict dialog) refreshes only the fields the user has not changed; a changed field
keeps the typed value and shows the saved one under it when that differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Select, Static, TextArea

from qstui.domain import formatting as fmt
from qstui.domain.clients import (
    BANK_FIELDS,
    BankAccountInfo,
    BankAccountInput,
    ClientCard,
)
from qstui.domain.enums import ClientKind
from qstui.i18n import N_, _
from qstui.screens.client_tabs.base import CardField, InPlaceTab, text, yes_no
from qstui.screens.client_tabs.records import RecordsPanel
from qstui.services import rights as R
from qstui.services.clients import companies as client_service
from qstui.services.clients import contacts as contact_service
from qstui.widgets.form import FieldSpec, show_errors

KIND_NAMES = {
    ClientKind.CLIENT: N_("client"),
    ClientKind.PROSPECT: N_("prospect"),
    ClientKind.PARTNER: N_("partner"),
    ClientKind.SUPPLIER: N_("supplier"),
}

# name, label (message id), max length (0: a drop-down or multi-line)
TEXT_FIELDS: tuple[tuple[str, str, int], ...] = (
    ("name", N_("Company name"), 250),
    ("full_name", N_("Full legal name"), 500),
    ("legal_form", N_("Legal form"), 20),
    ("inn", N_("INN"), 12),
    ("kpp", N_("KPP"), 9),
    ("ogrn", N_("OGRN"), 15),
    ("okpo", N_("OKPO"), 14),
    ("legal_address", N_("Legal address"), 500),
    ("postal_address", N_("Postal address"), 500),
    ("city", N_("City"), 100),
    ("website", N_("Website"), 200),
    ("phone", N_("Phone"), 40),
    ("email", N_("E-mail"), 200),
)
CHOICE_FIELDS: tuple[tuple[str, str, str], ...] = (
    # name, label, key of card_choices
    ("region_id", N_("Region"), "regions"),
    ("industry_id", N_("Industry"), "industries"),
    ("source_id", N_("Source"), "sources"),
)
ORDER = (
    "name",
    "full_name",
    "legal_form",
    "client_kind",
    "inn",
    "kpp",
    "ogrn",
    "okpo",
    "legal_address",
    "postal_address",
    "city",
    "region_id",
    "website",
    "phone",
    "email",
    "industry_id",
    "source_id",
    "rating",
    "notes",
)
LABELS = {
    **{name: label for name, label, _n in TEXT_FIELDS},
    **{name: label for name, label, _k in CHOICE_FIELDS},
    "client_kind": N_("Client kind"),
    "rating": N_("Rating"),
    "notes": N_("Notes"),
}


def card_value(card: ClientCard, name: str) -> Any:
    """A requisite of the card as the form holds it (text, an id, or None)."""
    if name == "phone":
        return card.phones[0].number if card.phones else ""
    if name == "email":
        return card.emails[0].address if card.emails else ""
    if name == "client_kind":
        return str(card.client_kind)
    if name == "rating":
        return int(card.rating or 0)
    if name.endswith("_id"):
        return getattr(card, name)
    return getattr(card, name) or ""


def same(a: Any, b: Any) -> bool:
    def norm(v: Any) -> Any:
        if v is None:
            return ""
        return v.strip() if isinstance(v, str) else v

    return bool(norm(a) == norm(b))


def shown_text(name: str, value: Any, labels: dict[Any, str]) -> str:
    if value in (None, ""):
        return "—"
    if name in labels or isinstance(value, int):
        return labels.get(value, str(value))
    return str(value)


class RequisitesForm(Vertical):
    """The in-place form (its fields are ``CardField``s named like ``CompanyInput``)."""

    DEFAULT_CSS = """
    RequisitesForm { height: auto; max-width: 120; }
    """


class RequisitesTab(InPlaceTab):
    TITLE = N_("Requisites and bank")
    SHORT = N_("Requisites")

    DEFAULT_CSS = """
    RequisitesTab #req-scroll { height: 1fr; }
    RequisitesTab #req-info { color: $text-muted; height: auto; }
    RequisitesTab #req-hint { color: $text-muted; height: auto; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.version: int | None = None
        self.shown: dict[str, Any] = {}
        self.options: dict[str, list[tuple[str, Any]]] = {}
        self._accept_version = False
        self._saving = False

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="req-scroll"):
            yield Static("", id="req-info")
            yield Static(
                _("Edit in place; ctrl+s saves. Changed fields are marked."), id="req-hint"
            )
            with RequisitesForm(id="req-form"):
                for name in ORDER:
                    yield CardField(self._spec(name))
            yield BankPanel(self)

    def _spec(self, name: str) -> FieldSpec:
        label = _(LABELS[name])
        lengths = {n: length for n, _l, length in TEXT_FIELDS}
        if name in lengths:
            return FieldSpec(name, label, "", max_length=lengths[name])
        if name == "notes":
            return FieldSpec(name, label, "", multiline=True)
        if name == "client_kind":
            self.options[name] = [(_(KIND_NAMES[k]), k.value) for k in ClientKind]
            return FieldSpec(name, label, "", choices=self.options[name], allow_blank=False)
        if name == "rating":
            self.options[name] = [("☆" if n == 0 else "★" * n, n) for n in range(6)]
            return FieldSpec(name, label, 0, choices=self.options[name], allow_blank=False)
        self.options[name] = []
        return FieldSpec(name, label, "", choices=[])

    def on_mount(self) -> None:
        editable = self.can(R.EDIT)
        for f in self.query(CardField):
            f.input.disabled = not editable

    # --- the values ---------------------------------------------------------------------

    def _field(self, name: str) -> CardField:
        return self.query_one(f"#field-{name}", CardField)

    def typed(self, name: str) -> Any:
        return self._field(name).value

    def _put(self, name: str, value: Any) -> None:
        widget = self._field(name).input
        if isinstance(widget, Select):
            self._ensure_option(name, value)
            if value is None:
                widget.clear()
            else:
                widget.value = value
        elif isinstance(widget, TextArea):
            widget.text = value or ""
        elif isinstance(widget, Input):
            widget.value = "" if value is None else str(value)

    def _ensure_option(self, name: str, value: Any, label: str | None = None) -> None:
        """A drop-down must offer its current value (e.g. an industry no longer active)."""
        options = self.options.setdefault(name, [])
        if value is None or any(v == value for _l, v in options):
            return
        options.append((label or self._missing_label(name, value), value))
        self._reset_options(name)

    def _missing_label(self, name: str, value: Any) -> str:
        card = self.card
        if card is not None and card_value(card, name) == value:
            named = {"region_id": card.region, "industry_id": card.industry}
            named["source_id"] = card.source
            return named.get(name) or str(value)
        return str(value)

    def _reset_options(self, name: str) -> None:
        select = self._field(name).input
        assert isinstance(select, Select)
        keep = select.selection
        with select.prevent(Select.Changed):
            select.set_options(self.options[name])
            if keep is not None and any(v == keep for _l, v in self.options[name]):
                select.value = keep

    def set_choices(self, choices: dict[str, Sequence[tuple[int, str]]]) -> None:
        """Fill the region, industry and source drop-downs (typed choices are kept)."""
        super().set_choices(choices)
        for name, _label, key in CHOICE_FIELDS:
            current = self.options.get(name, [])
            extra = [(label, v) for label, v in current if v not in {i for i, _n in choices[key]}]
            self.options[name] = [(n, i) for i, n in choices.get(key, ())] + extra
            self._reset_options(name)
        if self.card is not None:
            self.fill(self.card)

    def dirty(self) -> dict[str, Any]:
        """The fields the user changed: name → typed value."""
        if self.card is None:
            return {}
        return {
            name: self.typed(name)
            for name in ORDER
            if name in self.shown and not same(self.typed(name), self.shown[name])
        }

    def typed_for_copy(self) -> list[tuple[str, str]]:
        labels = self._labels()
        return [
            (_(LABELS[name]), shown_text(name, value, labels.get(name, {})))
            for name, value in self.dirty().items()
        ]

    def _labels(self) -> dict[str, dict[Any, str]]:
        return {name: {v: label for label, v in opts} for name, opts in self.options.items()}

    # --- filling ------------------------------------------------------------------------

    def fill(self, card: ClientCard) -> None:
        typed = self.dirty() if self.shown else {}
        labels = self._labels()
        for name in ORDER:
            new = card_value(card, name)
            if name not in typed:
                self._put(name, new)
            elif not same(new, typed[name]) and not same(new, self.shown.get(name)):
                # someone saved another value here meanwhile: show it, keep the typed one
                self._field(name).set_error(
                    _("Saved value: {value} — yours is kept above").format(
                        value=shown_text(name, new, labels.get(name, {}))
                    )
                )
            self.shown[name] = new
        if not typed or self._accept_version or self.version is None:
            self.version = card.version
        self._accept_version = False
        self._mark_dirty()
        self.query_one("#req-info", Static).update(
            _("Manager: {manager} · created {created} · changed {changed}").format(
                manager=card.manager or _("nobody"),
                created=fmt.moment(card.created_at) or "—",
                changed=fmt.moment(card.updated_at) or "—",
            )
        )
        self.query_one(BankPanel).fill(card)

    def insert(self) -> None:
        self.query_one(BankPanel).insert()

    def accept_own_change(self) -> None:
        """The user changed the company elsewhere on the card (e.g. gave it to another
        manager): the next reload's version is the one to save against."""
        self._accept_version = True

    # --- saving -------------------------------------------------------------------------

    def save(self) -> bool:
        """Save the changed requisites; False when there is nothing to save."""
        card = self.card
        changes = self.dirty()
        if card is None or not changes or self._saving or self.version is None:
            return False
        self._saving = True
        self.call_service(
            client_service.update_company,
            card.id,
            self.version,
            then=lambda version: self._saved(changes, version),
            on_error=self._failed,
            group="requisites-save",
            **changes,
        )
        return True

    def _saved(self, changes: dict[str, Any], version: int) -> None:
        self._saving = False
        self.version = version
        self.shown.update(changes)
        show_errors(self, {})
        self._mark_dirty()
        self.changed(_("Requisites saved"))

    def _failed(self, error: BaseException) -> None:
        self._saving = False
        self.route_error(
            error,
            fields=self._show_errors,
            conflict=lambda e: self.show_conflict(e, self.typed_for_copy(), self._take_saved),
        )

    def _show_errors(self, errors: dict[str, str]) -> None:
        rest = show_errors(self, errors)
        self.post_message(self.ShowTab(self))
        if rest:
            self.notify(rest, severity="error")

    def _take_saved(self) -> None:
        self._accept_version = True
        self.post_message(self.Reload())


# --- bank accounts -------------------------------------------------------------------------


def bank_fields(b: BankAccountInfo | None = None) -> list[FieldSpec]:
    return [
        FieldSpec("bank_name", _("Bank"), b.bank_name if b else "", max_length=250),
        FieldSpec("bik", _("BIK"), b.bik if b else "", max_length=9),
        FieldSpec("account_no", _("Account"), b.account_no if b else "", max_length=20),
        FieldSpec(
            "corr_account",
            _("Correspondent account"),
            (b.corr_account or "") if b else "",
            max_length=20,
        ),
        FieldSpec("currency_code", _("Currency"), b.currency_code if b else "RUB", max_length=3),
        FieldSpec(
            "is_main",
            _("Main account"),
            b.is_main if b else False,
            choices=yes_no(),
            allow_blank=False,
        ),
    ]


def add_account(ctx: Any, company_id: int, values: dict[str, Any]) -> int:
    data = {k: values.get(k) for k in BANK_FIELDS}
    data["corr_account"] = data.get("corr_account") or None
    data["currency_code"] = data.get("currency_code") or "RUB"
    data["is_main"] = bool(data.get("is_main"))
    data["bank_name"] = data.get("bank_name") or ""
    data["bik"] = data.get("bik") or ""
    data["account_no"] = data.get("account_no") or ""
    return contact_service.add_bank_account(ctx, company_id, BankAccountInput(**data))


class AccountSaver:
    def __init__(self, account: BankAccountInfo) -> None:
        self.account = account
        self.version = account.version
        self.saved = {f.name: f.value for f in bank_fields(account)}

    def __call__(self, ctx: Any, values: dict[str, Any]) -> int:
        changes = {
            k: (None if v == "" else v)
            for k, v in values.items()
            if k in BANK_FIELDS and not same(v, self.saved.get(k))
        }
        if changes:
            self.version = contact_service.update_bank_account(
                ctx, self.account.id, self.version, **changes
            )
            self.saved.update({k: values[k] for k in changes})
        return self.version


class BankPanel(RecordsPanel[BankAccountInfo]):
    """Bank accounts: the keys act when the table has the focus."""

    BINDINGS = [
        Binding("insert", "add", N_("Add an account"), id="bank_accounts.add"),
        Binding("delete", "delete", N_("Delete the account"), id="bank_accounts.delete"),
    ]
    DEFAULT_CSS = "BankPanel { height: auto; margin-top: 1; }"
    TABLE = "bank"
    COLUMNS = (
        N_("Bank"),
        N_("BIK"),
        N_("Account"),
        N_("Corr. account"),
        N_("Currency"),
        N_("Main account"),
    )
    ADD = staticmethod(add_account)
    DELETE = staticmethod(contact_service.delete_bank_account)
    NEW_TITLE = N_("New bank account")
    ADDED = N_("Bank account added")
    SAVED = N_("Bank account saved")
    DELETED = N_("Bank account deleted")

    def records(self, card: ClientCard) -> Sequence[BankAccountInfo]:
        return card.bank_accounts

    def heading(self, card: ClientCard) -> str:
        return _("Bank accounts: {n}").format(n=len(card.bank_accounts))

    def row(self, b: BankAccountInfo) -> list[str | Text]:
        return [
            b.bank_name,
            b.bik,
            b.account_no,
            b.corr_account or "",
            b.currency_code,
            text(b.is_main),
        ]

    def fields(self, account: BankAccountInfo | None) -> list[FieldSpec]:
        return bank_fields(account)

    def edit_title(self, account: BankAccountInfo) -> str:
        return _("Bank account")

    def saver(self, account: BankAccountInfo) -> AccountSaver:
        return AccountSaver(account)

    def delete_question(self, account: BankAccountInfo) -> str:
        return _("Delete the account {account} in «{bank}»?").format(
            account=account.account_no, bank=account.bank_name
        )
