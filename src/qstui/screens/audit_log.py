"""The audit log (U4), newest first, a page at a time: who did it, what, to which
object and when, one line of changes per record. Filters: who (a login, or «system»
for the admin CLI), what object (``user`` or ``user:12``), and a period (from, to: local
days). Enter in a filter applies them; ``ctrl+pagedown`` / ``ctrl+pageup`` turn pages;
Esc returns. Read through ``services.access.audit_log``, which checks the right."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from qstui.domain.audit import ACTION_LABELS, AuditRecord, change_lines, parse_target
from qstui.domain.calendar import to_local
from qstui.domain.formatting import parse_day
from qstui.i18n import N_, _
from qstui.services.access.audit_log import list_audit
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.key_footer import KeyFooter
from qstui.widgets.text_field import TextField

PAGE = 50
FILTERS = ("who", "object", "since", "until")
COLUMNS = (
    (N_("When"), 16),
    (N_("Who"), 10),
    (N_("Action"), 10),
    (N_("Object"), 10),
    (N_("Changes"), 80),
)


class AuditFilterError(ValueError):
    """A filter cannot be read: the message says which, in the user's language."""


def read_filters(who: str, target: str, since: str, until: str) -> dict[str, Any]:
    """The typed filters as ``list_audit``'s arguments; ``AuditFilterError`` otherwise."""
    found: dict[str, Any] = {"user_login": who.strip() or None}
    kind: str | None = None
    ident: int | None = None
    if target.strip():
        try:
            kind, ident = parse_target(target)
        except ValueError:
            raise AuditFilterError(
                _("Object: a kind or kind:number, e.g. user or user:12")
            ) from None
    found.update(object_kind=kind, object_id=ident)
    days: list[date | None] = []
    for text in (since, until):
        try:
            days.append(parse_day(text) if text.strip() else None)
        except ValueError:
            raise AuditFilterError(_("Period: a date as DD.MM.YYYY, e.g. 01.12.2026")) from None
    if days[0] and days[1] and days[0] > days[1]:
        raise AuditFilterError(_("Period: the first day is after the last"))
    found.update(since=days[0], until=days[1])
    return found


def record_row(record: AuditRecord) -> tuple[str, ...]:
    return (
        to_local(record.logged_at).strftime("%d.%m.%Y %H:%M"),
        record.user_login,
        _(ACTION_LABELS.get(record.action, record.action)),
        f"{record.object_kind}:{record.object_id}",
        "; ".join(change_lines(record)),
    )


class AuditLogScreen(Localized, ServiceCalls, Screen[None]):
    AUTO_FOCUS = "#audit-table"
    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="audit.close"),
        Binding("ctrl+pagedown", "page(1)", N_("Next page"), id="audit.next"),
        Binding("ctrl+pageup", "page(-1)", N_("Previous page"), id="audit.previous"),
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False, id="audit.refresh"),
    ]
    DEFAULT_CSS = """
    AuditLogScreen #audit-filters { height: 1; }
    AuditLogScreen #audit-filters Input { width: 1fr; background: $boost; margin-right: 1; }
    AuditLogScreen #audit-status { height: auto; padding: 0 1; }
    AuditLogScreen #audit-table { height: 1fr; }
    AuditLogScreen #audit-detail { height: auto; max-height: 5; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.first = 0
        self.more = False
        self.filters: dict[str, Any] = {}
        self.records: list[AuditRecord] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="audit-filters"):
            yield TextField(placeholder=_("who (login)"), id="audit-who", compact=True)
            yield TextField(placeholder=_("object: user:12"), id="audit-object", compact=True)
            yield TextField(placeholder=_("from DD.MM.YYYY"), id="audit-since", compact=True)
            yield TextField(placeholder=_("to DD.MM.YYYY"), id="audit-until", compact=True)
        yield Static("", id="audit-status")
        yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="audit-detail")
        yield KeyFooter()

    @property
    def table(self) -> DataTable[str]:
        return self.query_one("#audit-table", DataTable)

    def on_mount(self) -> None:
        self.title = _("Audit log")
        for title, width in COLUMNS:
            self.table.add_column(_(title), width=width)
        self.action_refresh()

    def _typed(self, name: str) -> str:
        return self.query_one(f"#audit-{name}", Input).value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_refresh()

    def action_refresh(self) -> None:
        """Read the filters and show their first page."""
        try:
            self.filters = read_filters(*(self._typed(n) for n in FILTERS))
        except AuditFilterError as exc:
            self._status(str(exc), error=True)
            return
        self.first = 0
        self._load()

    def action_page(self, step: int) -> None:
        if (step > 0 and not self.more) or (step < 0 and self.first == 0):
            return
        self.first = max(0, self.first + step * PAGE)
        self._load()

    def action_close(self) -> None:
        self.dismiss(None)

    def _load(self) -> None:
        self.call_service(
            list_audit,
            **self.filters,
            limit=PAGE + 1,
            offset=self.first,
            then=self._show,
            on_error=lambda error: self.route_error(
                error, message=lambda text: self._status(text, error=True)
            ),
            loading=self.table,
            group="audit",
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._detail()

    def _detail(self) -> None:
        """The highlighted record's changes in full, one line each, under the table."""
        row = self.table.cursor_row
        record = self.records[row] if 0 <= row < len(self.records) else None
        lines = change_lines(record) if record is not None else []
        self.query_one("#audit-detail", Static).update("\n".join(lines))

    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#audit-status", Static)
        status.update(text)
        status.styles.color = "red" if error else None

    def _show(self, records: list[AuditRecord]) -> None:
        self.more = len(records) > PAGE
        self.records = records[:PAGE]
        table = self.table
        table.clear()
        for record in self.records:
            table.add_row(*record_row(record))
        if self.records:
            self._status(
                _("Records {first}–{last}{more}").format(
                    first=self.first + 1,
                    last=self.first + len(self.records),
                    more=_(" · ctrl+pagedown: more") if self.more else "",
                )
            )
        else:
            self._status(_("No audit records"))
        self._detail()
        self.qapp.shown("audit")
