"""A deal in 1C (E3–E6, E8): what a run of «выставить счет», «проверить оплату» or
«получить документы» did, as the CLI prints it and the screens show it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qstui.i18n import N_, _

INVOICE = "invoice"
PAYMENTS = "payments"
DOCUMENTS = "documents"
ACTIONS = (INVOICE, PAYMENTS, DOCUMENTS)
# exchange_runs.run_kind of each action, and of the sync of every linked deal
RUN_KINDS = {INVOICE: "deal_invoice", PAYMENTS: "deal_payments", DOCUMENTS: "deal_documents"}
SYNC_DOCUMENTS = "documents"
ACTION_TITLES = {
    INVOICE: N_("1C: issue an invoice for the deal"),
    PAYMENTS: N_("1C: check the deal's payment"),
    DOCUMENTS: N_("1C: get the documents"),
}


@dataclass(frozen=True)
class DealRunResult:
    """What one run did in qstui: rows created, changed, left as they were."""

    base: str
    action: str
    deals: int = 1
    created: int = 0
    updated: int = 0
    skipped: int = 0
    invoice_no: str | None = None  # «выставить счет»: the invoice's number in 1C
    invoice_done: str | None = None  # …and what this run did to it: "created",
    # "updated" (the deal's rows changed), "unchanged"
    contract_no: str | None = None  # the deal's contract in 1C

    @property
    def invoice_created(self) -> bool:
        return self.invoice_done == "created"

    def summary(self) -> str:
        parts = []
        if self.invoice_no is not None:
            text = {
                "created": _("invoice № {number} issued in 1C"),
                "updated": _("invoice № {number} updated in 1C to the deal's products"),
            }.get(self.invoice_done or "", _("invoice № {number} was already in 1C"))
            parts.append(text.format(number=self.invoice_no))
        parts.append(
            _("created {created}, changed {updated}, unchanged {skipped}").format(
                created=self.created, updated=self.updated, skipped=self.skipped
            )
        )
        if self.deals != 1:
            parts.append(_("deals: {count}").format(count=self.deals))
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "action": self.action,
            "deals": self.deals,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "invoice_no": self.invoice_no,
            "invoice_created": self.invoice_done == "created",
            "invoice_done": self.invoice_done,
            "contract_no": self.contract_no,
        }
