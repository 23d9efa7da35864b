"""The modules of the main window, in panel order (SPEC: Клиенты F2 … Воронка F8, then
Администрирование for administrators: those with ``users.admin``).

A module that exists is one entry here; the panel, the F-keys, the command palette and
the rights check are all built from this list, and a module the user's rights don't
open is not shown at all. Screens are named by their import path, so this list sits
below the screens (the app, the module panel and the palette all read it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from textual.screen import Screen

from qstui.domain import rights as R
from qstui.i18n import N_


@dataclass(frozen=True)
class Module:
    name: str  # also the app mode name
    title: str  # message id, translated where shown
    key: str
    right: str | None  # None: open to everyone who logged in
    screen: str  # "module:Class", imported on first use

    def factory(self) -> Callable[[], Screen]:
        module_name, class_name = self.screen.split(":")

        def make() -> Screen:
            return getattr(import_module(module_name), class_name)()

        return make


# In Quick Sales 2's order (SPEC.md): Клиенты F2 … Воронка F8, Сегодня F9, then the
# administration
MODULES: tuple[Module, ...] = (
    Module("clients", N_("Clients"), "f2", R.CLIENTS, "qstui.screens.clients:ClientsScreen"),
    Module("calendar", N_("Calendar"), "f3", R.CALENDAR, "qstui.screens.calendar:CalendarScreen"),
    Module("deals", N_("Deals"), "f4", R.DEALS, "qstui.screens.deals:DealsScreen"),
    Module("packages", N_("Packages"), "f5", R.PACKAGES, "qstui.screens.packages:PackagesScreen"),
    Module("reports", N_("Reports"), "f6", R.REPORTS, "qstui.screens.reports:ReportsScreen"),
    Module(
        "knowledge",
        N_("Knowledge base"),
        "f7",
        R.KNOWLEDGE,
        "qstui.screens.knowledge:KnowledgeScreen",
    ),
    Module("funnel", N_("Funnel"), "f8", R.FUNNEL, "qstui.screens.funnel:FunnelScreen"),
    Module("today", N_("Today"), "f9", None, "qstui.screens.today:TodayScreen"),
    Module(
        "admin",
        N_("Users"),
        "f10",
        R.USERS_ADMIN,
        "qstui.screens.users_admin:UsersAdminScreen",
    ),
    Module(
        "refbooks",
        N_("Reference books"),
        "f11",
        R.REFBOOKS_EDIT,
        "qstui.screens.refbooks:RefbooksScreen",
    ),
)


def allowed(rights: frozenset[str]) -> list[Module]:
    return [m for m in MODULES if m.right is None or m.right in rights]


def by_name(name: str) -> Module | None:
    return next((m for m in MODULES if m.name == name), None)
