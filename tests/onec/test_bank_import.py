"""Bank statement import on SQLite and Firebird: five incoming payments become exactly
the expected payments with debts exact to the kopeck; a second import creates nothing; a
failure in the middle leaves no payment; rights and visibility are the service's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from tests.onec.bank_support import DEBTS_AFTER, FIVE, OURS, document, five_payment_world, statement
from tests.services.deal_support import count

from qstui.db.models import AuditEntry, ExchangeRun, Payment
from qstui.domain.bank import MatchStatus
from qstui.domain.enums import AuditAction, ExchangeStatus, PaymentKind, PaymentSource
from qstui.domain.errors import AccessDenied, NotFound
from qstui.services.access.users import grant
from qstui.services.context import context_for
from qstui.services.deals import debt as Debt
from qstui.services.onec.bank_import import import_statement, preview_statement

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _debts(world) -> dict[str, Decimal]:
    ctx = world.team.system
    return {name: Debt.deal_debt(ctx, getattr(world, name)).debt for name in DEBTS_AFTER}


def test_the_dry_run_matches_and_writes_nothing(db):
    world = five_payment_world(db)
    preview = preview_statement(world.team.system, statement(*FIVE))
    assert preview.accounts == [OURS]
    assert preview.outgoing == 1
    got = [
        (line.number, line.match.status, line.match.company_id, line.match.deal_id)
        for line in preview.incoming
    ]
    assert got == [
        ("101", MatchStatus.MATCHED, world.alfa, world.a1),
        ("102", MatchStatus.MATCHED, world.alfa, world.a2),
        ("103", MatchStatus.MATCHED, world.beta, world.b1),
        ("104", MatchStatus.CLIENT, world.gamma, None),
        ("105", MatchStatus.UNMATCHED, None, None),
    ]
    assert {c.deal_id for c in preview.incoming[3].match.candidates} == {world.g1, world.g2}
    assert preview.incoming[1].amount == Decimal("20000.50")
    assert preview.incoming[0].currency_code == "RUB"
    assert not preview.errors and preview.created == 0
    assert count(db, Payment) == 0 and count(db, ExchangeRun) == 0


def test_import_creates_the_expected_payments_once(db):
    world = five_payment_world(db)
    ctx = world.team.system
    before = _debts(world)
    result = import_statement(ctx, statement(*FIVE), source_name="day.txt")
    assert result.created == 3
    with db.reader() as s:
        payments = s.query(Payment).order_by(Payment.pay_date).all()
        got = [
            (
                p.deal_id,
                p.company_id,
                p.amount,
                p.pay_date,
                p.source,
                p.pay_kind,
                p.doc_no,
                p.currency_code,
            )
            for p in payments
        ]
        purposes = [p.purpose for p in payments]
        ids = [p.id for p in payments]
        run = s.query(ExchangeRun).one()
        run_row = (run.status, run.n_created, run.n_skipped, run.run_kind, run.summary)
    assert got == [
        (
            world.a1,
            world.alfa,
            Decimal("118000.00"),
            date(2026, 3, 2),
            PaymentSource.BANK,
            PaymentKind.ACTUAL,
            "101",
            "RUB",
        ),
        (
            world.a2,
            world.alfa,
            Decimal("20000.50"),
            date(2026, 3, 3),
            PaymentSource.BANK,
            PaymentKind.ACTUAL,
            "102",
            "RUB",
        ),
        (
            world.b1,
            world.beta,
            Decimal("150000.00"),
            date(2026, 3, 4),
            PaymentSource.BANK,
            PaymentKind.ACTUAL,
            "103",
            "RUB",
        ),
    ]
    assert purposes[0].startswith("ООО Плательщик (INN 7701000001): Оплата по счету № 345")
    assert _debts(world) == DEBTS_AFTER
    assert before["a1"] == Decimal("118000.00")
    with db.reader() as s:  # audited as a payment added by hand is
        entries = s.query(AuditEntry).filter(AuditEntry.object_kind == "payment").all()
        audited = sorted(
            (e.object_id, e.action, e.changes["amount"], e.changes["source"]) for e in entries
        )
    assert audited == sorted(
        (p_id, AuditAction.CREATE, [None, str(p[2])], [None, "bank"])
        for p_id, p in zip(ids, got, strict=True)
    )
    assert run_row[:4] == (ExchangeStatus.OK, 3, 2, "bank_import")
    assert "day.txt" in run_row[4]

    again = import_statement(ctx, statement(*FIVE))
    assert again.created == 0
    assert [line.payment_id is not None for line in again.incoming] == [True] * 3 + [False] * 2
    assert count(db, Payment) == 3
    assert _debts(world) == DEBTS_AFTER


def test_a_failure_in_the_middle_leaves_no_payment(db):
    """600 payments are written in batches of 250: the import fails after two of them."""
    world = five_payment_world(db)
    before = _debts(world)
    many = [
        document(str(1000 + n), "02.03.2026", "1.00", "7701000001", "Оплата по счету № 345")
        for n in range(600)
    ]
    calls: list[tuple[int, int]] = []

    def stop(done: int, total: int) -> None:
        calls.append((done, total))
        if done == 500:
            raise RuntimeError("the connection was lost")

    with pytest.raises(RuntimeError):
        import_statement(world.team.system, statement(*FIVE, *many), progress=stop)
    assert calls == [(250, 603), (500, 603)]
    assert count(db, Payment) == 0
    assert _debts(world) == before
    with db.reader() as s:
        run = s.query(ExchangeRun).one()
        assert (run.status, run.n_created, run.error_text) == (
            ExchangeStatus.FAILED,
            0,
            "the connection was lost",
        )
    assert import_statement(world.team.system, statement(*FIVE, *many)).created == 603


def test_a_chosen_deal_imports_a_client_only_line(db):
    world = five_payment_world(db)
    ctx = world.team.system
    line_104 = preview_statement(ctx, statement(*FIVE)).incoming[3].line
    result = import_statement(ctx, statement(*FIVE), choices={line_104: world.g2})
    assert result.created == 4
    assert Debt.deal_debt(ctx, world.g2).debt == Decimal("2000.00")
    with pytest.raises(NotFound):
        import_statement(ctx, statement(*FIVE), choices={line_104: 999999})


def test_the_same_document_twice_in_a_file_is_imported_once(db):
    world = five_payment_world(db)
    result = import_statement(world.team.system, statement(FIVE[0], FIVE[0]))
    assert result.created == 1
    assert [w.line for w in result.warnings if "same document" in w.message] == [
        result.incoming[1].line
    ]


def test_rights_and_visibility(db):
    world = five_payment_world(db)
    team = world.team
    with pytest.raises(AccessDenied):
        preview_statement(team.head, statement(*FIVE))
    grant(team.system, "vera", "onec.exchange")  # another department: sees none of them
    vera = context_for(db, "vera")
    preview = preview_statement(vera, statement(*FIVE))
    assert {line.match.status for line in preview.incoming} == {MatchStatus.UNMATCHED}
    assert import_statement(vera, statement(*FIVE)).created == 0
    grant(team.system, "head", "onec.exchange")  # head of Sales: sees anna's clients
    assert import_statement(context_for(db, "head"), statement(*FIVE)).created == 3


def test_ambiguous_clients_and_deals(db):
    world = five_payment_world(db)
    ctx = world.team.system
    data = statement(
        document("201", "02.03.2026", "10.00", "7702000002", "Оплата по договору 17/2026-П"),
        document("202", "02.03.2026", "10.00", "7702000002", "x", payer_kpp="770299999"),
    )
    first, second = preview_statement(ctx, data).incoming
    assert first.match.status == second.match.status == MatchStatus.AMBIGUOUS
    assert {c.company_id for c in first.match.candidates} == {world.beta, world.beta_branch}


def test_our_account_from_the_command_line(db):
    world = five_payment_world(db)
    preview = preview_statement(
        world.team.system, statement(*FIVE), accounts=["40702810900000000777"]
    )
    assert preview.accounts == ["40702810900000000777"]
    assert len(preview.incoming) == 1 and preview.outgoing == 5


def test_an_unreadable_file(db):
    world = five_payment_world(db)
    preview = import_statement(world.team.system, b"\x00\xff garbage")
    assert not preview.readable and preview.errors[0].line == 1
    assert count(db, ExchangeRun) == 0
