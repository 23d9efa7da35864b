"""«Build your own report»: the measure, up to two dimensions, the dynamics, the period,
the currency and filters (manager, pipeline); closes with the ``ReportOptions``."""

from __future__ import annotations

from typing import Any

from qstui.domain import formatting as fmt
from qstui.domain.errors import ValidationFailed
from qstui.domain.reports import Dynamics, ReportOptions
from qstui.i18n import _
from qstui.screens import report_services as reports
from qstui.screens.dialogs.deal_forms import DealForm, typed_day
from qstui.screens.report_actions import period_of
from qstui.widgets.form import FieldSpec

NONE = "-"  # "no second dimension", "any manager" …
ANY = 0


def report_form(current: ReportOptions | None, choices: reports.Choices) -> DealForm:
    now = current or ReportOptions(by=("manager", Dynamics.MONTH.value), period=period_of("year"))
    dynamics = next((d for d in now.by if d in {v for v, _t in reports.DYNAMICS}), "none")
    dims = [d for d in now.by if d != dynamics]
    dimensions = [(_(title), name) for name, title in reports.DIMENSIONS]
    start, end = now.period or (None, None)
    managers = now.filters.get("manager", ())
    fields = [
        FieldSpec(
            "measure",
            _("Measure"),
            now.measure or reports.MEASURES[0][0],
            choices=[(_(title), name) for name, title in reports.MEASURES],
            allow_blank=False,
        ),
        FieldSpec(
            "dimension",
            _("Rows by"),
            dims[0] if dims else reports.DIMENSIONS[0][0],
            choices=dimensions,
            allow_blank=False,
        ),
        FieldSpec(
            "dimension2",
            _("And then by"),
            dims[1] if len(dims) > 1 else NONE,
            choices=[("—", NONE), *dimensions],
            allow_blank=False,
        ),
        FieldSpec(
            "dynamics",
            _("Dynamics"),
            dynamics,
            choices=[(_(title), name) for name, title in reports.DYNAMICS],
            allow_blank=False,
        ),
        FieldSpec("start", _("Period from"), fmt.day(start), placeholder=_("DD.MM.YYYY")),
        FieldSpec("end", _("Period to"), fmt.day(end), placeholder=_("DD.MM.YYYY")),
        FieldSpec(
            "currency",
            _("Currency"),
            now.currency or (choices.currencies[0] if choices.currencies else NONE),
            choices=[(code, code) for code in choices.currencies] or [("—", NONE)],
            allow_blank=False,
        ),
        FieldSpec(
            "manager",
            _("Manager"),
            managers[0] if len(managers) == 1 and managers[0] is not None else ANY,
            choices=[(_("All"), ANY), *((name, ident) for ident, name in choices.managers)],
            allow_blank=False,
        ),
        FieldSpec(
            "pipeline",
            _("Pipeline"),
            now.pipeline_id or ANY,
            choices=[(_("All"), ANY), *((p.name, p.id) for p in choices.pipelines)],
            allow_blank=False,
        ),
    ]

    def submit(_ctx: Any, values: dict[str, Any]) -> ReportOptions:
        errors: dict[str, str] = {}
        first, second = values.get("dimension"), values.get("dimension2")
        if second == first:
            errors["dimension2"] = _("Choose another dimension, or none")
        start = typed_day(values, "start", errors)
        end = typed_day(values, "end", errors)
        if (start is None) != (end is None):
            errors["end" if end is None else "start"] = _("Give both ends of the period, or none")
        elif start and end and end < start:
            errors["end"] = _("The end of the period is before its start")
        if errors:
            raise ValidationFailed(errors)
        chosen_dynamics = values.get("dynamics") or "none"
        by = [first, *([second] if second not in (None, NONE) else [])]
        if chosen_dynamics != Dynamics.NONE.value:
            by.append(chosen_dynamics)
        manager = values.get("manager")
        pipeline = values.get("pipeline")
        currency = values.get("currency")
        return ReportOptions(
            period=(start, end) if start and end else None,
            by=tuple(by),
            measure=values.get("measure"),
            currency=currency if currency not in (None, NONE) else None,
            pipeline_id=pipeline or None,
            filters={"manager": (manager,)} if manager else {},
        )

    return DealForm(_("Build a report"), fields, submit, save_label=_("Build"))
