"""Bank statements for tests: a 1CClientBankExchange file written from plain values, and
the world of the five-payment scenario of issue 13 (clients, deals, invoices, a contract)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import update
from tests.services.deal_support import Team, add, company, make_team

from qstui.db.engine import Database
from qstui.db.models import Contract, Deal
from qstui.domain.enums import DocKind
from qstui.services import deals as D
from qstui.services.deals import documents as Docs

OURS = "40702810000000000001"
OTHER = "40702810900000000777"


def document(
    number: str,
    day: str,
    amount: str,
    payer_inn: str,
    purpose: str,
    *,
    payer_kpp: str = "",
    payer: str = "ООО Плательщик",
    payer_account: str = OTHER,
    payee_account: str = OURS,
) -> list[str]:
    return [
        "СекцияДокумент=Платежное поручение",
        f"Номер={number}",
        f"Дата={day}",
        f"Сумма={amount}",
        f"ПлательщикСчет={payer_account}",
        f"Плательщик=ИНН {payer_inn} {payer}",
        f"ПлательщикИНН={payer_inn}",
        f"ПлательщикКПП={payer_kpp}",
        f"Плательщик1={payer}",
        f"ПолучательСчет={payee_account}",
        "ПолучательИНН=7700000000",
        "Получатель1=ООО Мы",
        f"НазначениеПлатежа={purpose}",
        "КонецДокумента",
    ]


def statement(*documents: list[str], account: str = OURS, encoding: str = "cp1251") -> bytes:
    lines = [
        "1CClientBankExchange",
        "ВерсияФормата=1.03",
        "Кодировка=Windows",
        "Отправитель=Банк",
        "Получатель=1С:Предприятие",
        "ДатаНачала=02.03.2026",
        "ДатаКонца=06.03.2026",
        f"РасчСчет={account}",
    ]
    for doc in documents:
        lines += doc
    lines.append("КонецФайла")
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@dataclass
class World:
    team: Team
    alfa: int
    beta: int
    beta_branch: int
    gamma: int
    a1: int  # invoice УТ-00000345, 118 000.00
    a2: int  # invoice 346, 50 000.00
    b1: int  # contract 17/2026-П, invoice 200 000.00
    b2: int  # an invoice of 10 000.00, no contract
    g1: int
    g2: int


def _deal(team: Team, client: int, title: str, invoice: str, amount: str) -> int:
    deal_id = D.create_deal(team.anna, client, title, started_on=date(2026, 2, 1))
    Docs.add_document(team.anna, deal_id, DocKind.INVOICE, invoice, date(2026, 3, 1), amount)
    return deal_id


def five_payment_world(db: Database) -> World:
    team = make_team(db)
    anna = team.id("anna")
    alfa = company(db, "Альфа", anna, inn="7701000001", kpp="770101001")
    beta = company(db, "Бета", anna, inn="7702000002", kpp="770201001")
    beta_branch = company(db, "Бета, филиал", anna, inn="7702000002", kpp="770202001")
    gamma = company(db, "Гамма", anna, inn="7703000003")
    world = World(
        team=team,
        alfa=alfa,
        beta=beta,
        beta_branch=beta_branch,
        gamma=gamma,
        a1=_deal(team, alfa, "Альфа: ноутбуки", "УТ-00000345", "118000.00"),
        a2=_deal(team, alfa, "Альфа: мониторы", "346", "50000.00"),
        b1=_deal(team, beta, "Бета: поставка", "Б-1", "200000.00"),
        b2=_deal(team, beta, "Бета: сервис", "Б-2", "10000.00"),
        g1=_deal(team, gamma, "Гамма: первая", "Г-1", "3000.00"),
        g2=_deal(team, gamma, "Гамма: вторая", "Г-2", "7000.00"),
    )
    contract = add(db, Contract(company_id=beta, number="17/2026-П"))
    with db.transaction() as s:
        s.execute(update(Deal).where(Deal.id == world.b1).values(contract_id=contract))
    return world


FIVE = [
    document(
        "101",
        "02.03.2026",
        "118000.00",
        "7701000001",
        "Оплата по счету № 345 от 01.03.2026, в т.ч. НДС 20% 19666.67",
    ),
    document("102", "03.03.2026", "20000,50", "7701000001", "Предоплата сч.346 от 01.03.2026"),
    document(
        "103",
        "04.03.2026",
        "150000.00",
        "7702000002",
        "Оплата по договору 17/2026-П",
        payer_kpp="770201001",
        payer="ООО Бета",
    ),
    document("104", "05.03.2026", "5000.00", "7703000003", "Оплата за товар", payer="ООО Гамма"),
    document(
        "105", "06.03.2026", "1000.00", "7704000004", "Оплата по счету 999", payer="ООО Незнакомец"
    ),
    # outgoing: we pay a supplier
    document(
        "7", "06.03.2026", "700.00", "7700000000", "Аренда", payer_account=OURS, payee_account=OTHER
    ),
]
# the debts after the import: a1 paid in full, a2 partly, b1 by the contract
DEBTS_AFTER = {
    "a1": Decimal("0.00"),
    "a2": Decimal("29999.50"),
    "b1": Decimal("50000.00"),
    "b2": Decimal("10000.00"),
    "g1": Decimal("3000.00"),
    "g2": Decimal("7000.00"),
}
