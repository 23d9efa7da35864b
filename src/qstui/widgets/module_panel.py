"""The left panel of the main window: the modules the user may open, with their keys."""

from __future__ import annotations

from textual.widgets import OptionList
from textual.widgets.option_list import Option

from qstui.i18n import _
from qstui.ui.modules import allowed


class ModulePanel(OptionList):
    """Enter (or a click) opens the highlighted module; F-keys work from anywhere."""

    def __init__(self, current: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.current = current

    def on_mount(self) -> None:
        modules = allowed(self.app.ctx.rights)  # type: ignore[attr-defined]
        for module in modules:
            label = f"{_(module.title):<12} {module.key.upper():>3}"
            self.add_option(Option(label, id=module.name))
        names = [m.name for m in modules]
        if self.current in names:
            self.highlighted = names.index(self.current)
        self.border_title = _("Modules")

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id != self.current:
            # run_action is a coroutine: not awaited, Enter on a module did nothing
            await self.app.run_action(f"module('{event.option.id}')")
