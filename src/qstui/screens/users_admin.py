"""«Администрирование → Пользователи» (U1–U4): every user with role, department, lock
and last login; ``n`` adds a user, ``p`` gives a new password, ``l`` locks or unlocks,
``r`` edits the rights as a checklist, ``c`` copies the rights of another user, ``a``
opens the audit log. For administrators (the module needs ``users.admin``, and every
service it calls checks it again); every change is audited by the services, as the
CLI's ``qstui user …`` are."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from qstui.domain.clock import utcnow
from qstui.domain.users import UserInfo, local_time, lock_text
from qstui.i18n import N_, _
from qstui.screens.base import ModuleScreen
from qstui.screens.dialogs.user_forms import (
    ROLES,
    CopyRightsDialog,
    NewUserDialog,
    PasswordDialog,
    RightsDialog,
)
from qstui.services.access import users

# What fits 80 columns beside the module panel first; the line under the table repeats
# the highlighted user's role, department, lock and last login in full.
COLUMNS = (
    ("login", N_("Login"), 10),
    ("name", N_("Name"), 14),
    ("locked", N_("Locked"), 8),
    ("last", N_("Last login"), 16),
    ("role", N_("Role"), 12),
    ("department", N_("Department"), 14),
)


class UsersAdminScreen(ModuleScreen):
    MODULE = "admin"
    AUTO_FOCUS = "#users-table"
    BINDINGS = [
        Binding("n", "new", N_("New user"), id="users.new"),
        Binding("p", "password", N_("Password"), id="users.password"),
        Binding("l", "lock", N_("Lock/unlock"), id="users.lock"),
        Binding("r", "rights", N_("Rights"), id="users.rights"),
        Binding("c", "copy", N_("Copy rights"), id="users.copy"),
        Binding("a", "audit", N_("Audit log"), id="users.audit"),
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False, id="users.refresh"),
    ]
    DEFAULT_CSS = """
    UsersAdminScreen #users-head { height: auto; padding: 0 1; text-style: bold; }
    UsersAdminScreen #users-table { height: 1fr; }
    UsersAdminScreen #users-detail { height: auto; padding: 0 1; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.infos: list[UserInfo] = []

    def compose_content(self) -> ComposeResult:
        yield Static(_("Administration · Users"), id="users-head")
        yield DataTable(id="users-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="users-detail")

    @property
    def table(self) -> DataTable[str]:
        return self.query_one("#users-table", DataTable)

    def on_mount(self) -> None:
        for key, title, width in COLUMNS:
            self.table.add_column(_(title), key=key, width=width)
        self.action_refresh()

    def action_refresh(self, select: str | None = None) -> None:
        self.call_service(
            users.list_users, then=lambda infos: self._show(infos, select), loading=self.table
        )

    def _show(self, infos: list[UserInfo], select: str | None = None) -> None:
        keep = select or (self.current.login if self.current else None)
        self.infos = infos
        table = self.table
        table.clear()
        now = utcnow()
        for info in infos:
            table.add_row(
                info.login,
                info.full_name,
                lock_text(info, now),
                local_time(info.last_login_at),
                _(ROLES.get(info.role, info.role.value)),
                info.department or "",
                key=info.login,
            )
        logins = [info.login for info in infos]
        if keep in logins:
            table.move_cursor(row=logins.index(keep))
        self._detail()
        self.qapp.shown("users")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._detail()

    def _detail(self) -> None:
        """The highlighted user in full, on the line under the table."""
        info = self.current
        parts = []
        if info is not None:
            parts = [
                f"{info.login} · {info.full_name}",
                _(ROLES.get(info.role, info.role.value)),
                info.department or _("no department"),
                lock_text(info, utcnow()) or _("not locked"),
                _("last login {when}").format(when=local_time(info.last_login_at) or "—"),
            ]
        self.query_one("#users-detail", Static).update(" · ".join(parts))

    @property
    def current(self) -> UserInfo | None:
        row = self.table.cursor_row if self.infos else -1
        return self.infos[row] if 0 <= row < len(self.infos) else None

    # --- actions ----------------------------------------------------------------------

    def _done(self, message: str, login: str | None = None) -> None:
        self.notify(message)
        self.action_refresh(login)

    def action_new(self) -> None:
        departments = sorted({i.department for i in self.infos if i.department})

        def created(login: Any) -> None:
            if login:
                self._done(_("User {login} created").format(login=login), login)

        self.app.push_screen(NewUserDialog(departments), created)

    def action_password(self) -> None:
        info = self.current
        if info is None:
            return

        def changed(done: Any) -> None:
            if done:
                self._done(_("Password of {login} changed").format(login=info.login))

        self.app.push_screen(PasswordDialog(info.login), changed)

    def action_lock(self) -> None:
        info = self.current
        if info is None:
            return
        if info.is_locked or info.locked_until:
            self.call_service(
                users.unlock_user,
                info.login,
                then=lambda _r: self._done(_("User {login} unlocked").format(login=info.login)),
            )
        else:
            self.call_service(
                users.lock_user,
                info.login,
                then=lambda _r: self._done(_("User {login} locked").format(login=info.login)),
            )

    def action_rights(self) -> None:
        info = self.current
        if info is None:
            return

        def saved(codes: Any) -> None:
            if codes is not None:
                self._done(_("Rights of {login} saved").format(login=info.login))

        self.app.push_screen(RightsDialog(info.login, info.rights), saved)

    def action_copy(self) -> None:
        info = self.current
        if info is None:
            return
        others = [(i.login, i.full_name) for i in self.infos if i.login != info.login]

        def copied(codes: Any) -> None:
            if codes is not None:
                self._done(_("Rights of {login} saved").format(login=info.login))

        self.app.push_screen(CopyRightsDialog(info.login, others), copied)

    def action_audit(self) -> None:
        from qstui.screens.audit_log import AuditLogScreen

        self.app.push_screen(AuditLogScreen())
