"""The lines of a drill-down list (``domain.reports.DrillLine``): the deals, clients,
interactions or claims behind a number, as the user may see them, in the order given.
At most ``MAX_LINES`` are read; the list says how many there are in all."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from qstui.db.models import AppUser, Claim, Company, Deal, Event
from qstui.domain.reports import DrillKind, DrillLine
from qstui.services.context import Context
from qstui.services.visibility import claim_visible, company_visible, deal_visible, event_visible

MAX_LINES = 1000


def drill_lines(ctx: Context, kind: DrillKind, ids: Sequence[int]) -> list[DrillLine]:
    wanted = list(ids)[:MAX_LINES]
    if not wanted:
        return []
    query: Any
    if kind is DrillKind.DEALS:
        query = (
            select(
                Deal.id,
                Deal.id,
                Deal.title,
                Company.name,
                AppUser.full_name,
                Deal.amount,
                Deal.currency_code,
            )
            .join(Company, Company.id == Deal.company_id)
            .outerjoin(AppUser, AppUser.id == Deal.manager_id)
            .where(Deal.id.in_(wanted), deal_visible(ctx))
        )
        line_kind = DrillKind.DEALS
    elif kind is DrillKind.CLIENTS:
        query = (
            select(Company.id, Company.id, Company.name, Company.name, AppUser.full_name)
            .outerjoin(AppUser, AppUser.id == Company.manager_id)
            .where(Company.id.in_(wanted), company_visible(ctx))
        )
        line_kind = DrillKind.CLIENTS
    else:
        model = Event if kind is DrillKind.EVENTS else Claim
        visible = event_visible(ctx) if kind is DrillKind.EVENTS else claim_visible(ctx)
        query = (
            select(model.id, Company.id, model.subject, Company.name, AppUser.full_name)
            .join(Company, Company.id == model.company_id)
            .outerjoin(AppUser, AppUser.id == Company.manager_id)
            .where(model.id.in_(wanted), visible)
        )
        line_kind = DrillKind.CLIENTS
    with ctx.db.reader() as s:
        found = {row[0]: row for row in s.execute(query)}
    out = []
    for ident in wanted:
        row = found.get(ident)
        if row is None:
            continue
        amount, currency = (row[5], row[6]) if len(row) > 5 else (None, None)
        out.append(DrillLine(line_kind, row[1], row[2], row[3], row[4] or "", amount, currency))
    return out
