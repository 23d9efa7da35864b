"""What every screen shares: running service calls in worker threads (ARCHITECTURE
rule 4) and the main-window frame with the module panel.

``call_service(fn, *args, then=...)`` runs ``fn(ctx, *args)`` in a thread worker, shows a
loading indicator on the given widget, and hands the result to ``then`` on the main
thread; an error goes to ``on_error`` or to the app's one error dialog. Workers never
touch widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header
from textual.worker import Worker, WorkerState

from qstui.i18n import _

if TYPE_CHECKING:
    from qstui.app import QstuiApp

Callback = Callable[[Any], None]


# The same physical keys on the Russian ЙЦУКЕН layout: a letter key must work whichever
# layout is on, or a Russian user would have to switch layouts for every command.
_LATIN = "qwertyuiopasdfghjklzxcvbnm"
_CYRILLIC = "йцукенгшщзфывапролдячсмить"
_PUNCTUATION = {
    "left_square_bracket": "х",
    "right_square_bracket": "ъ",
    "semicolon": "ж",
    "apostrophe": "э",
    "comma": "б",
    "full_stop": "ю",
    "grave_accent": "ё",
}
RUSSIAN_TWIN = {
    **dict(zip(_LATIN, _CYRILLIC, strict=True)),
    **dict(zip(_LATIN.upper(), _CYRILLIC.upper(), strict=True)),
    **_PUNCTUATION,
}


def localize_bindings(node: DOMNode) -> None:
    """Translate the descriptions of ``node``'s key bindings into the current language,
    and make every letter key work on the Russian layout too.

    ``BINDINGS`` are class attributes built at import time, so they hold message ids
    (``N_``); each instance gets translated copies here, in its ``__init__``. The
    Russian twins are hidden (no footer entry, no help line: the original has them).
    """
    bindings = node._bindings.key_to_bindings
    for key, items in list(bindings.items()):
        bindings[key] = [
            replace(b, description=_(b.description) if b.description else b.description)
            for b in items
        ]
        twin = RUSSIAN_TWIN.get(key)
        if twin and twin not in bindings:
            bindings[twin] = [
                replace(b, key=twin, show=False, description="", key_display=None) for b in items
            ]


class Localized:
    """Mixin: translated binding descriptions for screens, dialogs and widgets."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        localize_bindings(self)  # type: ignore[arg-type]


class ServiceCalls:
    """Mixin for screens and widgets (anything with ``run_worker``)."""

    _pending: dict[Worker[Any], tuple[Callback | None, Callback | None, Widget | None]]

    @property
    def qapp(self) -> QstuiApp:
        return self.app  # type: ignore[attr-defined, no-any-return]

    def call_service(
        self,
        fn: Callable[..., Any],
        *args: Any,
        then: Callback | None = None,
        on_error: Callback | None = None,
        loading: Widget | None = None,
        group: str | None = None,
        exclusive: bool = True,
        with_context: bool = True,
        **kwargs: Any,
    ) -> Worker[Any]:
        ctx = self.qapp.ctx if with_context else None

        def job() -> Any:
            return fn(ctx, *args, **kwargs) if with_context else fn(*args, **kwargs)

        if not hasattr(self, "_pending"):
            self._pending = {}
        if loading is not None:
            loading.loading = True
        worker: Worker[Any] = self.run_worker(  # type: ignore[attr-defined]
            job,
            thread=True,
            group=group or getattr(fn, "__name__", "service"),
            exclusive=exclusive,
            exit_on_error=False,
            name=getattr(fn, "__name__", "service"),
        )
        self._pending[worker] = (then, on_error, loading)
        return worker

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        entry = getattr(self, "_pending", {}).get(event.worker)
        if entry is None or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            return
        del self._pending[event.worker]
        then, on_error, loading = entry
        if loading is not None:
            loading.loading = False
        if event.state == WorkerState.SUCCESS and then is not None:
            then(event.worker.result)
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            if on_error is not None:
                on_error(error)
            else:
                self.qapp.show_error(error)


class ModuleScreen(Localized, ServiceCalls, Screen[None]):
    """A main-window screen: header, the module panel on the left, footer.

    Subclasses implement ``compose_content`` and set ``MODULE`` to their registry name.
    """

    MODULE = ""

    def compose(self) -> ComposeResult:
        from qstui.widgets.module_panel import ModulePanel

        yield Header()
        with Horizontal(id="frame"):
            yield ModulePanel(current=self.MODULE, id="modules")
            with Vertical(id="content"):
                yield from self.compose_content()
        yield Footer()

    def compose_content(self) -> ComposeResult:  # pragma: no cover - abstract
        raise NotImplementedError
