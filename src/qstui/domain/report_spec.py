"""What the report engine computes (R2, the report builder): a measure, rows by one or
two dimensions, a period, dynamics, a currency and filters. Plain data, so the screens'
form builds one and the services run it; ``services.reports.engine`` is the only reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from qstui.domain.reports import Dynamics
from qstui.i18n import N_


class Measure(StrEnum):
    """What a number of a report counts or sums, and by which date it falls into the
    period (that date is also the date of its currency rate)."""

    WON = "won"  # money of won deals, by the won date (closed_on)
    WON_COUNT = "won_count"  # won deals, by the won date
    LOST = "lost"  # money of lost deals, by the date they were lost
    LOST_COUNT = "lost_count"  # lost deals, by that date
    PAID = "paid"  # actual payments, by the payment date
    INVOICED = "invoiced"  # invoices (not deleted), by the invoice date
    PLANNED = "planned"  # money of open deals, by the deal start
    WEIGHTED = "weighted"  # planned money × the probability of the current stage
    DEALS = "deals"  # deals, by the deal start (any status unless filtered)
    CLIENTS = "clients"  # new clients, by the day they were registered
    EVENTS = "events"  # interactions done, by their time
    CLAIMS = "claims"  # claims, by the day they were registered


MONEY_MEASURES = frozenset(
    {Measure.WON, Measure.LOST, Measure.PAID, Measure.INVOICED, Measure.PLANNED, Measure.WEIGHTED}
)

MEASURE_LABELS: dict[Measure, str] = {
    Measure.WON: N_("Won money"),
    Measure.WON_COUNT: N_("Won deals"),
    Measure.LOST: N_("Lost money"),
    Measure.LOST_COUNT: N_("Lost deals"),
    Measure.PAID: N_("Paid money"),
    Measure.INVOICED: N_("Invoiced money"),
    Measure.PLANNED: N_("Planned money of open deals"),
    Measure.WEIGHTED: N_("Weighted money of open deals"),
    Measure.DEALS: N_("Deals"),
    Measure.CLIENTS: N_("New clients"),
    Measure.EVENTS: N_("Interactions done"),
    Measure.CLAIMS: N_("Claims"),
}

# The dimensions rows can be grouped by, with their titles (column headers).
DIMENSION_LABELS: dict[str, str] = {
    "manager": N_("Manager"),
    "department": N_("Department"),
    "product": N_("Product"),
    "product_group": N_("Product group"),
    "region": N_("Region"),
    "industry": N_("Industry"),
    "client": N_("Client"),
    "client_group": N_("Client group"),
    "source": N_("Source"),
    "pipeline": N_("Pipeline"),
    "stage": N_("Stage"),
    "lost_stage": N_("Stage lost at"),
    "interaction_type": N_("Interaction type"),
    "refusal_reason": N_("Refusal reason"),
    "claim_status": N_("Claim status"),
}

DYNAMICS_LABELS: dict[Dynamics, str] = {
    Dynamics.NONE: N_("No dynamics"),
    Dynamics.DECADE: N_("Decade"),
    Dynamics.MONTH: N_("Month"),
    Dynamics.QUARTER: N_("Quarter"),
    Dynamics.YEAR: N_("Year"),
}

MAX_DIMENSIONS = 2


@dataclass(frozen=True)
class ReportSpec:
    """One measure by up to two dimensions and a dynamics.

    ``filters`` maps a dimension name to the ids (None: "not set") its rows must have;
    ``statuses`` narrows deal measures to these ``DealStatus`` values; ``currency``
    None is the base currency; ``period`` is inclusive, None is all time."""

    measure: Measure
    dimensions: tuple[str, ...] = ()
    dynamics: Dynamics = Dynamics.NONE
    period: tuple[date, date] | None = None
    currency: str | None = None
    filters: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    statuses: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportRecipe:
    """How a ``ReportTable`` was computed (its ``spec``): the report's name, the options
    chosen, and the engine spec behind each measure column, by column key — what
    drill-down re-runs to list the deals or clients behind a number."""

    report: str
    options: Any
    measures: dict[str, ReportSpec]
