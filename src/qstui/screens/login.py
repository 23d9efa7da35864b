"""The login screen (U1): login and password; a wrong login or password, and a locked
account once the password is right, are explained (one answer otherwise: see
``services.access.auth``); on a demo database the demo logins are listed."""

from __future__ import annotations

import threading

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from qstui.domain.errors import LoginFailed, ServiceError
from qstui.i18n import N_, _
from qstui.services.access import auth
from qstui.services.access.demo_info import demo_accounts
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.key_footer import KeyFooter
from qstui.widgets.one_line import OneLine
from qstui.widgets.text_field import TextField

LOGIN_BOX_WIDTH = 60  # columns; border and padding take 6 of them


class LoginScreen(Localized, ServiceCalls, Screen[None]):
    BINDINGS = [
        Binding("ctrl+q", "app.quit", N_("Quit"), id="login.quit"),
        # A priority binding runs before the next key is routed: over SSH the keys of
        # "login⏎password⏎" arrive together, and the password must not end up in the
        # login field (Input.Submitted would move the focus too late).
        Binding(
            "enter", "enter", N_("Next field / log in"), show=False, priority=True, id="login.enter"
        ),
    ]

    def __init__(self, login: str | None = None) -> None:
        super().__init__()
        self.prefill = login or ""
        self._gone = threading.Event()

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="login-box"):
            yield Static("qstui", id="login-title")
            yield OneLine(self.qapp.db.display_url, id="login-db")
            yield Label(_("Login"))
            yield TextField(value=self.prefill, id="login", max_length=60)
            yield Label(_("Password"))
            yield TextField(password=True, id="password", max_length=200)
            yield Static("", id="login-error")
            yield Button(_("Log in"), variant="primary", id="submit")
            yield Static("", id="demo-hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        # wide enough for the database's URL on one line, where the terminal allows
        box = self.query_one("#login-box")
        box.styles.width = max(LOGIN_BOX_WIDTH, len(self.qapp.db.display_url) + 6)
        self.query_one("#password" if self.prefill else "#login", Input).focus()
        self.qapp.shown("login")
        self.call_service(
            demo_accounts, self.qapp.db, with_context=False, then=self._show_demo, on_error=_ignore
        )
        credentials = self.qapp.take_credentials()
        if credentials is not None:  # checked already by ``qstui serve``: log in at once
            self._log_in(credentials.login, credentials.password)

    def on_unmount(self) -> None:
        self._gone.set()  # ends an administrator's delay that is being waited out

    def _wait(self, seconds: float) -> None:
        """Wait out an administrator's delay in the worker; closing the screen (or
        quitting) drops the attempt unchecked instead of keeping the app alive."""
        if self._gone.wait(seconds):
            raise LoginFailed()

    def _show_demo(self, demo: object) -> None:
        if demo is None:
            return
        logins = ", ".join(demo.logins)  # type: ignore[attr-defined]
        self.query_one("#demo-hint", Static).update(
            _("Demo database: logins {logins}; password «{password}»").format(
                logins=logins,
                password=demo.password,  # type: ignore[attr-defined]
            )
        )

    def reset(self, login: str | None = None) -> None:
        """Ready for the next person: keep (or set) the login, clear the rest."""
        self.query_one("#login", Input).value = login or ""
        self.query_one("#password", Input).value = ""
        self.query_one("#login-error", Static).update("")
        self.query_one("#password" if login else "#login", Input).focus()

    def action_enter(self) -> None:
        login, password = self.query_one("#login", Input), self.query_one("#password", Input)
        if self.focused is login:
            self.set_focus(password)  # at once, not after a refresh
        else:
            # The fields may still have typed keys to take: submit after both did.
            login.call_later(password.call_later, self._submit)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._submit()

    def _submit(self) -> None:
        login = self.query_one("#login", Input).value.strip()
        password = self.query_one("#password", Input).value
        error = self.query_one("#login-error", Static)
        if not login:
            error.update(_("Enter your login"))
            self.query_one("#login", Input).focus()
            return
        error.update("")
        self._log_in(login, password)

    def _log_in(self, login: str, password: str) -> None:
        self.call_service(
            auth.login,
            self.qapp.db,
            login,
            password,
            sleep=self._wait,
            with_context=False,
            then=self.qapp.logged_in,
            on_error=self._failed,
            loading=self.query_one("#submit"),
        )

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, ServiceError):
            self.qapp.show_error(exc)
            return
        self.query_one("#login-error", Static).update(str(exc))
        password = self.query_one("#password", Input)
        password.value = ""
        password.focus()


def _ignore(_exc: BaseException) -> None:
    """The demo hint is optional: a failure to read it must not bother anyone."""
