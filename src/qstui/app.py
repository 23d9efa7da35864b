"""The Textual application: login, the main window's modules as app modes, F1 help,
the command palette, and the one place errors are shown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from qstui import memory
from qstui.i18n import N_, _, language, set_language
from qstui.screens.palette import PROVIDERS, QstuiCommandPalette
from qstui.services.context import Context
from qstui.services.errors import describe
from qstui.ui import keys
from qstui.ui.kept_screens import KeptScreens
from qstui.ui.key_order import KeyOrder
from qstui.ui.modules import MODULES, allowed, by_name
from qstui.widgets import module_panel, text_field

if TYPE_CHECKING:
    from qstui.serve.handoff import Credentials


class QstuiApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "qstui"
    COMMANDS = set(PROVIDERS)  # find anything, the modules, the keys of the current screen
    BINDINGS = [
        Binding("ctrl+q", "quit", N_("Quit"), priority=True, id="app.quit"),
        Binding(
            "ctrl+p",
            "command_palette",
            N_("Commands"),
            show=False,
            priority=True,
            id="app.commands",
        ),
        Binding("f1", "help", N_("Help"), id="app.help"),
        Binding(module_panel.TOGGLE_KEY, "toggle_modules", N_("Modules"), id="app.modules"),
        Binding("ctrl+o", "logout", N_("Log out"), show=False, id="app.logout"),
        *[
            Binding(
                m.key, f"module('{m.name}')", N_(m.title), show=False, id=f"app.module.{m.name}"
            )
            for m in MODULES
        ],
    ]

    def __init__(
        self,
        db: Any,
        login: str | None = None,
        credentials: Credentials | None = None,
        lang_fixed: bool = False,
    ) -> None:
        """``db``: the ``Database`` the CLI opened (screens reach it only via services);
        ``credentials``: a login and password to log in with at once (a session of
        ``qstui serve``, whose server checked them on its login page); ``lang_fixed``:
        the language was given by ``--lang`` / ``QSTUI_LANG`` and the user's own
        choice does not replace it at login."""
        super().__init__()
        self.lang_fixed = lang_fixed
        keys.install(self)  # the app's keys in the keymap, as every screen's (ui.keys)
        self.db = db
        self.prefill_login = credentials.login if credentials is not None else login
        self._credentials = credentials
        self.ctx: Context | None = None
        self._open_modules: list[str] = []
        # the module panel: collapsed to its keys (True), expanded (False), or as the
        # terminal's width decides (None, until the user toggles it)
        self.modules_collapsed: bool | None = None
        self.kept = KeptScreens(self)  # the card screens, reused
        # called with a name once a screen's data is painted (bench/: key → painted)
        self.paint_listeners: list[Callable[[str], None]] = []
        self._key_order = KeyOrder(self, super().on_event)  # a burst of keys, in order

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:  # from the terminal
            await self._key_order.key(event)
        else:
            await super().on_event(event)

    def on_mount(self) -> None:
        self.sub_title = self.db.display_url
        self.add_mode("login", self._login_screen)
        self.switch_mode("login")
        self.call_after_refresh(memory.keep_out_of_the_way)

    def _login_screen(self) -> Screen[None]:
        from qstui.screens.login import LoginScreen

        return LoginScreen(self.prefill_login)

    # --- session ------------------------------------------------------------------

    def take_credentials(self) -> Credentials | None:
        """The credentials given at start, once (then forgotten), or None."""
        credentials, self._credentials = self._credentials, None
        return credentials

    def logged_in(self, ctx: Context) -> None:
        self.ctx = ctx
        self.title = f"qstui · {ctx.full_name}"
        relanguage = not self.lang_fixed and ctx.lang is not None and ctx.lang != language()
        if relanguage:
            set_language(ctx.lang)  # the user's own choice, before any screen is built
        for module in allowed(ctx.rights):
            self.add_mode(module.name, module.factory())
            self._open_modules.append(module.name)
        self.switch_mode("today")
        if relanguage:
            self.call_after_refresh(self._rebuild_login)
        self.call_after_refresh(memory.keep_out_of_the_way)  # the modules are built

    async def _rebuild_login(self) -> None:
        """The login screen again, in the current language (it is not on show)."""
        if self.current_mode != "login":
            await self.remove_mode("login")
            self.add_mode("login", self._login_screen)

    # --- the interface language ---------------------------------------------------------

    async def switch_language(self, lang: str) -> None:
        """Speak ``lang`` from now on: every screen is built again in it (the open
        cards close; one holding unsaved changes stops the switch) and the choice is
        remembered for the user's next login."""
        if self.ctx is None or lang == language():
            return
        for stack in self._screen_stacks.values():
            for screen in stack:
                has_unsaved = getattr(screen, "has_unsaved", None)
                if has_unsaved is not None and has_unsaved():
                    self.notify(
                        _("The card has unsaved changes: save them (ctrl+s) or close it (Esc)"),
                        severity="warning",
                    )
                    return
        set_language(lang)
        self.ctx = replace(self.ctx, lang=lang)
        current = self.current_mode
        self.add_mode("relanguage", Screen)
        await self.switch_mode("relanguage")
        for mode in [*self._open_modules, "login"]:
            await self.remove_mode(mode)
        await self.kept.forget()
        self.add_mode("login", self._login_screen)
        for module in allowed(self.ctx.rights):
            self.add_mode(module.name, module.factory())
        await self.switch_mode(current if current in self._open_modules else "today")
        await self.remove_mode("relanguage")
        self.run_worker(
            self._remember_language(self.ctx, lang),
            thread=True,
            exit_on_error=False,
            group="language",
        )

    def _remember_language(self, ctx: Context, lang: str) -> Callable[[], None]:
        from qstui.services.access.preferences import set_own_language

        def job() -> None:
            try:
                set_own_language(ctx, lang)
            except Exception as exc:  # said in the one error dialog; the switch stays
                self.call_from_thread(self.show_error, exc)

        return job

    async def action_logout(self) -> None:
        """Back to the login screen; the modules (and their screens) are closed."""
        if self.ctx is None:
            return
        self.prefill_login = self.ctx.login
        await self.switch_mode("login")
        for mode in self._open_modules:
            await self.remove_mode(mode)
        self._open_modules.clear()
        await self.kept.forget()
        if self.ctx.db is not self.db:  # the user's own connection (per-user logins)
            self.ctx.db.dispose()
        self.ctx = None
        self.title = "qstui"
        self.screen.reset(self.prefill_login)  # type: ignore[attr-defined]

    # --- navigation -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "module":
            return bool(self.ctx) and parameters[0] in self._open_modules
        if action == "toggle_modules":  # only the main window's screens have the panel
            return self._module_panel() is not None
        return True

    async def action_module(self, name: str) -> None:
        """The module's own screen (the list, not a card left open over it)."""
        if name not in self._open_modules:
            module = by_name(name)
            title = _(module.title) if module else name
            self.notify(_("«{module}» is not open to you").format(module=title), severity="warning")
            return
        await self.switch_mode(name)
        await self._close_cards()

    async def _close_cards(self) -> None:
        """Close the cards opened over the module's screen, the top one first; a card
        holding what was typed (``has_unsaved``) stays, and says so. A dialog on top
        stays too: it is waiting for an answer."""
        while len(self.screen_stack) > 1 and not isinstance(self.screen, ModalScreen):
            has_unsaved = getattr(self.screen, "has_unsaved", None)
            if has_unsaved is not None and has_unsaved():
                self.notify(
                    _("The card has unsaved changes: save them (ctrl+s) or close it (Esc)"),
                    severity="warning",
                )
                return
            await self.pop_screen()

    def action_toggle_modules(self) -> None:
        """Collapse the module panel to its keys, or expand it; it stays so."""
        panel = self._module_panel()
        if panel is not None:
            self.modules_collapsed = not module_panel.collapsed(self)
            panel.fit()

    def _module_panel(self) -> module_panel.ModulePanel | None:
        """The module panel of the screen under the dialogs (None: a card has no panel)."""
        screen = next(s for s in reversed(self.screen_stack) if not isinstance(s, ModalScreen))
        panels = screen.query(module_panel.ModulePanel)
        return panels.first() if panels else None

    def action_focus_next(self) -> None:
        super().action_focus_next()
        text_field.tabbed_into(self.focused)

    def action_focus_previous(self) -> None:
        super().action_focus_previous()
        text_field.tabbed_into(self.focused)

    def action_help(self) -> None:
        from qstui.screens.dialogs.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_command_palette(self) -> None:
        """ctrl+p: Textual's palette, with its texts in the user's language."""
        if self.use_command_palette and not QstuiCommandPalette.is_open(self):
            self.push_screen(QstuiCommandPalette())

    def open_client(self, company_id: int) -> None:
        """The client card over the current screen (Esc returns)."""
        from qstui.screens.client_card import ClientCardScreen

        if self.ctx is not None and "clients" in self._open_modules:
            self.push_screen(self.kept.card(ClientCardScreen, company_id))

    def open_deal(self, deal_id: int) -> None:
        from qstui.screens.deal_card import DealCardScreen

        if self.ctx is not None and "deals" in self._open_modules:
            self.push_screen(self.kept.card(DealCardScreen, deal_id))

    def open_article(self, article_id: int) -> None:
        """A knowledge-base article over the current screen (Esc returns)."""
        from qstui.screens.dialogs.kb_read import ArticleReader

        if self.ctx is not None and "knowledge" in self._open_modules:
            self.push_screen(ArticleReader(article_id))

    def open_onec_sync(self, kind: str) -> None:
        """The reference sync with 1C (``kind``: "counterparties" / "nomenclature")."""
        from qstui.screens.onec_sync import OnecSyncScreen

        if self.ctx is not None:
            self.push_screen(OnecSyncScreen(kind))

    def open_onec_journal(self) -> None:
        """The exchange journal with 1C (E9)."""
        from qstui.screens.onec_journal import OnecJournalScreen

        if self.ctx is not None:
            self.push_screen(OnecJournalScreen())

    def open_bank_import(self) -> None:
        """The bank statement import over the current screen (Esc returns)."""
        from qstui.screens.bank_import import BankImportScreen
        from qstui.services import rights as R

        if self.ctx is None:
            return
        if not self.ctx.has(R.ONEC_EXCHANGE):
            self.notify(
                _("Importing bank statements needs the right «{right}»").format(
                    right=R.ONEC_EXCHANGE
                ),
                severity="warning",
            )
            return
        self.push_screen(BankImportScreen())

    # --- painting -------------------------------------------------------------------

    def shown(self, what: str) -> None:
        """A screen has put the data of ``what`` into its widgets: after the next
        refresh (the screen painted with it) the ``paint_listeners`` hear ``what``."""
        if self.paint_listeners:
            self.call_after_refresh(self._painted, what)

    def _painted(self, what: str) -> None:
        for listener in list(self.paint_listeners):
            listener(what)

    # --- errors ---------------------------------------------------------------------

    def show_conflict(
        self,
        error: BaseException | str,
        typed: Sequence[tuple[str, str]] = (),
        reload: Callable[[], None] | None = None,
    ) -> None:
        """The one conflict dialog (ARCHITECTURE rule 8); ``reload`` runs on «Reload»."""
        from qstui.screens.dialogs.conflict import ConflictDialog

        def decided(choice: str | None) -> None:
            if choice == ConflictDialog.RELOAD and reload is not None:
                reload()

        self.push_screen(ConflictDialog(str(error), typed), decided)

    def show_error(self, error: BaseException | str, title: str | None = None) -> None:
        """The one error dialog: a message in the user's language; the app keeps running."""
        from qstui.screens.dialogs.message import ErrorDialog

        message = error if isinstance(error, str) else str(describe(error))
        if isinstance(self.screen, ErrorDialog):
            return
        self.push_screen(ErrorDialog(message, title))
