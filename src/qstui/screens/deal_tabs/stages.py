"""Tab «Этапы» (Stages) of the deal card: the stages of the deal's pipeline with their
responsible, deadline and dates; n / p move an open deal to the next / previous stage,
m to the highlighted one, e (or Enter) changes a reached stage's responsible, deadline
and note."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable

from qstui.domain import formatting as fmt
from qstui.domain.deals import DealStageInfo, DealView
from qstui.domain.enums import DealStatus
from qstui.i18n import N_, _
from qstui.screens.deal_tabs.base import Col, DealTab, table
from qstui.services.deals.stages import move_to_stage
from qstui.widgets import cells


class StagesTab(DealTab):
    TITLE = N_("Stages")
    KEYS = (
        Binding("n", "next_stage", N_("Next stage"), id="next_stage"),
        Binding("p", "previous_stage", N_("Previous stage"), id="previous_stage"),
        Binding("m", "move_here", N_("Move here"), id="move_here"),
        Binding("e", "edit", N_("Edit"), id="edit"),
    )
    FOCUS = "#stages-table"
    COLUMNS = {
        "stages": (
            Col("stage", N_("Stage"), 16, 2, 40),
            Col("responsible", N_("Responsible"), 14, 2, 30),
            Col("started", N_("Started"), 10, wide=True),
            Col("due", N_("Deadline"), 10),
            Col("done", N_("Done"), 10),
            Col("note", N_("Note"), 10, 1, 60, wide=True),
        ),
    }

    def compose(self) -> ComposeResult:
        yield table("stages")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_stage", "previous_stage", "move_here"):
            card = self.card
            return self.can_edit() and card is not None and card.status == DealStatus.OPEN
        if action == "edit":
            return self.can_edit()
        return True

    def fill(self, view: DealView) -> None:
        card = view.card
        tab, row = self.emptied("stages")
        for st in card.stages:
            style = cells.ALERT if st.is_overdue else ("bold" if st.is_current else "")
            mark = "▶ " if st.is_current else "  "
            values = {
                "stage": mark + st.name,
                "responsible": st.responsible_name,
                "started": fmt.day(st.started_on),
                "due": fmt.day(st.due_on),
                "done": fmt.day(st.done_on),
                "note": st.note,
            }
            styled = {k: Text(v or "", style=style) for k, v in values.items()}
            self.add("stages", f"s{st.stage_id}", styled)  # type: ignore[arg-type]
        current = next((i for i, st in enumerate(card.stages) if st.is_current), 0)
        tab.move_cursor(row=row if 0 < row < len(card.stages) else current)

    # --- moving the deal ------------------------------------------------------------------

    def _move(self, stage: DealStageInfo) -> None:
        assert self.card is not None
        self.call_service(
            move_to_stage,
            self.card.id,
            self.card.version,
            stage.stage_id,
            then=lambda _v: self.post_message(
                self.Changed(_("The deal is at the stage «{name}»").format(name=stage.name))
            ),
            on_error=self.failed,
            group="deal-op",
        )

    def _step(self, delta: int) -> None:
        card = self.card
        if card is None:
            return
        index = next((i for i, st in enumerate(card.stages) if st.is_current), -1) + delta
        if not 0 <= index < len(card.stages):
            self.notify(
                _("This is the last stage") if delta > 0 else _("This is the first stage"),
                severity="warning",
            )
            return
        self._move(card.stages[index])

    def action_next_stage(self) -> None:
        self._step(+1)

    def action_previous_stage(self) -> None:
        self._step(-1)

    def action_move_here(self) -> None:
        stage = self._highlighted_stage()
        if stage is not None and not stage.is_current:
            self._move(stage)

    def _highlighted_stage(self) -> DealStageInfo | None:
        return self.highlighted("stages", self.card.stages) if self.card is not None else None

    # --- a stage's details ----------------------------------------------------------------

    def action_edit(self) -> None:
        from qstui.screens.dialogs.deal_forms import stage_dialog

        stage = self._highlighted_stage()
        if stage is None or self.view is None:
            return
        if stage.deal_stage_id is None:
            self.notify(_("The deal has not reached this stage yet"), severity="warning")
            return
        managers = [(m.id, m.full_name) for m in self.view.managers]
        self.form(stage_dialog(stage, managers), _("Stage saved"))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.check_action("edit", ()):
            self.action_edit()
