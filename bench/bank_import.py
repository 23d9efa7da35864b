"""Bank statement import at size (issue 13): a 5 000-document 1CClientBankExchange file
read, matched and imported into a scratch database, beside its floor.

    python -m bench.bank_import [--db URL] [--documents 5000] [--clients 500] [--runs 3]

The scratch database (default: a temporary SQLite file; ``--db`` or
``QSTUI_BENCH_BANK_DB`` a Firebird URL, whose file is dropped and made again) gets
``--clients`` companies, each with an open deal and an invoice; the statement pays each
invoice in parts, naming it in the purpose («Оплата по счету № …»). Measured: the dry
run (read + match), the import (one transaction: payments, debts, the exchange run) and
a second import of the same file (creates nothing). Each run starts from the seeded
state (the payments of the previous run deleted). Floors: reading the file (for the dry
run and the second import), and reading it plus inserting the same payment rows with the
batched insert the import uses (``db.bulk.insert_rows``, rolled back) for the import.
Targets: ≤ 5 s on SQLite, ≤ 10 s on Firebird.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import delete, select

from bench.measure import Figure
from bench.scratch import elapsed_ms, scratch_database
from qstui.db.bulk import insert_rows
from qstui.db.engine import Database
from qstui.db.models import Deal, ExchangeRun, Payment
from qstui.demo.requisites import inn_legal
from qstui.domain import clock
from qstui.domain.clients import CompanyInput
from qstui.domain.enums import DocKind, PaymentKind, PaymentSource, Role
from qstui.onec.clientbank import parse
from qstui.services import deals as D
from qstui.services.access import users as U
from qstui.services.clients import companies as C
from qstui.services.context import Context, context_for
from qstui.services.deals import documents as Docs
from qstui.services.onec.bank_import import import_statement, preview_statement

OURS = "40702810000000000001"
PAYER_ACCOUNT = "40702810900000000777"
TARGET_MS = {"sqlite": 5000.0, "firebird": 10000.0}
DAY = date(2026, 3, 4)


def seed(db: Database, clients: int) -> list[tuple[str, str, Decimal]]:
    """``clients`` companies with an open deal and an invoice each: their (INN, invoice
    number, invoice sum)."""
    system = Context.system(db)
    U.create_user(system, "bank", "Бухгалтер Банков", Role.HEAD, "Bench-pass-1", "Продажи")
    U.grant(system, "bank", "onec.exchange")
    ctx = context_for(db, "bank")
    rng = random.Random(13)
    seen: set[str] = set()
    out = []
    for n in range(clients):
        inn = inn_legal(rng, "77", "01")
        while inn in seen:
            inn = inn_legal(rng, "77", "01")
        seen.add(inn)
        company = C.create_company(ctx, CompanyInput(name=f"ООО Плательщик {n}", inn=inn))
        deal = D.create_deal(ctx, company, f"Поставка {n}", started_on=date(2026, 2, 1))
        amount = Decimal(rng.randint(50_000, 5_000_000)) / 100
        Docs.add_document(ctx, deal, DocKind.INVOICE, f"{1000 + n}", date(2026, 3, 1), amount)
        out.append((inn, f"{1000 + n}", amount))
    return out


def statement(invoices: list[tuple[str, str, Decimal]], documents: int) -> bytes:
    lines = [
        "1CClientBankExchange",
        "ВерсияФормата=1.03",
        "Кодировка=Windows",
        "Отправитель=Банк",
        "Получатель=1С:Предприятие",
        "ДатаНачала=04.03.2026",
        "ДатаКонца=04.03.2026",
        f"РасчСчет={OURS}",
    ]
    for n in range(documents):
        inn, invoice, amount = invoices[n % len(invoices)]
        part = (amount / 10).quantize(Decimal("0.01"))
        lines += [
            "СекцияДокумент=Платежное поручение",
            f"Номер={n + 1}",
            "Дата=04.03.2026",
            f"Сумма={part}",
            f"ПлательщикСчет={PAYER_ACCOUNT}",
            f"ПлательщикИНН={inn}",
            "Плательщик1=ООО Плательщик",
            f"ПолучательСчет={OURS}",
            "ПолучательИНН=7700000000",
            "Получатель1=ООО Мы",
            f"НазначениеПлатежа=Оплата по счету № {invoice} от 01.03.2026, часть {n + 1}",
            "КонецДокумента",
        ]
    lines.append("КонецФайла")
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def floor_ms(db: Database, data: bytes) -> float:
    """Parse the file and insert one payment row per incoming document in batches,
    rolled back."""
    start = time.perf_counter()
    parsed = parse(data)
    with db.engine.connect() as conn:
        deal_id, company_id = conn.execute(select(Deal.id, Deal.company_id).limit(1)).one()
        rows = [
            {
                "deal_id": deal_id,
                "company_id": company_id,
                "pay_kind": PaymentKind.ACTUAL.value,
                "pay_date": DAY,
                "amount": doc.amount,
                "currency_code": "RUB",
                "source": PaymentSource.BANK.value,
                "doc_no": doc.number,
                "import_key": f"floor-{i}",
            }
            for i, doc in enumerate(parsed.documents)
        ]
        insert_rows(conn, Payment.__table__, rows)  # the batched insert the import uses
        conn.rollback()
    return (time.perf_counter() - start) * 1000


def reset(db: Database) -> None:
    """Back to the seeded state: no payment, no run, the deals' money recounted."""
    with db.transaction() as s:
        s.execute(delete(Payment))
        s.execute(delete(ExchangeRun))
        s.execute(Deal.__table__.update().values(paid=Decimal("0")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bank_import")
    parser.add_argument("--db", default=os.environ.get("QSTUI_BENCH_BANK_DB"))
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    noon = datetime.combine(DAY, datetime.min.time()).replace(hour=12)
    with scratch_database(args.db, "qstui-bank-bench-") as (db, backend), clock.freeze(noon):
        print(f"bank import bench on {backend}: seeding {args.clients} clients…", flush=True)
        invoices = seed(db, args.clients)
        data = statement(invoices, args.documents)
        ctx = context_for(db, "bank")
        dry, imported, again, parsing, writing = [], [], [], [], []
        for _ in range(args.runs):
            reset(db)
            ms, _ = elapsed_ms(lambda: preview_statement(ctx, data))
            dry.append(ms)
            ms, done = elapsed_ms(lambda: import_statement(ctx, data, source_name="bench.txt"))
            imported.append(ms)
            assert done.created == args.documents, done.created  # type: ignore[attr-defined]
            ms, second = elapsed_ms(lambda: import_statement(ctx, data, source_name="bench.txt"))
            again.append(ms)
            assert second.created == 0  # type: ignore[attr-defined]
            parse_ms, _ = elapsed_ms(lambda: parse(data))
            parsing.append(parse_ms)
            writing.append(floor_ms(db, data))
        target = TARGET_MS[backend]
        print(f"{'':24}{'median':>10}{'p95':>10}{'floor':>10}{'target':>10}")
        for name, times, floors in (
            (f"dry run, {args.documents} docs", dry, parsing),
            (f"import, {args.documents} docs", imported, writing),
            ("second import (nothing)", again, parsing),
        ):
            fig, floor = Figure.of(times), Figure.of(floors)
            mark = "ok" if fig.median <= target else "MISSED"
            print(
                f"{name:24}{fig.median:>9.0f}ms{fig.p95:>8.0f}ms{floor.median:>8.0f}ms"
                f"{target:>8.0f}ms  {mark}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
