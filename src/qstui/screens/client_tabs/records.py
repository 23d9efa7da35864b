"""A table of one kind of the card's records (contact persons, client terms, bank
accounts) with its title line and its keys: Ins adds one, Enter edits the one under the
cursor, Del deletes it after a question — each for users with the ``edit`` right (the
services refuse the others anyway); after a change the card reloads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from qstui.domain.clients import ClientCard
from qstui.i18n import _
from qstui.services import rights as R
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.form import FieldSpec
from qstui.widgets.tables import card_table, current_key, fill_table

if TYPE_CHECKING:
    from qstui.screens.client_tabs.base import CardTab


class Versioned(Protocol):
    id: int
    version: int


Record = TypeVar("Record", bound=Versioned)


class RecordsPanel(Localized, ServiceCalls, Vertical, Generic[Record]):
    """The panel of ``tab``; its keys act when its table has the focus. A subclass names
    its keys (``BINDINGS`` to the actions ``add``, ``edit``, ``delete``), the table
    (``TABLE``: the id; the title line is ``TABLE-title``, the panel ``TABLE-panel``),
    its ``COLUMNS`` (as ``card_table`` takes them), the services that add
    (``ADD(ctx, company_id, values)``) and delete (``DELETE(ctx, id, version)``), the
    message ids of the new-record form's title and of the notes after a change, and
    implements the methods that read the card and build the forms. ``ADD`` and
    ``DELETE`` are ``staticmethod``s (functions that run in a worker)."""

    TABLE = ""
    COLUMNS: Sequence[str | tuple[str, int]] = ()
    TITLE_CLASS = "section-title"  # "tab-title" when the panel is the whole tab
    ADD: ClassVar[Callable[[Any, int, dict[str, Any]], int]]
    DELETE: ClassVar[Callable[[Any, int, int], Any]]
    NEW_TITLE = ""  # message ids
    ADDED = ""
    SAVED = ""
    DELETED = ""

    def __init__(self, tab: CardTab) -> None:
        super().__init__(id=f"{self.TABLE}-panel")
        self.tab = tab
        self.items: dict[str, Record] = {}

    # --- what a subclass says ----------------------------------------------------------

    def records(self, card: ClientCard) -> Sequence[Record]:  # pragma: no cover - abstract
        raise NotImplementedError

    def heading(self, card: ClientCard) -> str:  # pragma: no cover - abstract
        """The title line before the keys' hint, e.g. «Bank accounts: 2»."""
        raise NotImplementedError

    def row(self, record: Record) -> list[str | Text]:  # pragma: no cover - abstract
        raise NotImplementedError

    def fields(self, record: Record | None) -> list[FieldSpec]:  # pragma: no cover
        """The form's fields: empty for a new record, else filled from ``record``."""
        raise NotImplementedError

    def edit_title(self, record: Record) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def saver(self, record: Record) -> Callable[[Any, dict[str, Any]], Any]:  # pragma: no cover
        """The form's ``submit`` that saves the changes of ``record``."""
        raise NotImplementedError

    def delete_question(self, record: Record) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- the panel ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id=f"{self.TABLE}-title", classes=self.TITLE_CLASS)
        yield card_table(self.TABLE, self.COLUMNS)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "delete", "edit"):
            return self.tab.can(R.EDIT)
        return True

    def fill(self, card: ClientCard) -> None:
        records = self.records(card)
        self.items = {str(r.id): r for r in records}
        self.query_one(f"#{self.TABLE}-title", Static).update(
            self.heading(card) + "  " + _("(Ins — add, Enter — edit, Del — delete)")
        )
        fill_table(
            self.query_one(f"#{self.TABLE}", DataTable),
            [(str(r.id), self.row(r)) for r in records],
        )

    def insert(self) -> None:
        """Ins on the tab wherever the focus is."""
        if self.check_action("add", ()):
            self.action_add()

    def current(self) -> Record | None:
        return self.items.get(current_key(self.query_one(f"#{self.TABLE}", DataTable)) or "")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.tab.can(R.EDIT):
            self.action_edit()

    def action_add(self) -> None:
        card = self.tab.card
        if card is None:
            return
        company_id, add = card.id, self.ADD

        def submit(ctx: Any, values: dict[str, Any]) -> int:
            return add(ctx, company_id, values)

        self.tab.form(
            _(self.NEW_TITLE),
            self.fields(None),
            submit,
            lambda _id: self.tab.changed(_(self.ADDED)),
        )

    def action_edit(self) -> None:
        record = self.current()
        if record is None or self.tab.card is None:
            return
        self.tab.form(
            self.edit_title(record),
            self.fields(record),
            self.saver(record),
            lambda _v: self.tab.changed(_(self.SAVED)),
        )

    def action_delete(self) -> None:
        record = self.current()
        if record is None:
            return

        def delete() -> None:
            self.call_service(
                self.DELETE,
                record.id,
                record.version,
                then=lambda _r: self.tab.changed(_(self.DELETED)),
            )

        self.tab.confirm(self.delete_question(record), delete)
