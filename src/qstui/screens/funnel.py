"""Воронка (F8, R1): the open deals of a pipeline stage by stage, drawn as centred bars
as wide as the stage's share of deals, each with its count, money and conversion from
the previous stage. ``p`` steps through the pipelines, ``m`` through the managers, ``t``
through the periods (deals begun in it); Enter lists the deals of a stage, and from
there their cards; ``e`` exports. Computed in a worker by the report services."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from qstui.domain.reports import ReportOptions, ReportRow, ReportTable
from qstui.i18n import N_, _
from qstui.screens import report_services as reports
from qstui.screens.report_actions import ReportActions, next_period, period_of, period_title
from qstui.widgets.report_pivot import show

BAR = "█"
BAR_STYLE = "cyan"  # an ANSI colour: the same in 16- and 256-colour terminals


class FunnelScreen(ReportActions):
    MODULE = "funnel"
    AUTO_FOCUS = "#funnel-stages"
    BINDINGS = [
        Binding("p", "pipeline", N_("Pipeline"), id="funnel.pipeline"),
        Binding("m", "manager", N_("Manager"), id="funnel.manager"),
        Binding("t", "period", N_("Period"), id="funnel.period"),
        Binding("e", "export", N_("Export"), id="funnel.export"),
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False, id="funnel.refresh"),
    ]
    DEFAULT_CSS = """
    FunnelScreen #funnel-head { height: auto; padding: 0 1; text-style: bold; }
    FunnelScreen #funnel-stages { height: 1fr; }
    FunnelScreen #funnel-notes { height: auto; max-height: 4; padding: 0 1; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.choices: reports.Choices | None = None
        self.pipeline_id: int | None = None
        self.manager_id: int | None = None
        self.period = "all"

    def compose_content(self) -> ComposeResult:
        yield Static("", id="funnel-head")
        yield OptionList(id="funnel-stages")
        yield Static("", id="funnel-notes")

    @property
    def stages(self) -> OptionList:
        return self.query_one("#funnel-stages", OptionList)

    def on_mount(self) -> None:
        self.call_service(reports.choices, then=self._got_choices, loading=self.stages)

    def on_screen_resume(self) -> None:
        if self.choices is not None:
            self.action_refresh()

    def _got_choices(self, choices: reports.Choices) -> None:
        self.choices = choices
        default = next((p for p in choices.pipelines if p.is_default), None)
        chosen = default or (choices.pipelines[0] if choices.pipelines else None)
        self.pipeline_id = chosen.id if chosen else None
        self.action_refresh()

    # --- computing ------------------------------------------------------------------------

    @property
    def options(self) -> ReportOptions:
        filters = {"manager": (self.manager_id,)} if self.manager_id is not None else {}
        return ReportOptions(
            period=period_of(self.period), pipeline_id=self.pipeline_id, filters=filters
        )

    def action_refresh(self) -> None:
        self._head()
        self.call_service(
            reports.run_report,
            "funnel",
            self.options,
            then=self._show,
            loading=self.stages,
            group="funnel",
        )

    def _head(self) -> None:
        choices = self.choices
        pipelines = {p.id: p.name for p in choices.pipelines} if choices else {}
        managers = dict(choices.managers) if choices else {}
        parts = [
            pipelines.get(self.pipeline_id, "—") if self.pipeline_id else "—",
            managers.get(self.manager_id, "?") if self.manager_id else _("all managers"),
            period_title(self.period),
        ]
        line = Text(_("Funnel: {what}").format(what=" · ".join(parts)))
        line.append(
            "\n" + _("deals · money · conversion from the previous stage · Enter: its deals"),
            style="not bold dim",
        )
        self.query_one("#funnel-head", Static).update(line)

    def _show(self, table: ReportTable) -> None:
        self.report = table
        self._draw()
        self.qapp.shown("funnel")

    def _draw(self) -> None:
        table = self.report
        if table is None:
            return
        stages = self.stages
        keep = stages.highlighted or 0
        stages.clear_options()
        width = max(20, stages.size.width - 4)
        top = max((r.values.get("count") or 0 for r in table.rows), default=0)
        for row in table.rows:
            stages.add_option(Option(self._stage(table, row, width, top)))
        if table.rows:
            stages.highlighted = min(keep, len(table.rows) - 1)
        totals = table.totals
        summary = _("Total: {count} · {amount} · weighted {weighted}").format(
            count=totals.get("count", 0),
            amount=show(totals.get("amount"), table.column("amount").kind, table.currency),
            weighted=show(totals.get("weighted"), table.column("weighted").kind, table.currency),
        )
        self.query_one("#funnel-notes", Static).update("\n".join([summary, *table.notes]))

    def _stage(self, table: ReportTable, row: ReportRow, width: int, top: int) -> Text:
        values, cur = row.values, table.currency
        count = values.get("count") or 0
        conversion = values.get("conversion")
        figures = " · ".join(
            [
                str(count),
                show(values.get("amount"), table.column("amount").kind, cur),
                *(
                    [show(conversion, table.column("conversion").kind, cur)]
                    if conversion is not None
                    else []
                ),
            ]
        )
        name = str(values.get("stage") or "")
        room = max(8, width - len(figures) - 2)
        name = name if len(name) <= room else name[: room - 1] + "…"
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(name, style="bold")
        line.append(" " * max(1, width - len(name) - len(figures)) + figures)
        filled = max(1 if count else 0, round(width * count / top)) if top else 0
        margin = (width - filled) // 2
        line.append("\n" + " " * margin)
        line.append(BAR * filled, style=BAR_STYLE)
        return line

    def on_resize(self, event: events.Resize) -> None:
        self._draw()

    # --- keys -----------------------------------------------------------------------------

    def action_pipeline(self) -> None:
        if not self.choices or not self.choices.pipelines:
            return
        ids = [p.id for p in self.choices.pipelines]
        index = ids.index(self.pipeline_id) if self.pipeline_id in ids else -1
        self.pipeline_id = ids[(index + 1) % len(ids)]
        self.action_refresh()

    def action_manager(self) -> None:
        if not self.choices:
            return
        ids: list[Any] = [None, *(ident for ident, _name in self.choices.managers)]
        index = ids.index(self.manager_id) if self.manager_id in ids else 0
        self.manager_id = ids[(index + 1) % len(ids)]
        self.action_refresh()

    def action_period(self) -> None:
        self.period = next_period(self.period)
        self.action_refresh()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id != "funnel-stages":
            return
        event.stop()
        table = self.report
        if table is None or not 0 <= event.option_index < len(table.rows):
            return
        row = table.rows[event.option_index]
        what = _("Stage «{stage}»").format(stage=row.values.get("stage"))
        self.drill_into(table, ReportRow({}, dict(row.keys)), "count", what)
