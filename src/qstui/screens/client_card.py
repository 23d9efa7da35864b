"""The client card (C2, C5–C8, K1–K2): everything about one company on ten tabs, filled
from one ``get_card`` call (in a worker) and refreshed after every change.

Keys (F1 lists them): Esc closes the card; 1…9, 0 (or alt+1…alt+0) open a tab, ``]`` /
``[`` or ctrl+PgDn / ctrl+PgUp the next / previous one (digits and ``[``/``]`` type into
a text field when one has the focus, see ``ui.keys.digit_keys``); ctrl+e logs an
interaction, ctrl+t plans one; ctrl+s saves what was typed on «Реквизиты» and «Доп.
поля»; ctrl+r reloads the card (keeping what was typed); ctrl+g gives the client to
another manager (needs the ``reassign`` right). Each tab adds its own keys (Ins adds,
Enter opens or edits, Del deletes).
"""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Input,
    Select,
    TabbedContent,
    TabPane,
    Tabs,
    TextArea,
)

from qstui.domain import formatting as fmt
from qstui.domain.calendar import Completion, EventTypeInfo
from qstui.domain.clients import ClientCard
from qstui.i18n import N_, _
from qstui.screens.client_tabs.base import CardTab, PickDialog
from qstui.screens.client_tabs.claims import ClaimsTab
from qstui.screens.client_tabs.contacts import ContactsTab
from qstui.screens.client_tabs.custom import CustomFieldsTab
from qstui.screens.client_tabs.documents import ContractsTab, MaterialsTab
from qstui.screens.client_tabs.groups import GroupsTab
from qstui.screens.client_tabs.history import HistoryTab
from qstui.screens.client_tabs.requisites import RequisitesTab
from qstui.screens.client_tabs.sales import DealsTab, ProductsTab
from qstui.screens.dialogs.interaction import LOG, PLAN, CompleteDialog, InteractionDialog
from qstui.services import rights as R
from qstui.services.calendar.event_types import list_event_types
from qstui.services.clients.card import card_choices, get_card
from qstui.services.clients.companies import reassign
from qstui.ui.keys import digit_keys
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.card_head import CardHead
from qstui.widgets.cells import ALERT
from qstui.widgets.key_footer import KeyFooter
from qstui.widgets.tables import WIDE

TABS: tuple[tuple[str, type[CardTab]], ...] = (
    ("history", HistoryTab),
    ("contacts", ContactsTab),
    ("deals", DealsTab),
    ("products", ProductsTab),
    ("contracts", ContractsTab),
    ("materials", MaterialsTab),
    ("groups", GroupsTab),
    ("requisites", RequisitesTab),
    ("custom", CustomFieldsTab),
    ("claims", ClaimsTab),
)
TABS_ORDER = tuple(name for name, _cls in TABS)
FOCUS_TARGETS = (DataTable, Input, Select, TextArea)  # what a tab's focus goes to
FOCUS_ATTEMPTS = 40  # × 50 ms: how long a tab being built is waited for
STOLEN_FOCUS_WINDOW = 1.0  # seconds after a tab switch when the strip may steal the focus


def _digit(index: int) -> str:
    return str((index + 1) % 10)


