"""The left panel of the main window: the modules the user may open, with their keys.

On a narrow terminal the panel shows only the keys (F9, F2…): it collapses by itself
below ``AUTO_COLLAPSE`` columns and expands again when the terminal is widened; the
toggle key (``TOGGLE_KEY``) collapses or expands it, and from then on the panel keeps
what the user chose (``App.modules_collapsed``: None while the width decides)."""

from __future__ import annotations

from textual.app import App
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from qstui.i18n import _
from qstui.ui.modules import allowed

AUTO_COLLAPSE = 100  # below this many terminal columns the panel shows only the keys
TOGGLE_KEY = "f12"


def collapsed(app: App[object]) -> bool:
    """Whether the panels show only the keys: the user's choice, else the width."""
    choice: bool | None = getattr(app, "modules_collapsed", None)
    return app.size.width < AUTO_COLLAPSE if choice is None else choice


class ModulePanel(OptionList):
    """Enter (or a click) opens the highlighted module; F-keys work from anywhere."""

    def __init__(self, current: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.current = current
        self.is_collapsed: bool | None = None  # as last laid out

    def on_mount(self) -> None:
        self.fit()
        names = [m.name for m in allowed(self.app.ctx.rights)]  # type: ignore[attr-defined]
        if self.current in names:
            self.highlighted = names.index(self.current)

    def fit(self) -> None:
        """Lay the panel out for the app's width and the user's choice."""
        short = collapsed(self.app)
        if short == self.is_collapsed:
            return
        self.is_collapsed = short
        highlighted = self.highlighted
        self.clear_options()
        for module in allowed(self.app.ctx.rights):  # type: ignore[attr-defined]
            key = module.key.upper()
            label = key if short else f"{_(module.title):<12} {key:>3}"
            self.add_option(Option(label, id=module.name))
        self.highlighted = highlighted
        self.set_class(short, "-collapsed")
        self.border_title = "" if short else _("Modules")

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id != self.current:
            # run_action is a coroutine: not awaited, Enter on a module did nothing
            await self.app.run_action(f"module('{event.option.id}')")
