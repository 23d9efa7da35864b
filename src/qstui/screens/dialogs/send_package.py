"""Send a package (P1) to contact persons of one client (opened from the client card) or
of a client group (from the module Пакеты): choose the package (list on the left) and
the contacts (all ticked; Space unticks), ctrl+s sends in a worker with a progress bar.
The letters the server refused are listed with its answer; ctrl+r sends only those
again. Returns how many letters went out (None when nothing was sent)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, ProgressBar, SelectionList, Static
from textual.widgets.option_list import Option

from qstui.config import config_file_path
from qstui.i18n import N_, _
from qstui.mail.secrets import mail_secrets
from qstui.services.errors import describe
from qstui.services.mailing import packages as P
from qstui.services.mailing import sending as S
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls

Recipients = Callable[[Any], list[S.Recipient]]  # (ctx) -> recipients, in a worker


def _choices(ctx: Any, recipients: Recipients) -> tuple[list[P.PackageInfo], list[S.Recipient]]:
    packages = [p for p in P.list_packages(ctx) if p.is_active]
    return packages, recipients(ctx)


class SendPackageDialog(Localized, ServiceCalls, ModalScreen[int | None]):
    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="send_package.close"),
        Binding("ctrl+s", "send", N_("Send"), priority=True, id="send_package.send"),
        Binding("ctrl+r", "retry", N_("Send the failed again"), id="send_package.retry"),
    ]
    DEFAULT_CSS = """
    SendPackageDialog { align: center middle; }
    SendPackageDialog > Vertical { width: 90; max-width: 100%; height: auto;
        max-height: 95%; border: thick $primary; background: $surface; padding: 0 1; }
    SendPackageDialog .dialog-title { text-style: bold; }
    SendPackageDialog Horizontal { height: auto; max-height: 14; }
    SendPackageDialog #sp-packages { width: 1fr; height: auto; max-height: 12; }
    SendPackageDialog #sp-contacts { width: 1fr; height: auto; max-height: 12; }
    SendPackageDialog #sp-result { height: auto; max-height: 10; }
    SendPackageDialog .dialog-hint { color: $text-muted; height: auto; }
    """

    def __init__(
        self,
        heading: str,
        recipients: Recipients,
        package_id: int | None = None,
        with_company: bool = False,
    ) -> None:
        super().__init__()
        self.heading = heading
        self.load_recipients = recipients
        self.wanted_package = package_id  # highlighted first, when active
        self.with_company = with_company  # a group's contacts: say whose they are
        self.packages: list[P.PackageInfo] = []
        self.recipients: list[S.Recipient] = []
        self.failed: list[S.Outcome] = []
        self.sent = 0
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.heading, classes="dialog-title")
            with Horizontal():
                yield OptionList(id="sp-packages")
                yield SelectionList[int](id="sp-contacts")
            yield ProgressBar(id="sp-progress", show_eta=False)
            yield Static("", id="sp-result")
            yield Static(
                _("ctrl+s — send, Space — tick a contact, ctrl+r — send the failed again"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.call_service(_choices, self.load_recipients, then=self._got_choices)

    def _got_choices(self, found: tuple[list[P.PackageInfo], list[S.Recipient]]) -> None:
        self.packages, self.recipients = found
        packages = self.query_one("#sp-packages", OptionList)
        for p in self.packages:
            packages.add_option(Option(Text(f"{p.name} ({p.materials} 📎)"), id=str(p.id)))
        ids = [p.id for p in self.packages]
        if ids:
            wanted = self.wanted_package
            packages.highlighted = ids.index(wanted) if wanted in ids else 0
        contacts = self.query_one("#sp-contacts", SelectionList)
        for i, r in enumerate(self.recipients):
            label = f"{r.contact} <{r.address}>"
            if self.with_company:
                label = f"{r.company}: {label}"
            contacts.add_option((Text(label), i, True))
        if not self.recipients:
            self._say(_("No contact with an e-mail open to mailing"))
        packages.focus()

    def _say(self, text: str) -> None:
        self.query_one("#sp-result", Static).update(Text(text))

    @property
    def package_id(self) -> int | None:
        index = self.query_one("#sp-packages", OptionList).highlighted
        if index is None or not 0 <= index < len(self.packages):
            return None
        return self.packages[index].id

    def action_send(self) -> None:
        package_id = self.package_id
        chosen = [
            self.recipients[i] for i in self.query_one("#sp-contacts", SelectionList).selected
        ]
        if self.busy or package_id is None or not chosen:
            if not chosen and not self.busy:
                self._say(_("Tick at least one contact"))
            return
        self._start(len(chosen))
        self.call_service(
            S.send_package,
            mail_secrets(config_file_path()),
            package_id,
            chosen,
            progress=self._progress,
            then=self._done,
            on_error=self._failed,
            group="send-package",
        )

    def action_retry(self) -> None:
        if self.busy or not self.failed:
            return
        self._start(len(self.failed))
        self.call_service(
            S.retry,
            mail_secrets(config_file_path()),
            [o.sending_id for o in self.failed],
            progress=self._progress,
            then=self._done,
            on_error=self._failed,
            group="send-package",
        )

    def _start(self, total: int) -> None:
        self.busy = True
        self.query_one("#sp-progress", ProgressBar).update(total=total, progress=0)
        self._say(_("Sending…"))

    def _progress(self, done: int, total: int) -> None:  # called in the worker's thread
        self.app.call_from_thread(self._show_progress, done, total)

    def _show_progress(self, done: int, total: int) -> None:
        self.query_one("#sp-progress", ProgressBar).update(total=total, progress=done)

    def _done(self, outcomes: list[S.Outcome]) -> None:
        self.busy = False
        self.failed = [o for o in outcomes if not o.sent]
        self.sent += len(outcomes) - len(self.failed)
        lines = [
            _("Sent: {sent}, failed: {failed}").format(
                sent=len(outcomes) - len(self.failed), failed=len(self.failed)
            )
        ]
        lines += [f"✗ {o.recipient.address}: {o.answer}" for o in self.failed]
        self._say("\n".join(lines))

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self._say(str(describe(error)))

    def action_close(self) -> None:
        if not self.busy:
            self.dismiss(self.sent or None)


def to_client(company_id: int, company_name: str) -> SendPackageDialog:
    """The dialog for the contacts of one client (the client card's ctrl+y)."""

    def recipients(ctx: Any) -> list[S.Recipient]:
        return S.client_recipients(ctx, company_id)

    return SendPackageDialog(_("Send a package: {client}").format(client=company_name), recipients)


def to_group(group_id: int, group_name: str, package_id: int | None) -> SendPackageDialog:
    """The dialog for every contact of a client group (the module Пакеты), with the
    package ``package_id`` chosen."""

    def recipients(ctx: Any) -> list[S.Recipient]:
        return S.group_recipients(ctx, group_id)

    return SendPackageDialog(
        _("Send a package to the group «{group}»").format(group=group_name),
        recipients,
        package_id,
        with_company=True,
    )