class ClientCardScreen(Localized, ServiceCalls, Screen[None]):
    """The card of the company ``company_id`` (pushed over the screen it was opened from)."""

    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="client_card.close"),
        Binding("ctrl+e", "log", N_("Log an interaction"), priority=True, id="client_card.log"),
        Binding("ctrl+t", "plan", N_("Plan an interaction"), priority=True, id="client_card.plan"),
        Binding("ctrl+s", "save", N_("Save"), priority=True, id="client_card.save"),
        Binding("ctrl+r", "reload", N_("Reload"), show=False, id="client_card.reload"),
        Binding("ctrl+g", "reassign", N_("Give to another manager"), id="client_card.reassign"),
        Binding("ctrl+y", "send_package", N_("Send a package"), id="client_card.send_package"),
        Binding("insert,ctrl+n", "insert", N_("Add"), show=False, id="client_card.insert"),
        # [ and ] type into a field that has the focus; ctrl+PgUp/PgDn work everywhere
        Binding(
            "right_square_bracket",
            "step_tab(1)",
            N_("Next tab"),
            show=False,
            id="client_card.next_tab",
        ),
        Binding(
            "left_square_bracket",
            "step_tab(-1)",
            N_("Previous tab"),
            show=False,
            id="client_card.previous_tab",
        ),
        Binding(
            "ctrl+pagedown",
            "step_tab(1)",
            N_("Next tab"),
            show=False,
            priority=True,
            id="client_card.next_tab_page",
        ),
        Binding(
            "ctrl+pageup",
            "step_tab(-1)",
            N_("Previous tab"),
            show=False,
            priority=True,
            id="client_card.previous_tab_page",
        ),
        *[
            Binding(
                digit_keys(_digit(i)),
                f"tab('{name}')",
                cls.TITLE,
                show=False,
                id=f"client_card.tab.{name}",
            )
            for i, (name, cls) in enumerate(TABS)
        ],
    ]
    DEFAULT_CSS = """
    ClientCardScreen #card-head { height: auto; padding: 0 1; background: $boost; }
    ClientCardScreen #card-tabs { height: 1fr; }
    ClientCardScreen TabPane { padding: 0 1; height: 1fr; }
    """

    def __init__(self, company_id: int) -> None:
        super().__init__()
        self.company_id = company_id
        self.card: ClientCard | None = None
        self.choices: dict[str, Any] = {}
        self.event_types: list[EventTypeInfo] = []
        self._wide: bool | None = None
        self._reload_on_resume = False
        self._load_on_resume = False
        self._tabs: dict[str, CardTab] = {}
        self._ready: set[str] = set()
        self._focus_wanted: str | None = "history"
        self._refocus_left = 5
        self._focused_at = 0.0  # when a tab last took the focus (time.monotonic)

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield CardHead(_("Loading the card…"), id="card-head")
        with TabbedContent(id="card-tabs"):
            for i, (name, cls) in enumerate(TABS):
                # a tab's widgets are made the first time it is shown (a card opens fast)
                yield TabPane(self._label(i, cls, wide=False), id=f"tab-{name}")
        yield KeyFooter()

    @staticmethod
    def _label(index: int, cls: type[CardTab], wide: bool) -> str:
        return f"{_digit(index)} {_(cls.TITLE if wide else cls.SHORT)}"

    def on_resize(self, event: Any) -> None:
        wide = self.size.width >= WIDE
        if wide == self._wide:
            return
        self._wide = wide
        tabs = self.query_one("#card-tabs", TabbedContent)
        for i, (name, cls) in enumerate(TABS):
            tabs.get_tab(f"tab-{name}").label = self._label(i, cls, wide)
        if self.card is not None:  # long texts are cut on narrow terminals only
            self._show_card(self.card)

    def tab(self, name: str) -> CardTab | None:
        """The tab ``name`` once it has been shown (None before)."""
        return self._tabs.get(name) if name in self._ready else None

    @property
    def requisites(self) -> RequisitesTab | None:
        return self.tab("requisites")  # type: ignore[return-value]

    @property
    def custom(self) -> CustomFieldsTab | None:
        return self.tab("custom")  # type: ignore[return-value]

    def _ensure_tab(self, name: str) -> None:
        if name in self._tabs:
            return
        tab = dict(TABS)[name](id=f"pane-{name}")
        self._tabs[name] = tab
        mounting = self.query_one(f"#tab-{name}", TabPane).mount(tab)

        async def mounted() -> None:
            await mounting
            self._ready.add(name)
            if self.choices:
                tab.set_choices(self.choices)
            if self.card is not None:
                tab.show(self.card)
                self._painted(name)
            if self._focus_wanted == name:
                self.call_after_refresh(self._focus_tab, name)

        self.call_next(mounted)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        name = (event.pane.id or "").removeprefix("tab-")
        self._ensure_tab(name)
        if name == self._focus_wanted and name in self._ready:
            self.call_after_refresh(self._focus_tab, name)
        if name in self._ready and self.card is not None:
            self._painted(name)

    # --- loading ------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._load_card()
        self.call_service(card_choices, then=self._got_choices, group="card-choices")
        self.call_service(list_event_types, then=self._got_types, group="card-types")
        self._ensure_tab("history")

    def _load_card(self) -> None:
        tabs = self.query_one("#card-tabs")
        self.call_service(
            get_card,
            self.company_id,
            then=self._show_card,
            on_error=self._load_failed,
            loading=tabs if tabs.display else None,  # hidden when reopened
            group="card-load",
        )

    def reopen(self, company_id: int) -> None:
        """Make this (closed) card the card of ``company_id``, to be pushed again: its
        widgets are kept — building ten tabs, the strip and the footer costs far more than
        filling them — and everything of the previous company goes: the head, what was
        typed on the tabs edited in place (``forget``); the tabs are hidden until the new
        card arrives (so the screen is painted once with them, not twice), the first
        active."""
        self.company_id = company_id
        self.card = None
        self._reload_on_resume = False
        self._load_on_resume = True
        self._focus_wanted = "history"
        self._refocus_left = 5
        for tab in self._tabs.values():
            tab.forget()
        self.query_one("#card-head", CardHead).say(_("Loading the card…"))
        tabs = self.query_one("#card-tabs", TabbedContent)
        tabs.display = False
        tabs.active = "tab-history"

    def on_screen_resume(self) -> None:
        if self._load_on_resume:  # reopened for another company
            self._load_on_resume = False
            self._load_card()
        elif self._reload_on_resume:  # back from a deal card: amounts and debts may differ
            self._reload_on_resume = False
            self.reload_card()

    def reload_card(self) -> None:
        """Read the card again and refill every tab (what was typed stays)."""
        self.call_service(
            get_card,
            self.company_id,
            then=self._show_card,
            on_error=self._load_failed,
            group="card-load",
        )

    def _show_card(self, card: ClientCard) -> None:
        first = self.card is None
        self.card = card
        self._show_head(card)
        self.query_one("#card-tabs").display = True
        for name in TABS_ORDER:
            tab = self.tab(name)
            if tab is not None:
                tab.show(card)
        active = self.query_one("#card-tabs", TabbedContent).active.removeprefix("tab-")
        if first:  # now that the tables have rows, the focus goes to the first one filled
            self.call_after_refresh(self._focus_tab, active)
        if active in self._ready:
            self._painted(active)

    def _painted(self, tab: str) -> None:
        """The card shows its data on the tab ``tab`` (the benchmark's stop-watch)."""
        if tab == self.query_one("#card-tabs", TabbedContent).active.removeprefix("tab-"):
            self.qapp.shown("client_card")
            self.qapp.shown(f"client_card.{tab}")

    def _show_head(self, card: ClientCard) -> None:
        parts = [Text(card.name, style="bold")]
        if card.inn:
            parts.append(Text(_("INN {inn}").format(inn=card.inn)))
        parts.append(Text(_("manager: {name}").format(name=card.manager or _("nobody"))))
        debt = fmt.debt_phrase(card.total_debt, "RUB", _("debt: {amount}"))
        parts.append(Text(debt, style=ALERT if card.total_debt > 0 else ""))
        self.query_one("#card-head", CardHead).show(parts)

    def _load_failed(self, error: BaseException) -> None:
        if self.card is None and self.is_current:  # nothing to show: back where it came from
            self.dismiss(None)
        self.qapp.show_error(error)

    def _got_choices(self, choices: dict[str, Any]) -> None:
        self.choices = choices
        for name in TABS_ORDER:
            tab = self.tab(name)
            if tab is not None:
                tab.set_choices(choices)

    def _got_types(self, types: list[EventTypeInfo]) -> None:
        self.event_types = list(types)

    # --- tabs ---------------------------------------------------------------------------

    def action_tab(self, name: str) -> None:
        """Show the tab ``name`` and put the focus into it (its table or first field)."""
        tabs = self.query_one("#card-tabs", TabbedContent)
        self._focus_wanted = name
        if tabs.active == f"tab-{name}":
            self._focus_tab(name)
        else:
            # Nothing keeps the focus in the tab being hidden: Textual would move it to
            # the next widget there, and TabbedContent would show that tab again (the
            # next keys of a burst, such as «]]]», then went astray).
            self.set_focus(None)
            tabs.active = f"tab-{name}"  # → TabActivated: made if new, then focused

    def active_tab(self) -> CardTab | None:
        try:
            tabs = self.query_one("#card-tabs", TabbedContent)
        except NoMatches:  # the card is being closed
            return None
        return self.tab(tabs.active.removeprefix("tab-"))

    def action_insert(self) -> None:
        """Ins reaches the tab's "add" even when the focus is on the tab strip."""
        tab = self.active_tab()
        if tab is not None:
            tab.insert()

    def action_step_tab(self, step: int) -> None:
        tabs = self.query_one("#card-tabs", TabbedContent)
        names = [name for name, _cls in TABS]
        current = tabs.active.removeprefix("tab-")
        index = names.index(current) if current in names else 0
        self.action_tab(names[(index + step) % len(names)])

    def on_card_tab_show_tab(self, event: CardTab.ShowTab) -> None:
        event.stop()
        name = (event.tab.id or "").removeprefix("pane-")
        self.query_one("#card-tabs", TabbedContent).active = f"tab-{name}"

    def _focus_tab(self, name: str, attempt: int = 0) -> None:
        """Focus the tab's first table that has rows, else its first table or field. A tab
        still being built has nothing to focus yet: then it tries again a moment later
        (unless another tab was asked for meanwhile)."""
        tab = self.tab(name)
        if tab is None or self.query_one("#card-tabs", TabbedContent).active != f"tab-{name}":
            # another tab was shown meanwhile (keys typed in a burst): focusing this one
            # would make TabbedContent show it again, and the later keys would be lost
            return
        targets = [w for w in tab.query("*") if isinstance(w, FOCUS_TARGETS) and w.focusable]
        if not targets:
            if attempt < FOCUS_ATTEMPTS and self._focus_wanted in (None, name):
                self._focus_wanted = name
                self.set_timer(0.05, lambda: self._focus_tab(name, attempt + 1))
            return
        self._focus_wanted = None
        self._refocus_left = 5
        self._focused_at = time.monotonic()
        filled = [w for w in targets if not isinstance(w, DataTable) or w.row_count]
        (filled or targets)[0].focus()

    def on_descendant_blur(self, event: Any) -> None:
        """Hiding the previous tab blurs its widgets a moment later (and Textual may
        blur the new focus with them): a card never stays without a focus."""
        self.call_after_refresh(self._keep_focus)

    def _keep_focus(self) -> None:
        if not self.is_current or not self._refocus_left:
            return
        # Textual moves the focus of a hidden widget to the next one it finds — the tab
        # strip — possibly after the new tab took it: right after a switch, that is a
        # focus lost too.
        stolen = isinstance(self.focused, Tabs) and (
            time.monotonic() - self._focused_at < STOLEN_FOCUS_WINDOW
        )
        if self.focused is not None and not stolen:
            return
        tab = self.active_tab()
        if tab is not None:
            self._refocus_left -= 1
            targets = [w for w in tab.query("*") if isinstance(w, FOCUS_TARGETS) and w.focusable]
            if targets:
                targets[0].focus()

    # --- rights -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        ctx = self.qapp.ctx
        if action in ("log", "plan", "save"):
            return ctx is not None and ctx.has(R.EDIT)
        if action == "reassign":
            return ctx is not None and ctx.has(R.EDIT) and ctx.has(R.REASSIGN)
        return True

    # --- closing ------------------------------------------------------------------------

    def unsaved(self) -> list[tuple[str, str]]:
        return [
            *(self.requisites.typed_for_copy() if self.requisites else ()),
            *(self.custom.typed_for_copy() if self.custom else ()),
        ]

    def has_unsaved(self) -> bool:
        return bool(self.unsaved())

    def action_close(self) -> None:
        if not self.unsaved():
            self.dismiss(None)
            return
        from qstui.screens.dialogs.message import ConfirmDialog

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmDialog(
                _("Close the card and discard what you typed?"),
                yes=_("Discard"),
                no=_("Keep editing"),
            ),
            answered,
        )

    def action_reload(self) -> None:
        self.reload_card()

    def on_card_tab_reload(self, event: CardTab.Reload) -> None:
        event.stop()
        self.reload_card()

    def action_save(self) -> None:
        saving = bool(self.requisites and self.requisites.save())
        saving = bool(self.custom and self.custom.save()) or saving
        if not saving:
            self.notify(_("Nothing to save"))

    # --- interactions (K1, K2) ----------------------------------------------------------

    def _contacts(self) -> list[tuple[str, int]]:
        return [(c.full_name, c.id) for c in self.card.contacts] if self.card else []

    def _interaction(self, mode: str) -> None:
        dialog = InteractionDialog(
            self.company_id,
            mode,
            company_name=self.card.name if self.card else None,
            types=self.event_types or None,
            contacts=self._contacts(),
        )

        def done(event_id: int | None) -> None:
            if event_id is not None:
                self.notify(_("Interaction logged") if mode == LOG else _("Planned"))
                self.reload_card()

        self.app.push_screen(dialog, done)

    def action_log(self) -> None:
        self._interaction(LOG)

    def action_plan(self) -> None:
        self._interaction(PLAN)

    def on_card_tab_plan_wanted(self, event: CardTab.PlanWanted) -> None:
        event.stop()
        self.action_plan()

    def on_card_tab_complete_plan(self, event: CardTab.CompletePlan) -> None:
        event.stop()
        self.complete_plan(event.event_id, event.summary)

    def complete_plan(self, event_id: int, summary: str = "") -> None:
        """Complete a plan, then offer the next one (Enter accepts it, Esc skips it)."""

        def completed(completion: Completion | None) -> None:
            if completion is None:
                return
            self.reload_card()
            offer = InteractionDialog(
                self.company_id,
                PLAN,
                company_name=self.card.name if self.card else None,
                types=self.event_types or None,
                contacts=self._contacts(),
                prefill=completion.next_plan,
                title=_("Plan the next one? Enter — plan, Esc — skip"),
            )
            self.app.push_screen(offer, planned)

        def planned(event_id: int | None) -> None:
            if event_id is not None:
                self.notify(_("The next one is planned"))
                self.reload_card()

        self.app.push_screen(CompleteDialog(event_id, summary), completed)

    # --- packages (P1) ------------------------------------------------------------------

    def action_send_package(self) -> None:
        from qstui.screens.dialogs.send_package import to_client

        card = self.card
        if card is None:
            return
        if not self.qapp.ctx.has(R.PACKAGES):
            self.notify(_("You lack the right to send packages"), severity="warning")
            return

        def sent(count: int | None) -> None:
            if count:
                self.reload_card()

        self.app.push_screen(to_client(self.company_id, card.name), sent)

    # --- reassigning (C8 / U2) ----------------------------------------------------------

    def action_reassign(self) -> None:
        card = self.card
        if card is None:
            return
        managers = [
            (name, i) for i, name in self.choices.get("managers", ()) if i != card.manager_id
        ]
        if not managers:
            self.notify(_("There is nobody else you may give the client to"), severity="warning")
            return

        def picked(manager_id: int | None) -> None:
            if manager_id is None:
                return
            self.call_service(
                reassign,
                [card.id],
                manager_id,
                then=lambda _n: self._reassigned(),
                group="card-reassign",
            )

        self.app.push_screen(
            PickDialog(_("Give «{name}» to").format(name=card.name), managers), picked
        )

    def _reassigned(self) -> None:
        self.notify(_("The client has another manager now"))
        if self.requisites is not None:
            self.requisites.accept_own_change()
        self.reload_card()

    # --- deals ----------------------------------------------------------------------------

    def on_card_tab_open_deal(self, event: CardTab.OpenDeal) -> None:
        """A deal card covers this one: the card reloads when it closes."""
        event.stop()
        try:
            self._reload_on_resume = True
            self.qapp.open_deal(event.deal_id)
        except ModuleNotFoundError:  # the deal card is not part of this build yet
            self.notify(_("The deal card is not available"), severity="warning")
