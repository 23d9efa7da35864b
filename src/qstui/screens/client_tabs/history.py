"""Tab «История и планы»: plans (overdue ones in red) and done interactions (K1, K2).

Enter on a plan completes it; the card then offers the next plan (Completion.next_plan).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from qstui.domain import formatting as fmt
from qstui.domain.clients import ClientCard, HistoryItem
from qstui.domain.clock import utcnow
from qstui.i18n import N_, _
from qstui.screens.client_tabs.base import CardTab
from qstui.services import rights as R
from qstui.widgets.cells import ALERT, styled
from qstui.widgets.tables import card_table, current_key, fill_table


class HistoryTab(CardTab):
    TITLE = N_("History and plans")
    SHORT = N_("History")
    BINDINGS = [
        Binding("insert", "plan", N_("Plan"), id="history.plan"),
        Binding("c", "complete", N_("Complete the plan"), id="history.complete"),
    ]
    INSERT = "plan"
    EDIT_ACTIONS = frozenset({"plan", "complete"})

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._plans: dict[str, HistoryItem] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="plans-title", classes="tab-title")
        yield card_table(
            "plans",
            (
                N_("When"),
                (N_("Type"), 12),
                (N_("Subject"), 30),
                (N_("Product of interest"), 20),
                N_("Contact"),
                N_("Responsible"),
            ),
        )
        yield Static("", id="history-title", classes="section-title")
        yield card_table(
            "history",
            (
                N_("When"),
                (N_("Type"), 12),
                (N_("Subject"), 30),
                (N_("Product of interest"), 20),
                (N_("Result"), 24),
                N_("Responsible"),
            ),
        )

    def fill(self, card: ClientCard) -> None:
        now = utcnow()
        overdue = sum(1 for p in card.plans if p.when < now)
        title = _("Plans: {n}").format(n=len(card.plans))
        if overdue:
            title += " · " + _("overdue: {n}").format(n=overdue)
        self.query_one("#plans-title", Static).update(
            title + "  " + _("(Enter — complete, Ins — plan)")
        )
        self._plans = {str(p.id): p for p in card.plans}
        fill_table(
            self.query_one("#plans", DataTable),
            [
                (
                    str(p.id),
                    [
                        styled(fmt.moment(p.when), ALERT if p.when < now else ""),
                        p.type,
                        p.subject,
                        p.product or "",
                        p.contact or "",
                        p.responsible or "",
                    ],
                )
                for p in card.plans
            ],
        )
        last = fmt.moment(card.last_contact_at) or _("never")
        self.query_one("#history-title", Static).update(
            _("History: last contact {when}").format(when=last)
        )
        fill_table(
            self.query_one("#history", DataTable),
            [
                (
                    str(h.id),
                    [
                        fmt.moment(h.when),
                        h.type,
                        h.subject,
                        h.product or "",
                        h.result or "",
                        h.responsible or "",
                    ],
                )
                for h in card.history
            ],
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "plans":
            event.stop()
            if self.can(R.EDIT):
                self.action_complete()

    def action_complete(self) -> None:
        key = current_key(self.query_one("#plans", DataTable))
        plan = self._plans.get(key or "")
        if plan is None:
            self.notify(_("No plan to complete"), severity="warning")
            return
        summary = f"{fmt.moment(plan.when)} · {plan.type} · {plan.subject}"
        self.post_message(self.CompletePlan(plan.id, summary))

    def action_plan(self) -> None:
        self.post_message(self.PlanWanted())
