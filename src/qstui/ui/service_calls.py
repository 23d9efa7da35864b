"""Service calls from screens, dialogs and widgets, in worker threads (ARCHITECTURE
rule 4).

``call_service(fn, *args, then=...)`` runs ``fn(ctx, *args)`` in a thread worker, shows a
loading indicator on the given widget once the call has taken ``LOADING_DELAY`` (a quick
call is not worth two paints), and hands the result to ``then`` on the main thread; an
error goes to ``on_error`` or to the app's one error dialog. Workers never touch widgets.

``route_error(error, fields=..., conflict=..., message=...)`` is the one way a failed
save reaches the user: the field messages of ``ValidationFailed`` go to the form's
fields, a ``Conflict`` to its handler (usually ``show_conflict``: the conflict dialog,
with what was typed, and a reload when the user asks for it), another ``ServiceError``
to the form's message line, and anything else — or what the caller does not handle — to
the app's one error dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from qstui.domain.errors import Conflict, ServiceError, ValidationFailed

if TYPE_CHECKING:
    from qstui.app import QstuiApp

Callback = Callable[[Any], None]
LOADING_DELAY = 0.2  # seconds a call may take before its widget shows it is loading


class ServiceCalls:
    """Mixin for screens and widgets (anything with ``run_worker``)."""

    _pending: dict[
        Worker[Any], tuple[Callback | None, Callback | None, Widget | None, Timer | None]
    ]

    @property
    def qapp(self) -> QstuiApp:
        return self.app  # type: ignore[attr-defined, no-any-return]

    def route_error(
        self,
        error: BaseException,
        *,
        fields: Callable[[dict[str, str]], None] | None = None,
        conflict: Callable[[Conflict], None] | None = None,
        message: Callable[[str], None] | None = None,
    ) -> None:
        """Hand a failed service call's ``error`` to the place that shows it (above)."""
        if isinstance(error, ValidationFailed) and fields is not None:
            fields(error.errors)
        elif isinstance(error, Conflict) and conflict is not None:
            conflict(error)
        elif isinstance(error, ServiceError) and message is not None:
            message(str(error))
        else:
            self.qapp.show_error(error)

    def show_conflict(
        self,
        error: Conflict | str,
        typed: Sequence[tuple[str, str]] = (),
        reload: Callable[[], None] | None = None,
    ) -> None:
        """The conflict dialog: who saved the record meanwhile, what the user typed (kept
        in the form); ``reload`` runs when the user chooses to take the saved record."""
        self.qapp.show_conflict(error, typed, reload)

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
        worker: Worker[Any] = self.run_worker(  # type: ignore[attr-defined]
            job,
            thread=True,
            group=group or getattr(fn, "__name__", "service"),
            exclusive=exclusive,
            exit_on_error=False,
            name=getattr(fn, "__name__", "service"),
        )
        timer = None
        if loading is not None:  # shown only for a slow call: it costs two paints

            def slow(widget: Widget = loading) -> None:
                if worker.is_finished or worker not in self._pending:
                    return  # its result is on the way to on_worker_state_changed
                if worker.is_cancelled:
                    # cancelled before it started: it never reports (Textual 8.2)
                    self._pending.pop(worker, None)
                    return
                widget.loading = True

            timer = loading.set_timer(LOADING_DELAY, slow)
        self._pending[worker] = (then, on_error, loading, timer)
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
        then, on_error, loading, timer = entry
        if timer is not None:
            timer.stop()
        if loading is not None and loading.loading:
            loading.loading = False
        if event.state == WorkerState.SUCCESS and then is not None:
            then(event.worker.result)
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            if on_error is not None:
                on_error(error)
            else:
                self.qapp.show_error(error)
