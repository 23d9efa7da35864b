"""Validators of Russian requisites (INN, KPP, OGRN, BIK, accounts) and contacts.

Every public function takes the raw string the user typed, strips surrounding
whitespace, and returns the normalized value or raises :class:`ValidationError`.
Requisites must be typed as bare digits (no inner spaces or dashes); only phone numbers
may contain spaces, dashes, dots and parentheses.

BIK: 9 digits starting with "0". This covers classic bank and Bank of Russia BIKs
("04...") as well as the Federal Treasury (TOFK) BIKs introduced in 2021 ("00", "01",
"02"...). Treasury accounts ("03...") opened at a non-"04" BIK carry no control key, so
:func:`account` does not check the key for them.
"""

from __future__ import annotations

import re

from qstui.domain.normalize import phone_digits
from qstui.i18n import _

__all__ = [
    "ValidationError",
    "account",
    "bik",
    "corr_account",
    "email",
    "inn",
    "kpp",
    "ogrn",
    "ogrnip",
    "phone",
]

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_ACCOUNT_WEIGHTS = (7, 1, 3)
_RKC_BIK_SUFFIXES = ("000", "001", "002")

_KPP_RE = re.compile(r"\d{4}[0-9A-Z]{2}\d{3}")
_PHONE_RE = re.compile(r"\+?[0-9\s().\-]+")
_DOMAIN_LABEL_RE = re.compile(r"[^\W_](?:(?:[^\W_]|-)*[^\W_])?")


