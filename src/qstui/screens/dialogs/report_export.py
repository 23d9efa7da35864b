"""Saving a report as XLSX or CSV: the format and the file name; the file is written in
a worker by the report services (which check the right ``export``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Input, Select

from qstui.domain.errors import ValidationFailed
from qstui.domain.reports import ReportTable
from qstui.i18n import _
from qstui.screens import report_services as reports
from qstui.widgets.form import FieldSpec, FormDialog


def default_path(table: ReportTable, kind: str) -> str:
    stamp = f"-{table.computed_at:%Y%m%d-%H%M}" if table.computed_at else ""
    return str(Path.cwd() / f"{table.report}{stamp}.{kind}")


class ExportDialog(FormDialog):
    """Closes with the path of the written file."""

    def __init__(self, table: ReportTable) -> None:
        kind = reports.EXPORT_KINDS[0]
        fields = [
            FieldSpec(
                "format",
                _("Format"),
                kind,
                choices=[(k.upper(), k) for k in reports.EXPORT_KINDS],
                allow_blank=False,
            ),
            FieldSpec("path", _("File"), default_path(table, kind)),
        ]
        super().__init__(_("Export the report"), fields, self._write, save_label=_("Export"))
        self.table = table

    def _write(self, ctx: Any, values: dict[str, Any]) -> Path:
        kind = values.get("format") or reports.EXPORT_KINDS[0]
        text = str(values.get("path") or "").strip()
        if not text:
            raise ValidationFailed({"path": _("Enter the file name")})
        target = Path(text).expanduser()
        if target.suffix.lower() != f".{kind}":
            target = target.with_name(f"{target.name}.{kind}")
        if not target.is_absolute():
            target = Path.cwd() / target
        if not target.parent.is_dir():
            raise ValidationFailed(
                {"path": _("There is no folder {path}").format(path=target.parent)}
            )
        return reports.export(ctx, self.table, target, kind)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "input-format" or event.value is Select.BLANK:
            return
        path_input = self.query_one("#input-path", Input)
        path = Path(path_input.value.strip() or default_path(self.table, str(event.value)))
        if path.suffix.lower().lstrip(".") in reports.EXPORT_KINDS:
            path_input.value = str(path.with_suffix(f".{event.value}"))
