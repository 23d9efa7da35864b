"""The deal card — «Работа» (D1–D8), pushed over any screen (Esc returns).

Tabs (``screens/deal_tabs``): 1 Main (the deal's fields, edited in place, ctrl+s saves
under the version), 2 Stages (move to the next/previous stage, a stage's responsible and
deadline), 3 Products and payment (product lines with the total; planned and actual
payments), 4 Documents (from 1C, read-only; invoices and shipments entered by hand),
5 Debt, 6 Fields (the custom fields admins defined for deals, edited in place, ctrl+s
saves them under the version). Each tab's keys work while it is shown. Win, lose
(reason and stage), reopen, and the commercial proposal (КП) export work from every tab;
the command palette adds the deal's 1C commands (``screens.deal_onec``).

The card opens with one service call (``deal_view``) and reloads the same way after
every change a tab reports.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static, TabbedContent, TabPane, Tabs

from qstui.domain import formatting as fmt
from qstui.domain.deals import STATUS_LABELS, DealCard, DealView
from qstui.domain.enums import DealStatus
from qstui.domain.errors import Conflict
from qstui.i18n import N_, _
from qstui.screens.deal_onec import DealOnecCommands
from qstui.screens.deal_tabs.base import DealTab
from qstui.screens.deal_tabs.debt import DebtTab
from qstui.screens.deal_tabs.documents import DocumentsTab
from qstui.screens.deal_tabs.fields import FieldsTab
from qstui.screens.deal_tabs.main import MainTab
from qstui.screens.deal_tabs.products import ProductsTab
from qstui.screens.deal_tabs.stages import StagesTab
from qstui.services import rights as R
from qstui.services.deals.outcome import reopen_deal, win_deal
from qstui.services.deals.view import deal_view
from qstui.ui.keys import digit_keys
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets import cells
from qstui.widgets.card_head import CardHead
from qstui.widgets.key_footer import KeyFooter

TAB_CLASSES: dict[str, type[DealTab]] = {
    "main": MainTab,
    "stages": StagesTab,
    "products": ProductsTab,
    "docs": DocumentsTab,
    "debt": DebtTab,
    "fields": FieldsTab,
}
TABS = tuple(TAB_CLASSES)  # in order: the digit keys 1–6


class DealCardScreen(DealOnecCommands, Localized, ServiceCalls, Screen[None]):
    AUTO_FOCUS = "Tabs"
    BINDINGS = [
        Binding("escape", "back", N_("Back"), show=False, id="deal_card.back"),
        # the keys of the tabs, each offered while its tab is shown
        *[
            replace(
                key, action=f"tab_key('{name}', '{key.action}')", id=f"deal_card.{name}.{key.id}"
            )
            for name, cls in TAB_CLASSES.items()
            for key in cls.KEYS
        ],
        Binding("w", "win", N_("Won"), show=False, id="deal_card.win"),
        Binding("l", "lose", N_("Lost"), show=False, id="deal_card.lose"),
        Binding("o", "reopen", N_("Reopen"), show=False, id="deal_card.reopen"),
        Binding("k", "proposal", N_("Proposal (КП)"), show=False, id="deal_card.proposal"),
        Binding("ctrl+r", "reload", N_("Reload"), show=False, id="deal_card.reload"),
        *[
            Binding(
                digit_keys(str(n)),
                f"tab('{name}')",
                cls.TITLE,
                show=False,
                id=f"deal_card.tab.{name}",
            )
            for n, (name, cls) in enumerate(TAB_CLASSES.items(), start=1)
        ],
    ]
    DEFAULT_CSS = """
    DealCardScreen #card-head { height: auto; padding: 0 1; background: $boost;
        text-wrap: nowrap; text-overflow: ellipsis; }
    DealCardScreen #card-keys { height: 1; padding: 0 1; background: $boost;
        color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    DealCardScreen TabbedContent { height: 1fr; }
    DealCardScreen TabPane { padding: 0 1; height: 1fr; }
    """

    def __init__(self, deal_id: int) -> None:
        super().__init__()
        self.deal_id = deal_id
        self.view: DealView | None = None
        self.tabs = {name: cls(id=f"pane-{name}") for name, cls in TAB_CLASSES.items()}
        self._load_on_resume = False

    @property
    def card(self) -> DealCard | None:
        return self.view.card if self.view is not None else None

    @property
    def main(self) -> MainTab:
        return self.tabs["main"]  # type: ignore[return-value]

    @property
    def fields(self) -> FieldsTab:
        return self.tabs["fields"]  # type: ignore[return-value]

    # --- layout and loading ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield CardHead(_("Deal №{id}").format(id=self.deal_id), id="card-head")
        yield Static("", id="card-keys")
        with TabbedContent(id="card-tabs", initial="tab-main"):
            for n, (name, tab) in enumerate(self.tabs.items(), start=1):
                with TabPane(f"{n} {_(tab.TITLE)}", id=f"tab-{name}"):
                    yield tab
        yield KeyFooter()

    def on_resize(self) -> None:
        if self.view is not None:
            for tab in self.tabs.values():
                tab.refit()

    def on_mount(self) -> None:
        self.reload()

    def reopen(self, deal_id: int) -> None:
        """Become the card of ``deal_id`` when pushed again (``ui.kept_screens``): the
        widgets stay, the previous deal goes — its head, what was typed on «Fields», and
        its tabs hidden until the new deal is shown in them (the form of «Main» is made
        anew), «Main» active."""
        self.deal_id = deal_id
        self.view = None
        self._load_on_resume = True
        self.fields.forget()
        self.query_one("#card-head", CardHead).say(_("Deal №{id}").format(id=deal_id))
        self.query_one("#card-keys", Static).update("")
        tabs = self.query_one("#card-tabs", TabbedContent)
        tabs.display = False
        tabs.active = "tab-main"

    def on_screen_resume(self) -> None:
        if self._load_on_resume:
            self._load_on_resume = False
            self.reload()

    def reload(self, typed: dict[str, Any] | None = None) -> None:
        """Load the card (again); ``typed``: values to keep in the Main form."""
        tabs = self.query_one("#card-tabs")
        self.call_service(
            deal_view,
            self.deal_id,
            then=lambda view: self._loaded(view, typed),
            on_error=self._load_failed,
            # Only the first load shows the indicator: a loading container takes the focus
            # away from the table the user is working in (a reopened card hides its tabs).
            loading=tabs if self.view is None and tabs.display else None,
            group="deal-card",
        )

    def action_reload(self) -> None:
        self.reload()

    def _load_failed(self, error: BaseException) -> None:
        if self.view is None and self.app.screen is self:
            self.app.pop_screen()
        self.qapp.show_error(error)

    def _loaded(self, view: DealView, typed: dict[str, Any] | None) -> None:
        self.view = view
        self._show_head(view.card)
        self.query_one("#card-tabs").display = True
        self.main.show(view, typed)
        for name, tab in self.tabs.items():
            if name != "main":
                tab.show(view)
        self.refresh_bindings()
        self.qapp.shown("deal_card")

    def _show_head(self, card: DealCard) -> None:
        status = _(STATUS_LABELS[card.status])
        first = Text(_("Deal №{id}").format(id=card.id) + " · " + card.title, style="bold")
        parts = [
            Text(card.company_name),
            Text(status, style="bold" if card.status == DealStatus.OPEN else ""),
            Text(fmt.money(card.amount, card.currency_code)),
        ]
        if card.debt is not None and card.debt.debt != 0:
            debt = fmt.debt_phrase(card.debt.debt, card.currency_code, _("debt: {amount}"))
            parts.append(Text(debt, style=cells.ALERT + " bold" if card.debt.is_receivable else ""))
        if card.stage_name:
            overdue = card.is_overdue
            stage = Text(card.stage_name, style=cells.ALERT if overdue else "")
            if overdue:
                stage.append(" " + _("(overdue)"), style=cells.ALERT)
            parts.append(stage)
        self.query_one("#card-head", CardHead).show(parts, first)
        keys = [("Esc", _("back"))]
        if card.status == DealStatus.OPEN:
            keys += [("w", _("won")), ("l", _("lost"))]
        else:
            keys.append(("o", _("reopen")))
        keys += [("k", _("proposal")), ("1–6", _("tabs")), ("F1", _("all keys"))]
        line = Text(no_wrap=True, overflow="ellipsis")
        for n, (key, label) in enumerate(keys):
            line.append(" · " if n else "")
            line.append(key, style="bold")
            line.append(f" {label}")
        self.query_one("#card-keys", Static).update(line)

    # --- tabs and their keys --------------------------------------------------------------

    @property
    def active_tab(self) -> str:
        return self.query_one("#card-tabs", TabbedContent).active.removeprefix("tab-")

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()
        target = self.tabs[self.active_tab].FOCUS
        if target and isinstance(self.focused, Tabs):
            self.query_one(target).focus()

    def action_tab(self, tab: str) -> None:
        tabbed = self.query_one("#card-tabs", TabbedContent)
        # Focus the tab bar first: a focused widget in the pane being hidden would pass
        # the focus to its neighbour there, and TabbedContent would switch back to it.
        self.set_focus(tabbed.query_one(Tabs), scroll_visible=False)
        tabbed.active = f"tab-{tab}"

    def action_tab_key(self, tab: str, action: str) -> None:
        """A key of the tab ``tab``: its action runs on the tab."""
        getattr(self.tabs[tab], f"action_{action}")()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        card = self.card
        ctx = self.qapp.ctx
        can_edit = bool(ctx is not None and ctx.has(R.EDIT))
        is_open = card is not None and card.status == DealStatus.OPEN
        if action == "tab_key":
            name, key_action = parameters
            shown = self.active_tab if self.is_mounted else "main"
            return name == shown and bool(self.tabs[str(name)].check_action(str(key_action), ()))
        if action in ("win", "lose"):
            return card is not None and can_edit and is_open
        if action == "reopen":
            return card is not None and can_edit and not is_open
        if action == "proposal":
            return card is not None
        return True

    def on_deal_tab_changed(self, message: DealTab.Changed) -> None:
        message.stop()
        self._changed(message.note, message.typed)

    def on_deal_tab_failed(self, message: DealTab.Failed) -> None:
        message.stop()
        self._op_failed(message.error)

    def on_deal_tab_activate(self, message: DealTab.Activate) -> None:
        message.stop()
        name = next(name for name, tab in self.tabs.items() if tab is message.tab)
        self.query_one("#card-tabs", TabbedContent).active = f"tab-{name}"

    # --- changes --------------------------------------------------------------------------

    def _changed(self, note: str | None = None, typed: dict[str, Any] | None = None) -> None:
        """Something was saved: reload, keeping ``typed`` in «Main» (None: what is typed
        there now — a change saved elsewhere takes nothing typed away)."""
        if note:
            self.notify(note)
        if typed is None and self.view is not None:
            typed = self.main.typed_changes()
        self.reload(typed)

    def _op(self, fn: Any, *args: Any, done: str) -> None:
        self.call_service(
            fn,
            *args,
            then=lambda _result: self._changed(done),
            on_error=self._op_failed,
            group="deal-op",
        )

    def _op_failed(self, error: BaseException) -> None:
        if isinstance(error, Conflict):
            self.show_conflict(error, reload=lambda: self.reload(self.main.typed_changes()))
        else:
            self.qapp.show_error(error)
            self.reload(self.main.typed_changes())

    def _version(self) -> int:
        assert self.card is not None
        return self.card.version

    def _confirm(self, question: str, yes: str, then: Any) -> None:
        from qstui.screens.dialogs.message import ConfirmDialog

        def answer(agreed: bool | None) -> None:
            if agreed and self.card is not None:
                then(self.card)

        self.app.push_screen(ConfirmDialog(question, yes=yes, no=_("Cancel")), answer)

    # --- win, lose, reopen, the proposal --------------------------------------------------

    def action_win(self) -> None:
        if self.card is not None:
            self._confirm(
                _("Mark the deal «{title}» as won?").format(title=self.card.title),
                _("Won"),
                lambda card: self._op(win_deal, card.id, card.version, done=_("The deal is won")),
            )

    def action_lose(self) -> None:
        from qstui.services.refbooks.pipelines import list_refusal_reasons

        if self.card is not None:
            self.call_service(list_refusal_reasons, then=self._ask_loss, group="reasons")

    def _ask_loss(self, reasons: list[Any]) -> None:
        from qstui.screens.dialogs.deal_forms import lose_dialog

        card = self.card
        if card is None:
            return

        def closed(result: Any) -> None:
            if result is not None:
                self._changed(_("The deal is lost"))

        self.app.push_screen(lose_dialog(card, reasons, self._version), closed)

    def action_reopen(self) -> None:
        if self.card is not None:
            self._confirm(
                _("Reopen the deal «{title}»?").format(title=self.card.title),
                _("Reopen"),
                lambda card: self._op(
                    reopen_deal, card.id, card.version, done=_("The deal is open again")
                ),
            )

    def action_proposal(self) -> None:
        from qstui.screens.dialogs.deal_forms import ProposalDialog

        def saved(result: Any) -> None:
            if result is not None:
                self.notify(_("The proposal is saved: {path}").format(path=result.path), timeout=10)

        self.app.push_screen(ProposalDialog(self.deal_id), saved)

    def has_unsaved(self) -> bool:
        return self.main.dirty or self.fields.dirty

    def action_back(self) -> None:
        if self.main.holds(self.focused) or self.fields.holds(self.focused):
            self.query_one("#card-tabs", TabbedContent).query_one(Tabs).focus()
            return
        if self.has_unsaved():
            from qstui.screens.dialogs.message import ConfirmDialog

            def answer(leave: bool | None) -> None:
                if leave:
                    self.dismiss()

            self.app.push_screen(
                ConfirmDialog(
                    _("The deal has unsaved changes. Close it without saving?"),
                    yes=_("Close"),
                    no=_("Stay"),
                ),
                answer,
            )
            return
        self.dismiss()
