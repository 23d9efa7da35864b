"""Commercial proposals (D8): the amount in words, and the КП of a deal as text, HTML
and Markdown, on both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from deal_support import company, contact, make_team, product, row

from qstui.db.models import AppUser, Deal, Setting
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.i18n import set_language
from qstui.services import deals as D
from qstui.services.deals import items as I
from qstui.services.deals.in_words import amount_in_words, number_words, plural
from qstui.services.deals.proposals import render_proposal, write_proposal

ON = date(2026, 3, 10)
WORDS = "Сто двадцать три тысячи четыреста пятьдесят шесть рублей 78 копеек"
HOSTILE = 'Ноутбук <script>alert("x")</script> & Co'


# --- the amount in words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("123456.78", WORDS),
        ("0", "Ноль рублей 00 копеек"),
        ("1", "Один рубль 00 копеек"),
        ("2.01", "Два рубля 01 копейка"),
        ("5.02", "Пять рублей 02 копейки"),
        ("11.11", "Одиннадцать рублей 11 копеек"),
        ("21.21", "Двадцать один рубль 21 копейка"),
        ("104.05", "Сто четыре рубля 05 копеек"),
        ("1000", "Одна тысяча рублей 00 копеек"),
        ("2000", "Две тысячи рублей 00 копеек"),
        ("5000", "Пять тысяч рублей 00 копеек"),
        ("11000", "Одиннадцать тысяч рублей 00 копеек"),
        ("21000", "Двадцать одна тысяча рублей 00 копеек"),
        ("22512", "Двадцать две тысячи пятьсот двенадцать рублей 00 копеек"),
        ("1000000", "Один миллион рублей 00 копеек"),
        ("2000000", "Два миллиона рублей 00 копеек"),
        ("1001001.10", "Один миллион одна тысяча один рубль 10 копеек"),
        ("3000000000", "Три миллиарда рублей 00 копеек"),
        ("0.995", "Один рубль 00 копеек"),  # rounded half up to kopecks first
    ],
)
def test_amount_in_words_in_rubles(amount, expected):
    assert amount_in_words(Decimal(amount)) == expected


def test_amount_in_words_other_currencies_and_plural_forms():
    assert amount_in_words(Decimal("101.21"), "USD") == "Сто один доллар США 21 цент"
    assert amount_in_words(Decimal("3.05"), "EUR") == "Три евро 05 центов"
    assert amount_in_words(Decimal("1"), "CNY") is None
    forms = ("рубль", "рубля", "рублей")
    assert [plural(n, forms) for n in (1, 2, 4, 5, 11, 12, 14, 15, 21, 22, 25, 111, 101)] == [
        "рубль",
        "рубля",
        "рубля",
        "рублей",
        "рублей",
        "рублей",
        "рублей",
        "рублей",
        "рубль",
        "рубля",
        "рублей",
        "рублей",
        "рубль",
    ]
    assert number_words(999_999_999_999_999).startswith("девятьсот девяносто девять триллионов")
    assert number_words(2, feminine=True) == "две"


# --- the document ------------------------------------------------------------------------


def _proposal_deal(db):
    """A deal of 123 456.78 ₽: 100 000 ₽ at VAT 20 % and 2 × 11 728.39 ₽ at VAT 10 %."""
    team = make_team(db)
    with db.transaction() as s:
        anna = s.get(AppUser, team.id("anna"))
        anna.phone = "+7 495 111-22-33"
        anna.email = "anna@example.com"
        s.add(Setting(name="company.name", val="ООО «Наш & Ко»"))
        s.add(Setting(name="company.inn", val="7707083893"))
    client = company(
        db,
        "Ромашка",
        team.id("anna"),
        full_name="ООО «Ромашка» <b>",
        inn="7736207543",
        kpp="773601001",
        address="г. Москва, ул. Льва Толстого, д. 16",
    )
    person = contact(db, client, "Смирнов", "Олег", job_title="Директор", phone="+7 916 000-00-01")
    deal_id = D.create_deal(team.anna, client, "Оснащение офиса | этап 1", contact_id=person)
    laptop = product(db, HOSTILE, "100000.00", vat="20")
    setup = product(db, "Монтаж | настройка", "11728.39", vat="10", unit=None)
    v = I.add_item(team.anna, deal_id, 1, laptop, 1).deal_version
    I.add_item(team.anna, deal_id, v, setup, 2)
    assert row(db, Deal, deal_id).amount == Decimal("123456.78")
    return team, deal_id


def test_text_proposal_has_everything(db):
    team, deal_id = _proposal_deal(db)
    text = render_proposal(team.anna, deal_id, "txt", on=ON)

    assert text.startswith("ООО «Наш & Ко»\nINN: 7707083893\n")
    assert f"Commercial proposal No. {deal_id}-20260310 of 10.03.2026" in text
    assert "ООО «Ромашка» <b>" in text
    assert "INN 7736207543, KPP 773601001" in text
    assert "Address: г. Москва, ул. Льва Толстого, д. 16" in text
    assert "Contact person: Смирнов Олег, Директор, +7 916 000-00-01" in text
    assert "Subject: Оснащение офиса | этап 1" in text
    lines = text.splitlines()
    first = next(line for line in lines if HOSTILE in line)
    assert first.split()[0] == "1"
    assert "шт" in first and "100,000.00" in first
    second = next(line for line in lines if "Монтаж | настройка" in line)
    assert "11,728.39" in second and "23,456.78" in second
    assert "Total: 123,456.78\u00a0₽" in text
    # VAT included per item rate: 23 456.78 × 10/110 = 2 132.43; 100 000 × 20/120 = 16 666.67
    assert "incl. VAT 10\u00a0%: 2,132.43\u00a0₽" in text
    assert "incl. VAT 20\u00a0%: 16,666.67\u00a0₽" in text
    assert f"Amount in words: {WORDS}" in text
    assert "valid until 20.03.2026" in text
    assert "Your manager: Анна Иванова, +7 495 111-22-33, anna@example.com" in text


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_proposal_escapes_every_value(db):
    team, deal_id = _proposal_deal(db)
    page = render_proposal(team.anna, deal_id, "html", on=ON)

    assert page.startswith("<!DOCTYPE html>")
    assert "<script>" not in page and "» <b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page
    assert "ООО «Ромашка» &lt;b&gt;" in page
    assert "ООО «Наш &amp; Ко»" in page
    assert "@media print" in page
    parsed = _Collector()
    parsed.feed(page)
    assert "script" not in parsed.tags and "b" in parsed.tags  # only our own <b> labels
    text = "".join(parsed.text)
    assert HOSTILE in text  # the browser shows the name as typed
    assert WORDS in text
    assert "123,456.78\u00a0₽" in text and "16,666.67\u00a0₽" in text
    assert parsed.tags.count("tr") == 1 + 2 + 3  # header, two items, three total lines


def test_markdown_proposal_and_writing_files(db, tmp_path):
    team, deal_id = _proposal_deal(db)
    md = render_proposal(team.anna, deal_id, "md", on=ON)
    assert "| № | Product | Qty | Unit | Price | Discount | Sum |" in md
    assert "Монтаж \\| настройка" in md
    assert "\\<script\\>" in md and "<script>" not in md
    assert WORDS in md

    for name, marker in (("kp.txt", "Total:"), ("kp.HTML", "<!DOCTYPE html>"), ("kp.md", "| № |")):
        path = write_proposal(team.anna, deal_id, tmp_path / name)
        assert path == tmp_path / name
        assert marker in path.read_text(encoding="utf-8")
    with pytest.raises(ValidationFailed) as err:
        write_proposal(team.anna, deal_id, tmp_path / "kp.pdf")
    assert set(err.value.errors) == {"path"}
    assert not (tmp_path / "kp.pdf").exists()
    with pytest.raises(ValidationFailed):
        render_proposal(team.anna, deal_id, "docx")


def test_proposal_of_an_invisible_deal_is_not_found(db):
    team, deal_id = _proposal_deal(db)
    with pytest.raises(NotFound):
        render_proposal(team.boris, deal_id, "txt")


def test_proposal_in_russian_with_default_company_name(db):
    team = make_team(db)
    client = company(db, "Ромашка", team.id("anna"))
    deal_id = D.create_deal(team.anna, client, "Без НДС")
    I.add_item(team.anna, deal_id, 1, product(db, "Услуга", "1000.00", vat="0"), 1)
    set_language("ru")
    try:
        text = render_proposal(team.anna, deal_id, "txt", on=ON)
    finally:
        set_language("en")
    assert "1\u00a0000,00\u00a0₽" in text
    assert "Одна тысяча рублей 00 копеек" in text
    assert ("Наша компания" in text) or ("Our company" in text)  # until the .po has it
