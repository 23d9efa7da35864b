"""The dialogs of «Администрирование → Пользователи» (U1–U3): a new user, a new
password, copying rights from another user, and the rights as a checklist.

Each hands what was typed to ``services.access.users`` (in a worker), which checks the
right ``users.admin``, validates, writes and audits; a bad value is shown under its
field and nothing typed is lost. A password is typed twice into hidden fields and never
shown; the two must match before the service is called.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from qstui.domain import rights as R
from qstui.domain.enums import Role
from qstui.domain.errors import ValidationFailed
from qstui.i18n import N_, _
from qstui.services.access import users
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls
from qstui.widgets.form import CompactFormDialog, FieldSpec, SaveOrCancel

ROLES = {
    Role.MANAGER: N_("manager"),
    Role.HEAD: N_("head of department"),
    Role.ADMIN: N_("administrator"),
}


def _same_passwords(values: dict[str, Any]) -> str:
    password = values.get("password") or ""
    if password != (values.get("password2") or ""):
        raise ValidationFailed({"password2": _("The two passwords differ: type them again")})
    return str(password)


def create_from_form(ctx: Any, values: dict[str, Any]) -> str:
    """The new-user form → ``users.create_user`` (runs in a worker); returns the login."""
    password = _same_passwords(values)
    role = values.get("role") or Role.MANAGER
    users.create_user(
        ctx,
        values.get("login") or "",
        values.get("name") or "",
        Role(role),
        password,
        values.get("department") or None,
    )
    return users.normalize_login(values.get("login") or "")


class UserFormDialog(CompactFormDialog):
    """The forms of the users screen: one line per field, fitting 80×24."""


class NewUserDialog(UserFormDialog):
    """Login, full name, role, department, the password twice; closes with the login."""

    def __init__(self, departments: Sequence[str] = ()) -> None:
        hint = ", ".join(departments[:3])
        specs = [
            FieldSpec("login", _("Login"), max_length=60),
            FieldSpec("name", _("Full name"), max_length=200),
            FieldSpec(
                "role",
                _("Role"),
                value=Role.MANAGER.value,
                choices=[(_(label), role.value) for role, label in ROLES.items()],
                allow_blank=False,
            ),
            FieldSpec("department", _("Department"), max_length=200, placeholder=hint),
            FieldSpec("password", _("Password"), password=True),
            FieldSpec("password2", _("Password again"), password=True),
        ]
        super().__init__(_("New user"), specs, create_from_form, save_label=_("Create"))


class PasswordDialog(UserFormDialog):
    """A new password for ``login``, typed twice; closes with True."""

    def __init__(self, login: str) -> None:
        self.login = login
        specs = [
            FieldSpec("password", _("New password"), password=True),
            FieldSpec("password2", _("Password again"), password=True),
        ]
        super().__init__(_("New password for {login}").format(login=login), specs, self._submit)

    def _submit(self, ctx: Any, values: dict[str, Any]) -> bool:
        users.set_password(ctx, self.login, _same_passwords(values))
        return True


class CopyRightsDialog(UserFormDialog):
    """Give ``login`` exactly the rights of another user; closes with the new rights."""

    def __init__(self, login: str, others: Sequence[tuple[str, str]]) -> None:
        self.login = login
        specs = [
            FieldSpec(
                "source",
                _("Copy the rights of"),
                choices=[(f"{other} · {name}", other) for other, name in others],
                placeholder=_("choose a user"),
            ),
        ]
        super().__init__(_("Rights of {login}").format(login=login), specs, self._submit, _("Copy"))

    def _submit(self, ctx: Any, values: dict[str, Any]) -> list[str]:
        source = values.get("source")
        if not source:
            raise ValidationFailed({"source": _("Choose the user whose rights to copy")})
        return users.copy_rights(ctx, str(source), self.login)


class RightsDialog(SaveOrCancel, Localized, ServiceCalls, ModalScreen[Any]):
    """The rights of ``login`` as a checklist by area (modules, visibility, actions),
    labelled from the catalogue; ctrl+s makes them exactly what is checked (audited by
    the service); closes with the new rights."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="rights.cancel"),
        Binding("ctrl+s", "save", N_("Save"), id="rights.save"),
    ]
    DEFAULT_CSS = """
    RightsDialog { align: center middle; }
    RightsDialog > Vertical { width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1; }
    RightsDialog .form-title { text-style: bold; }
    RightsDialog #rights-areas { height: auto; }
    RightsDialog #rights-left { width: 32; height: auto; }
    RightsDialog #rights-right { width: 1fr; height: auto; }
    RightsDialog SelectionList { height: auto; border: none; padding: 0; }
    RightsDialog .rights-area { text-style: bold; color: $text-muted; }
    RightsDialog .form-error { color: $error; height: auto; }
    RightsDialog .dialog-hint { color: $text-muted; }
    """

    def __init__(self, login: str, current: Sequence[str]) -> None:
        super().__init__()
        self.login = login
        self.current = set(current)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Rights of {login}").format(login=self.login), classes="form-title")
            # modules on the left, visibility and actions on the right: all of the
            # catalogue, the buttons and the hint fit 80×24 without scrolling
            areas = dict(R.GROUPS)
            with Horizontal(id="rights-areas"):
                with Vertical(id="rights-left"):
                    yield from self._area("module", areas["module"])
                with Vertical(id="rights-right"):
                    yield from self._area("visibility", areas["visibility"])
                    yield from self._area("action", areas["action"])
            yield Static("", classes="form-error", id="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Save"), variant="primary", id="save", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)
            yield Static(
                _("space — check · Tab — next area · ctrl+s — save · Esc — cancel"),
                classes="dialog-hint",
            )

    def _area(self, area: str, codes: Sequence[str]) -> ComposeResult:
        yield Label(_(R.GROUP_LABELS[area]), classes="rights-area")
        yield SelectionList[str](
            *[Selection(_(R.CATALOGUE[code]), code, code in self.current) for code in codes],
            id=f"rights-{area}",
            compact=True,
        )

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def checked(self) -> list[str]:
        return [code for lst in self.query(SelectionList) for code in lst.selected]

    def action_save(self) -> None:
        line = self.query_one("#form-error", Static)
        line.update("")
        self.call_service(
            users.set_rights,
            self.login,
            self.checked(),
            then=self.dismiss,
            on_error=lambda error: self.route_error(
                error,
                fields=lambda errors: line.update("\n".join(errors.values())),
                message=line.update,
            ),
            group="form-save",
        )
