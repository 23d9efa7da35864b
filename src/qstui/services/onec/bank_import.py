"""Bank statement import (E7): a 1CClientBankExchange file's incoming payments matched to
clients and deals, then written as payments from the bank.

``preview_statement`` reads and matches and writes nothing. ``import_statement`` does the
same inside one transaction and writes a payment (source «bank») on the deal of every
matched line, and of every line the user assigned a deal to (``choices``: line → deal);
lines matched to a client only, ambiguous or unmatched are listed, not written. The
deals' debts are recounted and the run is recorded (``exchange_runs``) in the same
transaction; a failure anywhere leaves no payment and records a failed run.

A document is identified by our account, its number, date, amount and the payer's INN
(``import_key``), so importing the same statement again creates nothing.

Rights: ``onec.exchange`` and ``deals``; clients and deals are those the user sees.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import String, bindparam, select
from sqlalchemy.orm import Session

from qstui.db.compat import chunks, digits_in, id_in
from qstui.db.models import (
    Company,
    Contract,
    Currency,
    Deal,
    DealDocument,
    Payment,
)
from qstui.domain.bank import BankLine, BankPreview, Issue, Match, MatchStatus
from qstui.domain.clock import utcnow
from qstui.domain.deals import debt_amount
from qstui.domain.enums import (
    DealStatus,
    DocKind,
    DocState,
    LogLevel,
    PaymentKind,
    PaymentSource,
)
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.i18n import _
from qstui.onec.clientbank import BankDocument, Statement, load, parse
from qstui.onec.clientbank.matching import (
    ClientRecord,
    DealRecord,
    group_by_inn,
    match_payment,
)
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.deals.payments import NewPayment, insert_payments, payment_value_errors
from qstui.services.deals.sums import recount_deal_money
from qstui.services.onec.journal import LogLine, RunCounts, record_failure, record_run
from qstui.services.persist import writing
from qstui.services.visibility import company_visible, deal_visible

RUN_KIND = "bank_import"
_KEY = re.compile(r"bank:[0-9a-f]{40}")
RUB_LEGACY = "810"  # the ruble's code in account numbers (ISO 4217 says 643)
Progress = Callable[[int, int], None]


def read_statement_file(path: str | Path) -> bytes:
    """The bytes of a statement file, for ``preview_statement`` and ``import_statement``
    (``ServiceError`` in the user's words when it cannot be read)."""
    return load(path)


def preview_statement(ctx: Context, data: bytes, accounts: Sequence[str] = ()) -> BankPreview:
    """The statement read and matched; nothing is written. ``accounts``: ours, instead of
    the statement's own ``РасчСчет`` lines."""
    ctx.require(R.ONEC_EXCHANGE, R.DEALS)
    statement = parse(data)
    if not statement.readable:
        return _unreadable(statement)
    with ctx.db.reader() as s:
        return _match(s, ctx, statement, accounts)


def import_statement(
    ctx: Context,
    data: bytes,
    accounts: Sequence[str] = (),
    choices: Mapping[int, int] | None = None,
    source_name: str = "",
    progress: Progress | None = None,
) -> BankPreview:
    """Import the statement's payments (see the module); ``choices`` maps the line of a
    document to the deal the user chose for it; ``progress(done, total)`` is called after
    each payment written."""
    ctx.require(R.ONEC_EXCHANGE, R.DEALS)
    statement = parse(data)
    if not statement.readable:
        return _unreadable(statement)
    started = utcnow()
    try:
        with writing(ctx) as s:
            preview = _match(s, ctx, statement, accounts)
            _choose(s, ctx, preview, choices or {})
            _write(s, ctx, preview, progress)
            preview.run_id = _record_in_journal(s, ctx, preview, source_name, started)
            return preview
    except Exception as exc:
        record_failure(ctx, RUN_KIND, exc, started_at=started, summary=source_name or "-")
        raise


# --- matching ------------------------------------------------------------------------------


def _unreadable(statement: Statement) -> BankPreview:
    return BankPreview(
        accounts=[],
        errors=[Issue(n.line, n.message) for n in statement.errors],
        warnings=[Issue(n.line, n.message) for n in statement.warnings],
        readable=False,
    )


def import_key(account: str, doc: BankDocument) -> str:
    """What identifies a bank document across imports (fits ``payments.import_key``)."""
    raw = "|".join(
        (account, doc.number.strip(), doc.doc_date.isoformat(), str(doc.amount), doc.payer.inn)
    )
    return "bank:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def _match(s: Session, ctx: Context, st: Statement, accounts: Sequence[str]) -> BankPreview:
    ours = [a.strip() for a in accounts if a.strip()] or st.our_accounts()
    preview = BankPreview(
        accounts=ours,
        errors=[Issue(n.line, n.message) for n in st.errors],
        warnings=[Issue(n.line, n.message) for n in st.warnings],
    )
    incoming = [doc for doc in st.documents if doc.payee.account in ours]
    preview.outgoing = len(st.documents) - len(incoming)
    clients = _clients(s, ctx, {doc.payer.inn.strip() for doc in incoming})
    deals = _deals(s, ctx, {client.id for client in clients})
    by_inn = group_by_inn(clients)
    keys = {id(doc): import_key(doc.payee.account, doc) for doc in incoming}
    imported = _imported(s, keys.values())
    currencies = _currencies(s)
    for doc in incoming:
        key = keys[id(doc)]
        preview.incoming.append(
            BankLine(
                line=doc.line,
                number=doc.number,
                doc_date=doc.doc_date,
                amount=doc.amount,
                currency_code=_account_currency(doc.payee.account, currencies),
                account=doc.payee.account,
                payer_inn=doc.payer.inn,
                payer_kpp=doc.payer.kpp,
                payer_name=doc.payer.name,
                purpose=doc.purpose,
                import_key=key,
                match=match_payment(doc.payer.inn, doc.payer.kpp, doc.purpose, by_inn, deals),
                payment_id=imported.get(key),
            )
        )
    return preview


def _clients(s: Session, ctx: Context, inns: Iterable[str]) -> list[ClientRecord]:
    valid = sorted(inn for inn in inns if inn.isascii() and inn.isdigit() and len(inn) in (10, 12))
    found: list[ClientRecord] = []
    for batch in chunks(valid):
        rows = s.execute(
            select(Company.id, Company.name, Company.inn, Company.kpp)
            .where(digits_in(Company.inn, batch), company_visible(ctx))
            .order_by(Company.id)
        )
        found += [ClientRecord(r.id, r.name, r.inn or "", r.kpp or "") for r in rows]
    return found


def _deals(s: Session, ctx: Context, company_ids: set[int]) -> dict[int, list[DealRecord]]:
    rows: list[Any] = []
    for batch in chunks(sorted(company_ids)):
        rows += s.execute(
            select(
                Deal.id,
                Deal.company_id,
                Deal.title,
                Deal.status,
                Deal.invoiced,
                Deal.shipped,
                Deal.paid,
                Deal.contract_id,
            )
            .where(id_in(Deal.company_id, batch), deal_visible(ctx))
            .order_by(Deal.started_on.desc(), Deal.id.desc())
        ).all()
    contracts: dict[int, str] = {}
    for batch in chunks(sorted({r.contract_id for r in rows if r.contract_id})):
        contracts.update(
            s.execute(select(Contract.id, Contract.number).where(id_in(Contract.id, batch))).all()
        )
    invoices: dict[int, list[str]] = {}
    for batch in chunks([r.id for r in rows]):
        for deal_id, doc_no in s.execute(
            select(DealDocument.deal_id, DealDocument.doc_no).where(
                id_in(DealDocument.deal_id, batch),
                DealDocument.doc_kind == DocKind.INVOICE,
                DealDocument.state != DocState.DELETED,
            )
        ):
            invoices.setdefault(deal_id, []).append(doc_no)
    deals: dict[int, list[DealRecord]] = {}
    for r in rows:
        deals.setdefault(r.company_id, []).append(
            DealRecord(
                id=r.id,
                company_id=r.company_id,
                title=r.title,
                is_open=r.status == DealStatus.OPEN,
                debt=debt_amount(r.invoiced, r.shipped, r.paid),
                contract_no=contracts.get(r.contract_id) if r.contract_id else None,
                invoice_nos=tuple(invoices.get(r.id, ())),
            )
        )
    return deals


def _imported(s: Session, keys: Iterable[str]) -> dict[str, int]:
    """The payments imported already, by key. The keys are ours (``import_key``: letters
    and hex digits), so they are written into the statement: Firebird prepares an IN of
    1500 literals several times faster than one of 1500 parameters."""
    found: dict[str, int] = {}
    for batch in chunks(sorted(set(keys))):
        if not all(_KEY.fullmatch(key) for key in batch):
            raise ValueError("not an import key")
        listed = bindparam(None, batch, type_=String(), expanding=True, literal_execute=True)
        found.update(
            s.execute(
                select(Payment.import_key, Payment.id).where(Payment.import_key.in_(listed))
            ).all()
        )
    return found


def _currencies(s: Session) -> dict[str, str]:
    """Currency codes by their ISO numeric code."""
    return dict(s.execute(select(Currency.num_code, Currency.code)).all())


def _account_currency(account: str, currencies: Mapping[str, str]) -> str | None:
    """The currency a 20-digit Russian account is in (its digits 6–8); None when the
    account says none or names a currency we do not keep."""
    if len(account) != 20 or not account.isdigit():
        return None
    num = account[5:8]
    return currencies.get("643" if num == RUB_LEGACY else num)


# --- writing -------------------------------------------------------------------------------


def _choose(s: Session, ctx: Context, preview: BankPreview, choices: Mapping[int, int]) -> None:
    """The deals the user chose for lines (visible deals only)."""
    lines = {line.line: n for n, line in enumerate(preview.incoming)}
    unknown = sorted(set(choices) - set(lines))
    if unknown:
        raise ValidationFailed(
            {"choices": _("No incoming payment begins at line {line}").format(line=unknown[0])}
        )
    ids = sorted(set(choices.values()))
    found: dict[int, Any] = {}
    for batch in chunks(ids):
        rows = s.execute(
            select(Deal.id, Deal.company_id, Deal.title, Company.name)
            .join(Company, Company.id == Deal.company_id)
            .where(id_in(Deal.id, batch), deal_visible(ctx))
        )
        found.update((row.id, row) for row in rows)
    for line, deal_id in sorted(choices.items()):
        if deal_id not in found:
            raise NotFound(_("Deal"), deal_id)
        deal = found[deal_id]
        n = lines[line]
        preview.incoming[n] = replace(
            preview.incoming[n],
            match=Match(
                MatchStatus.MATCHED,
                deal.company_id,
                deal_id,
                _("chosen by the user"),
                company_name=deal.name,
                deal_title=deal.title,
            ),
        )


def _write(s: Session, ctx: Context, preview: BankPreview, progress: Progress | None) -> None:
    """Payments for the matched lines not imported yet (each document once)."""
    todo = [
        n
        for n, line in enumerate(preview.incoming)
        if line.match.status == MatchStatus.MATCHED and line.payment_id is None
    ]
    currency_of: dict[int, str] = {}
    for batch in chunks(sorted({preview.incoming[n].match.deal_id or 0 for n in todo})):
        currency_of.update(
            s.execute(
                select(Deal.id, Deal.currency_code).where(id_in(Deal.id, batch), deal_visible(ctx))
            ).all()
        )
    known = set(_currencies(s).values())
    seen: dict[str, int] = {}
    payments: list[NewPayment] = []
    for n in todo:
        line = preview.incoming[n]
        deal_id = line.match.deal_id
        if line.import_key in seen:
            preview.warnings.append(
                Issue(
                    line.line,
                    _("The same document as line {line}; not imported twice").format(
                        line=seen[line.import_key]
                    ),
                )
            )
            continue
        if deal_id not in currency_of or line.match.company_id is None:
            raise NotFound(_("Deal"), deal_id)  # matched among the visible ones just now
        seen[line.import_key] = line.line
        values = _payment_values(line, currency_of[deal_id])
        errors = payment_value_errors(values)
        if values["currency_code"] not in known:
            errors["currency_code"] = _("Unknown currency {code}").format(
                code=values["currency_code"]
            )
        if errors:
            preview.errors.append(Issue(line.line, "; ".join(errors.values())))
            continue
        payments.append(NewPayment(deal_id, line.match.company_id, values, line.import_key))
    ids = insert_payments(s, ctx, PaymentKind.ACTUAL, payments, progress)
    for n in todo:
        line = preview.incoming[n]
        if line.import_key in ids and seen[line.import_key] == line.line:
            preview.incoming[n] = replace(line, payment_id=ids[line.import_key])
    preview.created = len(ids)
    recount_deal_money(s, [p.deal_id for p in payments])


def _payment_values(line: BankLine, deal_currency: str) -> dict[str, Any]:
    payer = line.payer_name or line.payer_inn
    purpose = (
        f"{payer} ({_('INN')} {line.payer_inn}): {line.purpose}"
        if line.payer_inn
        else f"{payer}: {line.purpose}"
    )
    return {
        "pay_date": line.doc_date,
        "amount": line.amount,
        "currency_code": line.currency_code or deal_currency,
        "source": PaymentSource.BANK,
        "doc_no": line.number[:50] or None,
        "doc_date": line.doc_date,
        "purpose": purpose if len(purpose) <= 500 else purpose[:499] + "…",
    }


def _record_in_journal(
    s: Session, ctx: Context, preview: BankPreview, source_name: str, started: datetime
) -> int:
    errors = [LogLine(LogLevel.ERROR, _line_message(issue)) for issue in preview.errors]
    warnings = [
        LogLine(
            LogLevel.WARNING,
            _line_message(Issue(line.line, f"{line.match.status}: {line.match.reason}")),
        )
        for line in preview.incoming
        if line.payment_id is None and line.match.status != MatchStatus.MATCHED
    ]
    return record_run(
        s,
        ctx,
        RUN_KIND,
        started_at=started,
        counts=RunCounts(
            created=preview.created,
            skipped=sum(1 for line in preview.incoming if line.payment_id is None),
            errors=len(preview.errors),
        ),
        summary=_summary(preview, source_name),
        lines=errors + warnings,
    )


def _line_message(issue: Issue) -> str:
    return (_("Line {line}: {message}").format(line=issue.line, message=issue.message))[:2000]


def _summary(preview: BankPreview, source_name: str) -> str:
    return _("{file}: {incoming} incoming, {outgoing} outgoing, {created} payments created").format(
        file=source_name or "-",
        incoming=len(preview.incoming),
        outgoing=preview.outgoing,
        created=preview.created,
    )