class ValidationError(ValueError):
    """A user-typed value is invalid; ``message`` is translated and ready to show."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        return type(self), (self.field, self.message)


def _is_digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def _weighted_check(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10


def _account_key_ok(key: str, account_digits: str) -> bool:
    s = key + account_digits
    return sum(int(d) * _ACCOUNT_WEIGHTS[i % 3] for i, d in enumerate(s)) % 10 == 0


def inn(value: str) -> str:
    """INN: 10 digits (legal entity) or 12 digits (individual) with FNS check digits."""
    value = (value or "").strip()
    if not _is_digits(value):
        raise ValidationError("inn", _("INN must contain digits only"))
    if len(value) == 10:
        ok = _weighted_check(value[:9], _INN10_WEIGHTS) == int(value[9])
    elif len(value) == 12:
        ok = _weighted_check(value[:10], _INN12_WEIGHTS_11) == int(value[10]) and (
            _weighted_check(value[:11], _INN12_WEIGHTS_12) == int(value[11])
        )
    else:
        raise ValidationError("inn", _("INN must have 10 or 12 digits"))
    if not ok:
        raise ValidationError("inn", _("INN checksum does not match: check the digits"))
    return value


def kpp(value: str) -> str:
    """KPP: 4 digits, 2 characters 0-9/A-Z (Latin, upper-cased here), 3 digits."""
    value = (value or "").strip().upper()
    if len(value) != 9:
        raise ValidationError("kpp", _("KPP must have 9 characters"))
    if not (value.isascii() and _KPP_RE.fullmatch(value)):
        raise ValidationError(
            "kpp", _("KPP must be 4 digits, 2 digits or Latin letters, then 3 digits")
        )
    return value


def _ogrn(value: str, field: str, lengths: tuple[int, ...]) -> str:
    value = (value or "").strip()
    if not _is_digits(value):
        raise ValidationError(field, _("OGRN must contain digits only"))
    if len(value) not in lengths:
        if lengths == (15,):
            raise ValidationError(field, _("OGRNIP must have 15 digits"))
        raise ValidationError(field, _("OGRN must have 13 digits (OGRNIP: 15 digits)"))
    modulus = 11 if len(value) == 13 else 13
    if int(value[:-1]) % modulus % 10 != int(value[-1]):
        raise ValidationError(field, _("OGRN checksum does not match: check the digits"))
    return value


def ogrn(value: str) -> str:
    """OGRN (13 digits) or OGRNIP (15 digits) with its check digit."""
    return _ogrn(value, "ogrn", (13, 15))


def ogrnip(value: str) -> str:
    """OGRNIP of an individual entrepreneur: 15 digits with its check digit."""
    return _ogrn(value, "ogrnip", (15,))


def bik(value: str) -> str:
    """BIK: 9 digits starting with "0" (banks "04...", treasury "00/01/02...")."""
    value = (value or "").strip()
    if not _is_digits(value):
        raise ValidationError("bik", _("BIK must contain digits only"))
    if len(value) != 9:
        raise ValidationError("bik", _("BIK must have 9 digits"))
    if value[0] != "0":
        raise ValidationError("bik", _("BIK must start with 0"))
    return value


def _account_digits(value: str, field: str) -> str:
    value = (value or "").strip()
    if not _is_digits(value):
        raise ValidationError(field, _("Account number must contain digits only"))
    if len(value) != 20:
        raise ValidationError(field, _("Account number must have 20 digits"))
    return value


def account(value: str, bik_value: str) -> str:
    """Settlement account (20 digits) whose control key matches the BIK.

    The BIK is validated too; an invalid BIK raises with ``field == "bik"``.
    """
    value = _account_digits(value, "account")
    bank = bik(bik_value)
    if value.startswith("03") and not bank.startswith("04"):
        return value  # treasury account at a TOFK: no control key by design
    # Account in an RKC: "0" + BIK digits 5-6; in a credit organisation: BIK digits 7-9.
    key = "0" + bank[4:6] if bank[6:] in _RKC_BIK_SUFFIXES else bank[6:]
    if not _account_key_ok(key, value):
        raise ValidationError(
            "account", _("Account number does not match the BIK: check the account and the BIK")
        )
    return value


def corr_account(value: str, bik_value: str) -> str:
    """Correspondent account: 20 digits starting with "301", key checked against the BIK."""
    value = _account_digits(value, "corr_account")
    bank = bik(bik_value)
    if not value.startswith("301"):
        raise ValidationError("corr_account", _("Correspondent account must start with 301"))
    if not _account_key_ok("0" + bank[4:6], value):
        raise ValidationError(
            "corr_account",
            _("Correspondent account does not match the BIK: check the account and the BIK"),
        )
    return value


def phone(value: str) -> str:
    """Phone number as digits: Russian numbers as 11 digits "7XXXXXXXXXX".

    Accepts "+7 (495) 123-45-67", "8 495 1234567", "495 123 45 67" and international
    "+<country><number>" with 8 to 15 digits in total.
    """
    value = (value or "").strip()
    if not value:
        raise ValidationError("phone", _("Enter a phone number"))
    if not _PHONE_RE.fullmatch(value):
        raise ValidationError(
            "phone", _("Phone number may contain only digits, spaces, dashes and parentheses")
        )
    digits = phone_digits(value)
    if value.startswith("+") and not digits.startswith("7"):
        if not 8 <= len(digits) <= 15:
            raise ValidationError(
                "phone", _("An international phone number must have 8 to 15 digits")
            )
        return digits
    # Russian (and Kazakh) numbering: 11 digits starting with 7 after normalization.
    if len(digits) != 11 or not digits.startswith("7"):
        raise ValidationError(
            "phone", _("A Russian phone number must have 10 digits after +7 or 8")
        )
    return digits


def email(value: str) -> str:
    """E-mail address: lower-cased domain (Cyrillic allowed), local part kept as typed."""
    value = (value or "").strip()
    if not value:
        raise ValidationError("email", _("Enter an e-mail address"))
    local, sep, domain = value.rpartition("@")
    if (
        not sep
        or not local
        or "@" in local
        or any(ch.isspace() or not ch.isprintable() for ch in value)
        or len(value) > 254
    ):
        raise ValidationError("email", _("E-mail address must look like name@example.com"))
    domain = domain.lower()
    labels = domain.split(".")
    if (
        len(labels) < 2
        or len(labels[-1]) < 2
        or not all(_DOMAIN_LABEL_RE.fullmatch(label) for label in labels)
    ):
        raise ValidationError("email", _("E-mail domain is not valid, e.g. example.com"))
    return f"{local}@{domain}"
