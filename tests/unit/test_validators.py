"""Validators of Russian requisites and contacts (qstui.domain.validators)."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qstui.domain import validators as v
from qstui.domain.validators import ValidationError

INN10_W = (2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12_W1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12_W2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _sum(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


def make_inn10(body: str) -> str:
    return body + str(_sum(body, INN10_W) % 11 % 10)


def make_inn12(body: str) -> str:
    body += str(_sum(body, INN12_W1) % 11 % 10)
    return body + str(_sum(body, INN12_W2) % 11 % 10)


def _mutations(value: str, positions: range):
    for i in positions:
        for d in "0123456789":
            if d != value[i]:
                yield i, value[:i] + d + value[i + 1 :]


def assert_invalid(func, value, field, *args):
    with pytest.raises(ValidationError) as info:
        func(value, *args)
    err = info.value
    assert err.field == field
    assert isinstance(err.message, str) and err.message.strip()
    assert str(err) == err.message
    assert isinstance(err, ValueError)
    return err


# --- ValidationError -------------------------------------------------------------------


def test_validation_error_attributes_and_pickle():
    err = ValidationError("inn", "bad")
    assert (err.field, err.message, str(err)) == ("inn", "bad", "bad")
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.field, copy.message) == ("inn", "bad")


# --- INN -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "7707083893",  # ПАО Сбербанк
        "7736207543",  # ООО «Яндекс»
        " 7707083893 ",  # surrounding spaces are stripped
        "771234567859",  # generated 12-digit INN of an individual (checked below)
    ],
)
def test_inn_valid(value):
    assert v.inn(value) == value.strip()


def test_generated_inn12_is_built_by_the_algorithm():
    assert make_inn12("7712345678") == "771234567859"


def test_inn_error_messages_are_distinct():
    letters = assert_invalid(v.inn, "77070838a3", "inn")
    length = assert_invalid(v.inn, "770708389", "inn")
    checksum = assert_invalid(v.inn, "7707083894", "inn")
    assert len({letters.message, length.message, checksum.message}) == 3


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "7707 083893",  # inner spaces are not allowed in requisites
        "7707-083893",
        "７７０７０８３８９３",  # full-width digits
        "77070838931",  # 11 digits
        "7707083892",  # wrong check digit
        "7707083993",  # one body digit changed
        "771234567858",  # 12 digits, wrong last check digit
        "771234567849",  # 12 digits, wrong 11th check digit
    ],
)
def test_inn_invalid(value):
    assert_invalid(v.inn, value, "inn")


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_inn10_property(body):
    value = make_inn10(body)
    assert v.inn(value) == value
    # Changing the check digit always fails.
    for _i, bad in _mutations(value, range(9, 10)):
        assert_invalid(v.inn, bad, "inn")
    # Changing a body digit always changes the sum mod 11 (weights and deltas are non-zero
    # mod 11), so it fails unless the sum moves between 0 and 10, which both give check 0.
    old = _sum(body, INN10_W) % 11
    for _i, bad in _mutations(value, range(9)):
        new = _sum(bad[:9], INN10_W) % 11
        if {old, new} == {0, 10}:
            assert v.inn(bad) == bad
        else:
            assert_invalid(v.inn, bad, "inn")


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_inn12_property(body):
    value = make_inn12(body)
    assert v.inn(value) == value
    for _i, bad in _mutations(value, range(10, 12)):
        assert_invalid(v.inn, bad, "inn")
    old = _sum(body, INN12_W1) % 11
    for _i, bad in _mutations(value, range(10)):
        new = _sum(bad[:10], INN12_W1) % 11
        if {old, new} != {0, 10}:
            assert_invalid(v.inn, bad, "inn")


# --- KPP -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("773601001", "773601001"), ("7736AB001", "7736AB001"), (" 7736ab001 ", "7736AB001")],
)
def test_kpp_valid(value, expected):
    assert v.kpp(value) == expected


@pytest.mark.parametrize(
    "value", ["", "77360100", "7736010011", "77A601001", "773601A01", "7736АБ001", "7736 1001"]
)
def test_kpp_invalid(value):
    assert_invalid(v.kpp, value, "kpp")


# --- OGRN / OGRNIP ---------------------------------------------------------------------


def test_ogrn_valid():
    assert v.ogrn("1027700132195") == "1027700132195"  # ПАО Сбербанк
    assert v.ogrn("304500116000157") == "304500116000157"  # OGRNIP is accepted as OGRN
    assert v.ogrnip("304500116000157") == "304500116000157"


@pytest.mark.parametrize(
    "value",
    ["", "102770013219", "10277001321950", "1027700132194", "1027700132185", "10277OO132195"],
)
def test_ogrn_invalid(value):
    assert_invalid(v.ogrn, value, "ogrn")


@pytest.mark.parametrize("value", ["1027700132195", "304500116000156", "30450011600015a"])
def test_ogrnip_invalid(value):
    assert_invalid(v.ogrnip, value, "ogrnip")


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_ogrn_check_digit_property(body):
    value = body + str(int(body) % 11 % 10)
    assert v.ogrn(value) == value
    for _i, bad in _mutations(value, range(12, 13)):
        assert_invalid(v.ogrn, bad, "ogrn")


# --- BIK and accounts ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["044525225", "049805746", "004525988", "024501901"])
def test_bik_valid(value):
    assert v.bik(value) == value


@pytest.mark.parametrize("value", ["", "04452522", "0445252250", "144525225", "04452522O"])
def test_bik_invalid(value):
    assert_invalid(v.bik, value, "bik")


@pytest.mark.parametrize(
    ("acc", "bik"),
    [
        ("40702810938000000001", "044525225"),  # key computed for Сбербанк's BIK
        ("40602810700000000025", "049805746"),  # example from Bank of Russia order N 515
        ("03100643000000017300", "004525988"),  # treasury account: no control key
    ],
)
def test_account_valid(acc, bik):
    assert v.account(acc, bik) == acc


def test_account_in_rkc_uses_bik_digits_5_6():
    # Same number: valid at an RKC BIK (key "005"), invalid at a bank BIK (key "746").
    assert v.account("30101810800000000746", "049805000") == "30101810800000000746"
    assert_invalid(v.account, "30101810800000000746", "account", "049805746")


@pytest.mark.parametrize(
    ("acc", "bik", "field"),
    [
        ("40702810838000000001", "044525225", "account"),  # key digit changed
        ("40702810938000000002", "044525225", "account"),  # last digit changed
        ("40702810938000000001", "044525226", "account"),  # other bank
        ("4070281093800000000", "044525225", "account"),  # 19 digits
        ("407028109380000000011", "044525225", "account"),
        ("4070281093800000000A", "044525225", "account"),
        ("40702810938000000001", "14452522", "bik"),  # the BIK itself is invalid
        ("03100643000000017300", "044525225", "account"),  # "03" at a bank: key checked
    ],
)
def test_account_invalid(acc, bik, field):
    assert_invalid(v.account, acc, field, bik)


def test_corr_account_valid():
    assert v.corr_account("30101810400000000225", "044525225") == "30101810400000000225"
    assert v.corr_account("30101810800000000746", "049805000") == "30101810800000000746"


@pytest.mark.parametrize(
    ("acc", "bik", "field"),
    [
        ("30101810500000000225", "044525225", "corr_account"),
        ("30101810400000000225", "044030653", "corr_account"),
        ("40702810938000000001", "044525225", "corr_account"),  # not a 301 account
        ("3010181040000000022", "044525225", "corr_account"),
        ("30101810400000000225", "", "bik"),
    ],
)
def test_corr_account_invalid(acc, bik, field):
    assert_invalid(v.corr_account, acc, field, bik)


# --- Phone -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+7 (495) 123-45-67", "74951234567"),
        ("8 495 1234567", "74951234567"),
        ("84951234567", "74951234567"),
        ("495 123 45 67", "74951234567"),
        ("7 916 123-45-67", "79161234567"),
        ("+7.916.123.45.67", "79161234567"),
        ("+44 20 7946 0958", "442079460958"),
        ("+81 3 1234 5678", "81312345678"),  # 11 digits after "+8": not turned into +7
        ("+375 29 1234567", "375291234567"),
    ],
)
def test_phone_valid(value, expected):
    assert v.phone(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "123",
        "495 123 45 6",
        "+7 495 123 45 6",
        "+7 495 123 45 678",
        "8 495 123 45 678",
        "91612345678",  # 11 digits, not starting with 7 or 8, no "+"
        "+1234567",  # international, 7 digits
        "+1234567890123456",  # international, 16 digits
        "8-916-abc-45-67",
        "+7 916 123 45 67 доб. 123",
        "7 +916 123 45 67",
        "٤٩٥١٢٣٤٥٦٧",  # non-ASCII digits
    ],
)
def test_phone_invalid(value):
    assert_invalid(v.phone, value, "phone")


# --- E-mail ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Ivan.Petrov@Example.COM", "Ivan.Petrov@example.com"),
        (" sales+crm@mail.ru ", "sales+crm@mail.ru"),
        ("иван@почта.рф", "иван@почта.рф"),
        ("Info@ПОЧТА.РФ", "Info@почта.рф"),
        ("a@xn--80a1acny.xn--p1ai", "a@xn--80a1acny.xn--p1ai"),
        ("a@sub-domain.example.co.uk", "a@sub-domain.example.co.uk"),
    ],
)
def test_email_valid(value, expected):
    assert v.email(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "plainaddress",
        "@example.com",
        "a@",
        "a@b",
        "a@@b.ru",
        "a@b@c.ru",
        "a b@c.ru",
        "a@b c.ru",
        "a@.ru",
        "a@b..ru",
        "a@-b.ru",
        "a@b.r",
        "a@b_c.ru",
        "a\x00@b.ru",
    ],
)
def test_email_invalid(value):
    assert_invalid(v.email, value, "email")


# --- Totality --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("func", "field"),
    [
        (v.inn, "inn"),
        (v.kpp, "kpp"),
        (v.ogrn, "ogrn"),
        (v.ogrnip, "ogrnip"),
        (v.bik, "bik"),
        (v.phone, "phone"),
        (v.email, "email"),
    ],
)
@given(text=st.text(max_size=40))
def test_validators_raise_only_validation_error(func, field, text):
    try:
        func(text)
    except ValidationError as err:
        assert err.field == field
        assert err.message


@given(acc=st.text(max_size=25), bik=st.text(max_size=12))
def test_account_validators_raise_only_validation_error(acc, bik):
    for func in (v.account, v.corr_account):
        try:
            func(acc, bik)
        except ValidationError as err:
            assert err.field in {"account", "corr_account", "bik"}
