"""Пакеты (F5, P1): the packages on the left, the chosen one's subject and text beside
them and its materials (attachments) under the text.

Editors (rights ``packages`` and ``edit``) add a package (ctrl+n), edit it (e),
deactivate or activate it (d), delete it (Del, after a question; right ``delete``, and
only a package never sent) and attach a file from a path (a). On the materials list
(Tab) e renames a material, Del detaches it, ctrl+↑/ctrl+↓ move it. s sends the package
to a client group, through the same dialog the client card sends with (progress,
failures, retry). Every service call runs in a worker."""

from __future__ import annotations

import os
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from qstui.files import documents_dir
from qstui.i18n import N_, _
from qstui.screens.base import ModuleScreen
from qstui.services import rights as R
from qstui.services.mailing import materials as M
from qstui.services.mailing import package_edit as E
from qstui.services.mailing import packages as P
from qstui.widgets.form import CompactFormDialog, FieldSpec

EDITING = frozenset({"new", "edit", "toggle_active", "delete", "attach", "move"})


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} B"


class PackagesScreen(ModuleScreen):
    MODULE = "packages"
    AUTO_FOCUS = "#pk-list"
    BINDINGS = [
        Binding("ctrl+n", "new", N_("New"), id="packages.new"),
        Binding("e", "edit", N_("Edit"), id="packages.edit"),
        Binding("d", "toggle_active", N_("On/off"), id="packages.active"),
        Binding("a", "attach", N_("Attach"), id="packages.attach"),
        Binding("s", "send_to_group", N_("Send to a group"), id="packages.send_group"),
        Binding("delete", "delete", N_("Delete…"), id="packages.delete"),
        Binding("ctrl+up", "move(-1)", N_("Move up"), show=False, id="packages.up"),
        Binding("ctrl+down", "move(1)", N_("Move down"), show=False, id="packages.down"),
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False, id="packages.refresh"),
    ]
    DEFAULT_CSS = """
    PackagesScreen #pk-list { width: 30; max-width: 40%; height: 1fr; }
    PackagesScreen #pk-pane { width: 1fr; height: 1fr; padding: 0 0 0 1; }
    PackagesScreen #pk-head { height: auto; }
    PackagesScreen #pk-scroll { height: 1fr; }
    PackagesScreen #pk-materials-title { height: 1; color: $text-muted; }
    PackagesScreen #pk-materials { height: auto; max-height: 7; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.packages: list[P.PackageInfo] = []
        self.detail: P.PackageDetail | None = None
        self.keep: int | None = None  # the package to highlight after the next reload

    def compose_content(self) -> ComposeResult:
        with Horizontal():
            yield OptionList(id="pk-list")
            with Vertical(id="pk-pane"):
                yield Static("", id="pk-head")
                with VerticalScroll(id="pk-scroll"):
                    yield Static("", id="pk-detail")
                yield Static("", id="pk-materials-title")
                yield OptionList(id="pk-materials")

    # --- widgets --------------------------------------------------------------------------

    @property
    def package_list(self) -> OptionList:
        return self.query_one("#pk-list", OptionList)

    @property
    def material_list(self) -> OptionList:
        return self.query_one("#pk-materials", OptionList)

    @property
    def material(self) -> P.MaterialInfo | None:
        """The highlighted material, while the materials list has the focus."""
        detail, materials = self.detail, self.material_list
        if detail is None or self.focused is not materials or materials.highlighted is None:
            return None
        index = materials.highlighted
        return detail.materials[index] if 0 <= index < len(detail.materials) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action not in EDITING or self.qapp.ctx.has(R.EDIT)

    # --- loading --------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self.call_service(P.list_packages, then=self._got_packages, group="pk-list")

    def _got_packages(self, packages: list[P.PackageInfo]) -> None:
        self.packages = packages
        options = self.package_list
        keep = self.keep if self.keep is not None else (self.detail and self.detail.id)
        self.keep = None
        options.clear_options()
        for p in packages:
            label = Text(p.name, no_wrap=True, overflow="ellipsis")
            if not p.is_active:
                label.stylize("dim")
                label.append(" " + _("(inactive)"), style="dim")
            options.add_option(Option(label, id=str(p.id)))
        ids = [p.id for p in packages]
        if ids:
            options.highlighted = ids.index(keep) if keep in ids else 0
        else:
            self.detail = None
            self.query_one("#pk-head", Static).update(_("No packages"))
            self.query_one("#pk-detail", Static).update("")
            self.query_one("#pk-materials-title", Static).update("")
            self.material_list.clear_options()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id != "pk-list":
            return
        index = event.option_index
        if 0 <= index < len(self.packages):
            self._load(self.packages[index].id)

    def _load(self, package_id: int) -> None:
        self.call_service(P.get_package, package_id, then=self._got_detail, group="pk-detail")

    def _got_detail(self, detail: P.PackageDetail) -> None:
        self.detail = detail
        head = Text(detail.name, style="bold")
        if not detail.is_active:
            head.append("  " + _("inactive: not offered for sending"), style="dim")
        head.append("\n" + _("Subject: {subject}").format(subject=detail.subject))
        if detail.sendings:
            head.append("\n" + _("Letters sent: {n}").format(n=detail.sendings), style="dim")
        self.query_one("#pk-head", Static).update(head)
        self.query_one("#pk-detail", Static).update(Text(detail.body))
        self.query_one("#pk-materials-title", Static).update(
            _("Materials: {n}").format(n=len(detail.materials))
        )
        materials = self.material_list
        before = materials.highlighted
        materials.clear_options()
        for m in detail.materials:
            label = Text(f"📎 {m.title}", no_wrap=True, overflow="ellipsis")
            label.append(f" — {m.file_name}, {_size(m.size_bytes)}", style="dim")
            materials.add_option(Option(label, id=str(m.id)))
        if detail.materials:
            materials.highlighted = min(before or 0, len(detail.materials) - 1)
        self.qapp.shown("packages")

    def _changed(self, _result: Any = None) -> None:
        """After a save: the list (names, active) and the package again."""
        self.action_refresh()
        if self.detail is not None:
            self._load(self.detail.id)

    # --- packages -------------------------------------------------------------------------

    def action_new(self) -> None:
        from qstui.screens.dialogs.package_form import PackageEditor

        def submit(ctx: Any, v: dict[str, Any]) -> int:
            return E.create_package(ctx, v["name"], v["subject"], v["body"])

        def created(package_id: Any) -> None:
            if isinstance(package_id, int):
                self.keep = package_id
                self.action_refresh()

        self.app.push_screen(PackageEditor(_("New package"), submit), created)

    def action_edit(self) -> None:
        material = self.material
        if material is not None:
            self._rename(material)
            return
        detail = self.detail
        if detail is None:
            return
        from qstui.screens.dialogs.package_form import PackageEditor

        version = [detail.version]  # the save applies over the version last loaded

        def submit(ctx: Any, v: dict[str, Any]) -> int:
            return E.update_package(ctx, detail.id, version[0], **v)

        def reload(ctx: Any) -> None:  # in a worker: plain data only
            version[0] = P.get_package(ctx, detail.id).version

        editor = PackageEditor(
            _("Package «{name}»").format(name=detail.name),
            submit,
            name=detail.name,
            subject=detail.subject,
            body=detail.body,
            reload=reload,
        )
        self.app.push_screen(editor, lambda saved: self._changed() if saved else None)

    def action_toggle_active(self) -> None:
        detail = self.detail
        if detail is None:
            return
        self.call_service(
            E.update_package,
            detail.id,
            detail.version,
            is_active=not detail.is_active,
            then=self._toggled,
            group="pk-save",
        )

    def _toggled(self, _version: Any) -> None:
        detail = self.detail
        if detail is not None:
            self.notify(
                _("«{name}» is inactive: not offered for sending").format(name=detail.name)
                if detail.is_active
                else _("«{name}» is active again").format(name=detail.name)
            )
        self._changed()

    def action_delete(self) -> None:
        from qstui.screens.dialogs.message import ConfirmDialog

        material, detail = self.material, self.detail
        if detail is None:
            return
        if material is not None:
            question = _("Detach «{title}» from the package «{name}»?").format(
                title=material.title, name=detail.name
            )
            job: tuple[Any, ...] = (M.detach_material, detail.id, material.id)
        else:
            if not self.qapp.ctx.has(R.DELETE):
                self.notify(
                    _("You lack the right to delete: deactivate the package instead (d)"),
                    severity="warning",
                )
                return
            question = _("Delete the package «{name}»?").format(name=detail.name)
            job = (E.delete_package, detail.id, detail.version)

        def answered(yes: bool | None) -> None:
            if yes:
                then = self._changed if material is not None else self._deleted
                self.call_service(*job, then=then, group="pk-save")

        self.app.push_screen(ConfirmDialog(question, no=_("Cancel")), answered)

    def _deleted(self, _result: Any) -> None:
        self.detail = None
        self.action_refresh()

    # --- materials ------------------------------------------------------------------------

    def action_attach(self) -> None:
        detail = self.detail
        if detail is None:
            return
        package_id = detail.id

        def submit(ctx: Any, v: dict[str, Any]) -> int:
            return M.attach_file(ctx, package_id, v["file"] or "", v["title"] or None)

        fields = [
            FieldSpec("file", _("File"), os.path.join(documents_dir(), "")),
            FieldSpec("title", _("Title"), placeholder=_("the file's name"), max_length=200),
        ]
        dialog = CompactFormDialog(
            _("Attach a file to «{name}»").format(name=detail.name), fields, submit, _("Attach")
        )
        self.app.push_screen(dialog, lambda done: self._changed() if done else None)

    def _rename(self, material: P.MaterialInfo) -> None:
        def submit(ctx: Any, v: dict[str, Any]) -> int:
            return M.rename_material(ctx, material.id, material.version, v["title"] or "")

        fields = [FieldSpec("title", _("Title"), material.title, max_length=M.TITLE_MAX)]
        dialog = CompactFormDialog(
            _("Material «{title}»").format(title=material.title), fields, submit
        )
        self.app.push_screen(dialog, lambda done: self._changed() if done else None)

    def action_move(self, step: int) -> None:
        material, detail = self.material, self.detail
        if material is None or detail is None:
            return
        materials = self.material_list
        index = materials.highlighted or 0
        materials.highlighted = max(0, min(len(detail.materials) - 1, index + step))
        self.call_service(
            M.move_material, detail.id, material.id, step, then=self._changed, group="pk-save"
        )

    # --- sending --------------------------------------------------------------------------

    def action_send_to_group(self) -> None:
        from qstui.services.clients.groups import list_groups

        if self.detail is None:
            return
        if not self.detail.is_active:
            self.notify(
                _("The package is inactive: activate it (d) to send it"), severity="warning"
            )
            return
        self.call_service(list_groups, then=self._pick_group, group="pk-groups")

    def _pick_group(self, groups: list[Any]) -> None:
        from qstui.screens.client_tabs.base import PickDialog

        if not groups:
            self.notify(_("No client groups: make one on the client list"), severity="warning")
            return
        options = [
            (
                _("{name} (clients: {n})").format(name=g.name, n=g.members),
                (g.id, g.name),
            )
            for g in groups
        ]
        self.app.push_screen(PickDialog(_("Send to the clients of a group"), options), self._send)

    def _send(self, choice: Any) -> None:
        from qstui.screens.dialogs.send_package import to_group

        detail = self.detail
        if choice is None or detail is None:
            return
        group_id, group_name = choice
        self.app.push_screen(
            to_group(group_id, group_name, detail.id),
            lambda sent: self._changed() if sent else None,
        )
