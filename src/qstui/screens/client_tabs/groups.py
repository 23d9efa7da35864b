"""Tab «Группы»: the groups the client is in (shared and personal, C5); Ins adds the
client to a group picked from the list (or to a new one), Del takes it out."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from qstui.domain.clients import ClientCard, GroupInfo
from qstui.i18n import N_, _
from qstui.screens.client_tabs.base import CardTab, PickDialog, yes_no
from qstui.services import rights as R
from qstui.services.clients import groups as group_service
from qstui.widgets.form import FieldSpec
from qstui.widgets.tables import card_table, current_key, fill_table

NEW_GROUP = "__new__"


def join_new_group(ctx: Any, company_id: int, values: dict[str, Any]) -> int:
    """Runs in a worker: create a group and put the client in it."""
    group_id = group_service.create_group(
        ctx,
        values.get("name") or "",
        shared=bool(values.get("is_shared")),
        description=values.get("description") or None,
    )
    group_service.add_members(ctx, group_id, [company_id])
    return group_id


def kind(group: GroupInfo) -> str:
    return _("shared") if group.is_shared else _("personal")


class GroupsTab(CardTab):
    TITLE = N_("Groups")
    SHORT = N_("Groups")
    BINDINGS = [
        Binding("insert,a", "add", N_("Add to a group"), id="groups.add"),
        Binding("delete", "remove", N_("Remove from the group"), id="groups.remove"),
    ]
    INSERT = "add"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._groups: dict[str, GroupInfo] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="groups-title", classes="tab-title")
        yield card_table(
            "groups", (N_("Group"), N_("Kind"), N_("Owner"), N_("Members"), N_("Description"))
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # personal groups need no ``edit`` (their owner changes them); shared ones do,
        # and the service refuses those without it
        return self.can(R.CLIENTS) if action in ("add", "remove") else True

    def fill(self, card: ClientCard) -> None:
        self._groups = {str(g.id): g for g in card.groups}
        self.query_one("#groups-title", Static).update(
            _("Groups of the client: {n}").format(n=len(card.groups))
            + "  "
            + _("(Ins — add to a group, Del — remove)")
        )
        fill_table(
            self.query_one("#groups", DataTable),
            [
                (
                    str(g.id),
                    [g.name, kind(g), g.owner or "", str(g.members), g.description or ""],
                )
                for g in card.groups
            ],
        )

    def action_add(self) -> None:
        self.call_service(group_service.list_groups, then=self._pick)

    def _pick(self, groups: list[GroupInfo]) -> None:
        if self.card is None:
            return
        mine = {g.id for g in self.card.groups}
        options: list[tuple[str, Any]] = [(_("+ A new group…"), NEW_GROUP)]
        options += [(f"{g.name} ({kind(g)})", g.id) for g in groups if g.id not in mine]
        self.app.push_screen(PickDialog(_("Add the client to a group"), options), self._picked)

    def _picked(self, choice: Any) -> None:
        card = self.card
        if choice is None or card is None:
            return
        if choice == NEW_GROUP:
            company_id = card.id

            def submit(ctx: Any, values: dict[str, Any]) -> int:
                return join_new_group(ctx, company_id, values)

            self.form(
                _("New group"),
                [
                    FieldSpec("name", _("Name"), max_length=150),
                    FieldSpec(
                        "is_shared",
                        _("Shared with everyone"),
                        False,
                        choices=yes_no(),
                        allow_blank=False,
                    ),
                    FieldSpec("description", _("Description"), max_length=500),
                ],
                submit,
                lambda _id: self.changed(_("Added to the new group")),
            )
            return
        self.call_service(
            group_service.add_members,
            int(choice),
            [card.id],
            then=lambda _n: self.changed(_("Added to the group")),
        )

    def action_remove(self) -> None:
        group = self._groups.get(current_key(self.query_one("#groups", DataTable)) or "")
        card = self.card
        if group is None or card is None:
            return

        def remove() -> None:
            self.call_service(
                group_service.remove_members,
                group.id,
                [card.id],
                then=lambda _n: self.changed(_("Removed from the group")),
            )

        self.confirm(
            _("Remove the client from the group «{name}»?").format(name=group.name), remove
        )
