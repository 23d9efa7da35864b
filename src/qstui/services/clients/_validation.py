"""Validation of the client forms (C4): one message per bad field.

Each function takes the values of a form (all of them, or only the changed ones with
``partial=True``) and returns ``(clean, errors)``: the normalized values ready for the
columns, and ``{field: message}``. Lengths are checked against the columns (Firebird
refuses over-long strings, SQLite would silently keep them). References (region,
manager, price list…) are checked against the database by the services.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from qstui.domain import validators as V
from qstui.domain.enums import ClientKind, PhoneKind
from qstui.domain.formatting import parse_day
from qstui.domain.text import multi_line, one_line, required, too_long
from qstui.i18n import _

Clean = dict[str, Any]
Errors = dict[str, str]

_COMPANY_TEXT = {
    "full_name": 500,
    "legal_form": 20,
    "legal_address": 500,
    "postal_address": 500,
    "city": 100,
    "website": 200,
}
_IDS = ("region_id", "industry_id", "source_id", "manager_id", "price_list_id")


class Form:
    """Collects clean values and one error per field."""

    def __init__(self, data: Mapping[str, Any], partial: bool) -> None:
        self.data = data
        self.partial = partial
        self.clean: Clean = {}
        self.errors: Errors = {}

    def has(self, key: str) -> bool:
        return key in self.data or not self.partial

    def text(self, key: str, limit: int, *, needed: bool = False, lines: bool = False) -> None:
        if not self.has(key):
            return
        value = (multi_line if lines else one_line)(self.data.get(key))
        if value is None and needed:
            self.errors[key] = required()
        elif value is not None and len(value) > limit:
            self.errors[key] = too_long(limit)
        else:
            self.clean[key] = value

    def check(self, key: str, fn: Callable[[str], Any], limit: int | None = None) -> None:
        """An optional code checked by a validator (INN, KPP, phone…)."""
        if not self.has(key):
            return
        value = one_line(self.data.get(key))
        if value is None:
            self.clean[key] = None
            return
        if limit is not None and len(value) > limit:
            self.errors[key] = too_long(limit)
            return
        try:
            self.clean[key] = fn(value)
        except V.ValidationError as exc:
            self.errors[key] = exc.message

    def integer(self, key: str, low: int | None = None, high: int | None = None) -> None:
        if not self.has(key):
            return
        raw = self.data.get(key)
        if raw is None or raw == "":
            self.clean[key] = None
            return
        try:
            value = int(raw)
            if isinstance(raw, bool) or (isinstance(raw, float | Decimal) and raw != value):
                raise ValueError(raw)
        except (TypeError, ValueError):
            self.errors[key] = _("Enter a whole number")
            return
        if (low is not None and value < low) or (high is not None and value > high):
            self.errors[key] = _("Enter a number from {low} to {high}").format(low=low, high=high)
            return
        self.clean[key] = value

    def decimal(self, key: str, low: Decimal, high: Decimal) -> None:
        if not self.has(key):
            return
        raw = self.data.get(key)
        if raw is None or raw == "":
            self.clean[key] = None
            return
        try:
            value = Decimal(str(raw).replace(",", ".").strip())
            if not value.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            self.errors[key] = _("Enter a number")
            return
        if not low <= value <= high:
            self.errors[key] = _("Enter a number from {low} to {high}").format(low=low, high=high)
            return
        self.clean[key] = value.quantize(Decimal("0.001"))

    def money(self, key: str) -> None:
        """An amount of at most two decimals, 0 … the largest NUMERIC(18, 2)."""
        self.decimal(key, Decimal(0), Decimal("9999999999999999.99"))
        if self.clean.get(key) is not None:
            value = Decimal(str(self.data.get(key)).replace(",", ".").strip())
            if value != value.quantize(Decimal("0.01")):
                del self.clean[key]
                self.errors[key] = _("Enter an amount with at most two decimals")
            else:
                self.clean[key] = value.quantize(Decimal("0.01"))

    def day(self, key: str) -> None:
        if not self.has(key):
            return
        raw = self.data.get(key)
        if raw is None or raw == "":
            self.clean[key] = None
        elif isinstance(raw, date):
            self.clean[key] = raw
        else:
            try:
                self.clean[key] = parse_day(str(raw))
            except ValueError:
                self.errors[key] = _("Enter a date as DD.MM.YYYY")

    def flag(self, key: str, default: bool) -> None:
        if not self.has(key):
            return
        raw = self.data.get(key)
        self.clean[key] = default if raw is None else bool(raw)

    def ident(self, key: str) -> None:
        self.integer(key, 1, None)

    def result(self) -> tuple[Clean, Errors]:
        return self.clean, self.errors


def company_values(data: Mapping[str, Any], *, partial: bool = False) -> tuple[Clean, Errors]:
    """The company form (``CompanyInput`` fields, ``phone`` and ``email`` included)."""
    form = Form(data, partial)
    form.text("name", 250, needed=True)
    for key, limit in _COMPANY_TEXT.items():
        form.text(key, limit)
    form.text("notes", 4000, lines=True)
    form.check("inn", V.inn, 12)
    form.check("kpp", V.kpp, 9)
    form.check("ogrn", V.ogrn, 15)
    form.check("okpo", _okpo, 14)
    form.check("phone", _phone, 40)
    form.check("email", V.email, 200)
    if form.has("client_kind"):
        raw = data.get("client_kind")
        if raw is None or raw == "":
            if not partial:
                form.clean["client_kind"] = ClientKind.CLIENT
        elif str(raw) in {k.value for k in ClientKind}:
            form.clean["client_kind"] = ClientKind(str(raw))
        else:
            form.errors["client_kind"] = _("Choose one of: {values}").format(
                values=", ".join(k.value for k in ClientKind)
            )
    form.integer("rating", 0, 5)
    if form.clean.get("rating", 0) is None:
        form.clean["rating"] = 0
    for key in ("region_id", "industry_id", "source_id", "manager_id"):
        form.ident(key)
    return form.result()


def _okpo(value: str) -> str:
    if not (value.isascii() and value.isdigit() and len(value) in (8, 10, 14)):
        raise V.ValidationError("okpo", _("OKPO must have 8, 10 or 14 digits"))
    return value


def _phone(value: str) -> str:
    V.phone(value)
    return value  # kept as typed: the digits are derived when it is saved


def contact_values(data: Mapping[str, Any], *, partial: bool = False) -> tuple[Clean, Errors]:
    form = Form(data, partial)
    form.text("last_name", 60, needed=True)
    form.text("first_name", 60)
    form.text("middle_name", 60)
    form.text("job_title", 150)
    form.text("notes", 2000, lines=True)
    form.day("birth_date")
    form.flag("is_primary", False)
    form.flag("is_active", True)
    return form.result()


def phone_values(data: Mapping[str, Any], *, partial: bool = False) -> tuple[Clean, Errors]:
    form = Form(data, partial)
    if form.has("number"):
        number = one_line(data.get("number"))
        if number is None:
            form.errors["number"] = required()
        elif len(number) > 40:
            form.errors["number"] = too_long(40)
        else:
            try:
                V.phone(number)
                form.clean["number"] = number
            except V.ValidationError as exc:
                form.errors["number"] = exc.message
    if form.has("kind"):
        raw = data.get("kind") or PhoneKind.WORK
        if str(raw) in {k.value for k in PhoneKind}:
            form.clean["kind"] = PhoneKind(str(raw))
        else:
            form.errors["kind"] = _("Choose one of: {values}").format(
                values=", ".join(k.value for k in PhoneKind)
            )
    if form.has("ext"):
        ext = one_line(data.get("ext"))
        if ext is not None and not (ext.isascii() and ext.isdigit() and len(ext) <= 10):
            form.errors["ext"] = _("An extension is up to 10 digits")
        else:
            form.clean["ext"] = ext
    form.text("note", 200)
    return form.result()


def email_values(data: Mapping[str, Any], *, partial: bool = False) -> tuple[Clean, Errors]:
    form = Form(data, partial)
    if form.has("address"):
        if one_line(data.get("address")) is None:
            form.errors["address"] = required()
        else:
            form.check("address", V.email, 200)
    form.flag("allow_mailing", True)
    form.text("note", 200)
    return form.result()


def bank_values(data: Mapping[str, Any], *, partial: bool = False) -> tuple[Clean, Errors]:
    """Bank details: BIK, account with its control key against the BIK, corr. account."""
    form = Form(data, partial)
    form.text("bank_name", 250, needed=True)
    for key in ("bik", "account_no"):
        if form.has(key) and one_line(data.get(key)) is None:
            form.errors[key] = required()
    if "bik" not in form.errors:
        form.check("bik", V.bik, 9)
    bik = form.clean.get("bik")
    if form.has("account_no") and "account_no" not in form.errors:
        if bik is None and "bik" not in form.errors:
            form.errors["account_no"] = _("Give the BIK to check the account")
        elif bik is not None:
            form.check("account_no", lambda v: _keyed(V.account, v, bik, "account_no"), 20)
    if form.has("corr_account") and bik is not None:
        form.check("corr_account", lambda v: _keyed(V.corr_account, v, bik, "corr_account"), 20)
    elif form.has("corr_account") and one_line(data.get("corr_account")) is None:
        form.clean["corr_account"] = None
    if form.has("currency_code"):
        code = (one_line(data.get("currency_code")) or "RUB").upper()
        if len(code) != 3 or not code.isalpha():
            form.errors["currency_code"] = _("A currency code has 3 letters, e.g. RUB")
        else:
            form.clean["currency_code"] = code
    form.flag("is_main", False)
    return form.result()


def _keyed(fn: Callable[[str, str], str], value: str, bik: str, field: str) -> str:
    try:
        return fn(value, bik)
    except V.ValidationError as exc:
        raise V.ValidationError(field, exc.message) from None


def terms_values(data: Mapping[str, Any], *, partial: bool = False) -> tuple[Clean, Errors]:
    """Client terms (C6)."""
    form = Form(data, partial)
    form.text("title", 150, needed=True)
    form.decimal("discount_pct", Decimal(0), Decimal(100))
    form.decimal("markup_pct", Decimal(0), Decimal(1000))
    form.decimal("prepay_pct", Decimal(0), Decimal(100))
    form.integer("credit_days", 0, 3650)
    form.money("credit_limit")
    form.text("pay_schedule", 1000, lines=True)
    form.text("delivery_terms", 1000, lines=True)
    form.day("valid_from")
    form.day("valid_to")
    form.ident("price_list_id")
    form.flag("is_active", True)
    return form.result()


def check_period(clean: Clean, current: Mapping[str, Any], errors: Errors) -> None:
    """``valid_from`` ≤ ``valid_to`` after the change."""
    start = clean.get("valid_from", current.get("valid_from"))
    end = clean.get("valid_to", current.get("valid_to"))
    if start and end and start > end and "valid_to" not in errors:
        errors["valid_to"] = _("The end date is before the start date")
