"""The 1C side of a deal: its buyer's contract (found or created), the invoice qstui
issues (created, posted, read back), and the documents and payments of the deal read
from 1C — every name from ``onec.mapping``, every value through ``onec.values``.

An invoice qstui issues carries the mark ``qstui: работа №<id>`` in its comment, so a
run that broke after 1C made the invoice finds it again (and posts it if it was not)
instead of making a second one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from qstui.domain.enums import DocKind, DocState
from qstui.i18n import _
from qstui.onec import mapping as M
from qstui.onec import values as V
from qstui.onec.errors import ODataError, OnecError
from qstui.onec.odata import ODataClient
from qstui.services.onec.deal_plan import Plan, TheirDocument, TheirPayment

KOPECK = Decimal("0.01")
KINDS = {M.INVOICE: DocKind.INVOICE, M.SHIPMENT: DocKind.SHIPMENT}
KINDS[M.INVOICE_FACTURE] = DocKind.INVOICE_FACTURA


# What «выставить счет» did to the deal's invoice in 1C
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


def invoice_mark(deal_id: int) -> str:
    return f"qstui: работа №{deal_id}"


class NoContract(OnecError):
    """The deal has no contract in 1C and the run may not make one."""


class ChangedThere(OnecError):
    """Our invoice was changed in 1C since qstui last read it (``If-Match`` refused)."""

    def __init__(self, number: str) -> None:
        super().__init__(
            _(
                "The invoice № {number} was changed in 1C since qstui last read it: run"
                " «1C: get the documents», check it, then issue it again"
            ).format(number=number)
        )


class DealInOnec:
    """A deal's objects in one 1C base (``config_kind``), through ``client``."""

    def __init__(self, client: ODataClient, config_kind: str, base_id: int) -> None:
        self.client = client
        self.config_kind = config_kind
        self.base_id = base_id
        self.objects = M.objects_of(config_kind)
        self._currencies: dict[str, str] | None = None  # 1C ref → our code

    def f(self, role: str, logical: str) -> str:
        return self.objects[role].fields[logical]

    def entity(self, role: str) -> str:
        return self.objects[role].entity_set

    def all(self, role: str, filter: str | None = None) -> list[dict[str, Any]]:
        return [
            row for page in self.client.iterate(self.entity(role), filter=filter) for row in page
        ]

    # --- catalogs ----------------------------------------------------------------------

    def currencies(self) -> dict[str, str]:
        """1C currency ref → letter code (1C's Description, «RUB»; Code is «643»)."""
        if self._currencies is None:
            self._currencies = {
                V.required_guid(row["Ref_Key"], "Ref_Key"): V.text(row.get("Description")).strip()
                for row in self.all(M.CURRENCY)
            }
        return self._currencies

    def currency_ref(self, code: str) -> str:
        for ref, their_code in self.currencies().items():
            if their_code.upper() == code.upper():
                return ref
        raise OnecError(
            _("The currency {code} is not in 1C (catalog «Валюты»): add it there").format(code=code)
        )

    def currency_code(self, ref: Any) -> str:
        code = self.currencies().get(V.guid(ref) or "")
        if not code:
            raise OnecError(_("A document of 1C is in a currency unknown to 1C's catalog"))
        return code.upper()

    def organization(self) -> str:
        page = self.client.get_page(self.entity(M.ORGANIZATION), top=1)
        if not page:
            raise OnecError(_("There is no organisation in 1C (catalog «Организации»)"))
        return V.required_guid(page[0]["Ref_Key"], "Ref_Key")

    # --- the contract --------------------------------------------------------------------

    def contract(self, plan: Plan, create: bool) -> tuple[str, str, date | None, bool]:
        """The deal's contract in 1C: (ref, number, date, made now). Ours linked, else a
        buyer's contract of the client in the deal currency (the one with our contract's
        number, if the deal has one), else a new one when ``create``."""
        if plan.counterparty_ref is None:
            raise OnecError(_("The client is not linked to 1C"))
        if plan.contract_ref is not None:
            row = self.client.get(self.entity(M.CONTRACT), plan.contract_ref)
            return plan.contract_ref, self._number(row), self._day(row), False
        owner = self.f(M.CONTRACT, "owner")
        currency = self.currency_ref(plan.currency_code)
        rows = self.all(M.CONTRACT, f"{owner} eq {V.guid_literal(plan.counterparty_ref)}")
        candidates = [
            row
            for row in rows
            if not V.flag(row.get("DeletionMark"))
            and row.get(self.f(M.CONTRACT, "contract_kind"))
            == M.CONTRACT_WITH_BUYER[self.config_kind]
            and V.guid(row.get(self.f(M.CONTRACT, "currency"))) == currency
        ]
        if plan.contract_number is not None:
            candidates = [r for r in candidates if self._number(r) == plan.contract_number]
        if candidates:
            row = candidates[0]
            return (
                V.required_guid(row["Ref_Key"], "Ref_Key"),
                self._number(row),
                self._day(row),
                False,
            )
        if not create:
            raise NoContract(
                _(
                    "The deal has no contract in 1C: issue an invoice for it first (that"
                    " links or creates the contract)"
                )
            )
        number = plan.contract_number or str(plan.deal_id)
        body: dict[str, Any] = {
            "Description": f"Договор с покупателем № {number}",
            owner: plan.counterparty_ref,
            self.f(M.CONTRACT, "contract_kind"): M.CONTRACT_WITH_BUYER[self.config_kind],
            self.f(M.CONTRACT, "number"): number,
            self.f(M.CONTRACT, "currency"): currency,
            self.f(M.CONTRACT, "organization"): self.organization(),
        }
        if plan.contract_signed is not None:
            body[self.f(M.CONTRACT, "date")] = _moment(plan.contract_signed)
        ref, _row = self.client.create(self.entity(M.CONTRACT), body)
        return ref, number, plan.contract_signed, True

    def _number(self, row: dict[str, Any]) -> str:
        number = V.text(row.get(self.f(M.CONTRACT, "number"))).strip()
        return number or V.text(row.get("Description")).strip()

    def _day(self, row: dict[str, Any]) -> date | None:
        found = V.moment(row.get(self.f(M.CONTRACT, "date")))
        return found.date() if found is not None else None

    # --- the invoice ---------------------------------------------------------------------

    def issue_invoice(self, plan: Plan, day: date, rate: Decimal) -> tuple[str, str]:
        """Our invoice of the deal in 1C, posted: (its ref, ``CREATED`` / ``UPDATED`` /
        ``UNCHANGED``). One found by its mark is never made twice: it is posted if it
        was not, and given the deal's rows if they changed — under ``If-Match`` with the
        ``DataVersion`` we last saw, so a change made in 1C meanwhile is refused, not
        overwritten."""
        obj = self.objects[M.INVOICE]
        contract_field = obj.fields["contract"]
        assert plan.contract_ref is not None
        mark = invoice_mark(plan.deal_id)
        existing = [
            row
            for row in self.all(
                M.INVOICE, f"{contract_field} eq {V.guid_literal(plan.contract_ref)}"
            )
            if row.get(obj.fields["comment"]) == mark and not V.flag(row.get("DeletionMark"))
        ]
        table = obj.tables[0]
        rows = self._invoice_rows(plan)
        total = sum((line.amount for line in plan.lines), Decimal("0"))
        if existing:
            row = existing[0]
            ref = V.required_guid(row["Ref_Key"], "Ref_Key")
            if _row_keys(table, row.get(table.name) or []) == _row_keys(table, rows):
                if not V.flag(row.get("Posted")):
                    self.client.post_document(obj.entity_set, ref)
                return ref, UNCHANGED
            seen = plan.documents.get(ref)
            version = seen[2] if seen is not None else V.text(row.get("DataVersion"))
            try:
                self.client.update(
                    obj.entity_set,
                    ref,
                    {obj.fields["total"]: total},
                    tables={table.name: rows},
                    data_version=version,
                )
            except ODataError as exc:
                if exc.status != 412:
                    raise
                raise ChangedThere(V.text(row.get("Number")).strip()) from None
            self.client.post_document(obj.entity_set, ref)
            return ref, UPDATED
        body: dict[str, Any] = {
            "Date": _moment(day),
            obj.fields["counterparty"]: plan.counterparty_ref,
            contract_field: plan.contract_ref,
            obj.fields["organization"]: self.organization(),
            obj.fields["currency"]: self.currency_ref(plan.currency_code),
            obj.fields["total"]: total,
            obj.fields["comment"]: mark,
            table.name: _numbered(rows),
        }
        if "vat_included" in obj.fields:
            body[obj.fields["vat_included"]] = True
        if "rate" in obj.fields:
            body[obj.fields["rate"]] = rate
        if "multiplier" in obj.fields:
            body[obj.fields["multiplier"]] = "1"
        ref, _row = self.client.create(obj.entity_set, body)
        self.client.post_document(obj.entity_set, ref)
        return ref, CREATED

    def _invoice_rows(self, plan: Plan) -> list[dict[str, Any]]:
        goods = self.objects[M.INVOICE].tables[0].fields
        return [
            {
                goods["product"]: line.ref,
                goods["quantity"]: line.qty,
                goods["price"]: line.price,
                goods["amount"]: line.amount,
                goods["vat_rate"]: _vat_rate(line.vat_pct),
                goods["vat_amount"]: _vat_amount(line.amount, line.vat_pct),
                goods["content"]: line.name,
            }
            for line in plan.lines
        ]

    # --- reading the deal's documents and payments ---------------------------------------

    def documents(self, role: str, filter: str) -> list[dict[str, Any]]:
        return self.all(role, filter)

    def by_counterparty(self, role: str, plan: Plan, since: date | None) -> list[dict[str, Any]]:
        assert plan.counterparty_ref is not None
        text = f"{self.f(role, 'counterparty')} eq {V.guid_literal(plan.counterparty_ref)}"
        if since is not None:
            text += f" and Date ge {V.datetime_literal(since)}"
        return self.all(role, text)

    def their_document(self, role: str, row: dict[str, Any]) -> TheirDocument:
        fields = self.objects[role].fields
        rate = V.number(row.get(fields["rate"])) if "rate" in fields else None
        if rate is not None and "multiplier" in fields:
            rate = rate / (V.int64(row.get(fields["multiplier"])) or 1)
        moment = V.moment(row.get("Date"), "Date")
        if V.flag(row.get("DeletionMark")):
            state = DocState.DELETED
        else:
            state = DocState.POSTED if V.flag(row.get("Posted")) else DocState.DRAFT
        return TheirDocument(
            ref=V.required_guid(row["Ref_Key"], "Ref_Key"),
            version=V.text(row.get("DataVersion")),
            kind=KINDS[role],
            number=V.text(row.get("Number")).strip(),
            day=moment.date() if moment is not None else date(1, 1, 1),
            amount=(V.number(row.get(fields["total"])) or Decimal("0")).quantize(KOPECK),
            currency_code=self.currency_code(row.get(fields["currency"])),
            rate=rate if rate else None,
            state=state,
        )

    def their_payments(
        self, row: dict[str, Any], contract_ref: str, invoice_refs: Iterable[str]
    ) -> list[TheirPayment]:
        """The rows of a posted incoming payment on the deal's contract or invoices."""
        obj = self.objects[M.PAYMENT]
        if V.flag(row.get("DeletionMark")) or not V.flag(row.get("Posted")):
            return []
        table = obj.tables[0]
        fields = table.fields
        invoices = set(invoice_refs)
        ref = V.required_guid(row["Ref_Key"], "Ref_Key")
        moment = V.moment(row.get("Date"), "Date")
        out = []
        for line in row.get(table.name) or []:
            contract = V.guid(line.get(fields["contract"]))
            invoice = V.guid(line.get(fields["invoice"]))
            if contract != contract_ref and invoice not in invoices:
                continue
            number = V.int64(line.get(M.LINE_NUMBER)) or 0
            rate = V.number(line.get(fields["rate"])) if "rate" in fields else None
            out.append(
                TheirPayment(
                    key=f"1c:{self.base_id}:{ref}:{number}",
                    invoice_ref=invoice,
                    number=V.text(row.get("Number")).strip(),
                    day=moment.date() if moment is not None else date(1, 1, 1),
                    amount=(V.number(line.get(fields["amount"])) or Decimal("0")).quantize(KOPECK),
                    currency_code=self.currency_code(row.get(obj.fields["currency"])),
                    rate=rate if rate else None,
                    purpose=V.text(row.get(obj.fields["purpose"])).strip(),
                )
            )
        return out


def _row_keys(table: M.Table, rows: Iterable[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What of an invoice's rows must match the deal's: product, quantity, price, sum."""
    names = [table.fields[key] for key in ("product", "quantity", "price", "amount")]
    return [
        (V.guid(row.get(names[0])), *(V.number(row.get(name)) for name in names[1:]))
        for row in rows
    ]


def _moment(day: date) -> str:
    return datetime(day.year, day.month, day.day).strftime("%Y-%m-%dT%H:%M:%S")


def _numbered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, M.LINE_NUMBER: str(n)} for n, row in enumerate(rows, 1)]


def _vat_rate(pct: Decimal | None) -> str:
    if not pct:
        return "БезНДС"
    return f"НДС{pct.normalize():f}"


def _vat_amount(amount: Decimal, pct: Decimal | None) -> Decimal:
    """The VAT inside ``amount`` (prices include VAT)."""
    if not pct:
        return Decimal("0.00")
    return (amount * pct / (100 + pct)).quantize(KOPECK, ROUND_HALF_UP)
