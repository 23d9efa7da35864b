"""Service calls from screens, dialogs and widgets, in worker threads (ARCHITECTURE
rule 4).

``call_service(fn, *args, then=...)`` runs ``fn(ctx, *args)`` in a thread worker, shows a
loading indicator on the given widget, and hands the result to ``then`` on the main
thread; an error goes to ``on_error`` or to the app's one error dialog. Workers never
touch widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.widget import Widget
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from qstui.app import QstuiApp

Callback = Callable[[Any], None]


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
