"""Valid Russian requisites for demo companies: INN, KPP, OGRN/OGRNIP, bank accounts.

Check digits follow the same rules ``qstui.domain.validators`` verifies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_ACCOUNT_WEIGHTS = (7, 1, 3)


@dataclass(frozen=True)
class Bank:
    name: str
    bik: str
    corr_account: str


# Real Moscow banks with their real correspondent accounts.
BANKS = (
    Bank("ПАО Сбербанк", "044525225", "30101810400000000225"),
    Bank("АО «Альфа-Банк»", "044525593", "30101810200000000593"),
    Bank("АО «ТБанк»", "044525974", "30101810145250000974"),
    Bank("АО «Райффайзенбанк»", "044525700", "30101810200000000700"),
    Bank("Банк ВТБ (ПАО)", "044525187", "30101810700000000187"),
)


def _check(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


def tax_office(rng: random.Random, region_code: str) -> str:
    """A tax office number within the region (Moscow has ~50 of them)."""
    top = 51 if region_code == "77" else 28 if region_code == "78" else 20
    return f"{rng.randint(1, top):02d}"


def inn_legal(rng: random.Random, region_code: str, office: str) -> str:
    """10-digit INN of a legal entity: region, tax office, 5 digits, check digit."""
    body = f"{region_code}{office}{rng.randint(0, 99999):05d}"
    return body + _check(body, _INN10)


def inn_person(rng: random.Random, region_code: str, office: str) -> str:
    """12-digit INN of an individual entrepreneur with its two check digits."""
    body = f"{region_code}{office}{rng.randint(0, 999999):06d}"
    body += _check(body, _INN12_11)
    return body + _check(body, _INN12_12)


def kpp(region_code: str, office: str) -> str:
    """KPP of a company registered at its location: region + office + "01001"."""
    return f"{region_code}{office}01001"


def ogrn(rng: random.Random, region_code: str, year: int) -> str:
    """13-digit OGRN: "1", year, region, 7 digits, check digit (mod 11)."""
    body = f"1{year % 100:02d}{region_code}{rng.randint(0, 9_999_999):07d}"
    return body + str(int(body) % 11 % 10)


def ogrnip(rng: random.Random, region_code: str, year: int) -> str:
    """15-digit OGRNIP: "3", year, region, 9 digits, check digit (mod 13)."""
    body = f"3{year % 100:02d}{region_code}{rng.randint(0, 999_999_999):09d}"
    return body + str(int(body) % 13 % 10)


def settlement_account(rng: random.Random, bik: str, individual: bool = False) -> str:
    """A 20-digit RUB settlement account (40702 companies, 40802 entrepreneurs) whose
    control key (the 9th digit) matches the BIK of a credit organisation."""
    head = ("40802" if individual else "40702") + "810"
    tail = f"{rng.randint(0, 9999):04d}{rng.randint(0, 9_999_999):07d}"
    for key in "0123456789":
        account = head + key + tail
        digits = bik[-3:] + account
        if sum(int(d) * _ACCOUNT_WEIGHTS[i % 3] for i, d in enumerate(digits)) % 10 == 0:
            return account
    raise AssertionError("no control key")  # pragma: no cover - weight 3 is invertible
