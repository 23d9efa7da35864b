"""A deal in 1C from its card (E3–E6, E8): the command palette offers «1С: выставить
счет по работе», «1С: проверить оплату по работе» and «1С: получить документы» on an
open deal card to whoever has ``onec.exchange``; each runs in a worker with the card's
loading indicator, then says what it did in a notification and reloads the card (the
invoice and documents show under «Документы»). When the client or products are not
linked yet, the card says which and opens the sync that links them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from qstui.config import config_file_path
from qstui.domain.onec_deal import ACTION_TITLES, ACTIONS, PAYMENTS, DealRunResult
from qstui.i18n import _
from qstui.onec.secrets import Secrets
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.onec.deal_run import NotLinked, base_for_deal, run_deal


def run_in_1c(ctx: Context, deal_id: int, action: str) -> DealRunResult:
    """The run of ``action`` for a deal with its base (``base_for_deal``)."""
    base = base_for_deal(ctx, deal_id)
    return run_deal(ctx, deal_id, base, action, Secrets.of(config_file_path()))


class DealOnecCommands:
    """Mixin of the deal card: its 1C commands for the palette, and their runs."""

    deal_id: int
    card: Any
    qapp: Any
    call_service: Callable[..., Any]
    notify: Callable[..., Any]
    reload: Callable[..., Any]
    action_tab: Callable[[str], None]
    query_one: Callable[..., Any]

    def palette_commands(self) -> Iterator[tuple[str, str, Callable[[], Any]]]:
        """(title, help, command) of what the palette offers over this screen."""
        ctx = self.qapp.ctx
        if ctx is None or not ctx.has(R.ONEC_EXCHANGE) or self.card is None:
            return
        for action in ACTIONS:
            yield _(ACTION_TITLES[action]), _("this deal"), partial(self.run_in_1c, action)

    def run_in_1c(self, action: str) -> None:
        title = _(ACTION_TITLES[action])
        self.notify(_("{title}: working…").format(title=title))
        self.call_service(
            run_in_1c,
            self.deal_id,
            action,
            then=partial(self._in_1c_done, action),
            on_error=self._in_1c_failed,
            loading=self.query_one("#card-tabs"),
            group="deal-onec",
        )

    def _in_1c_done(self, action: str, result: DealRunResult) -> None:
        title = _(ACTION_TITLES[action])
        self.notify(f"{title}: {result.summary()}", timeout=10)
        self.reload()
        if action != PAYMENTS:
            self.action_tab("docs")

    def _in_1c_failed(self, error: BaseException) -> None:
        if isinstance(error, NotLinked):
            # link them there and then: the sync of what is missing, over the card
            self.notify(str(error), severity="warning", timeout=15)
            self.qapp.open_onec_sync("counterparties" if error.client else "nomenclature")
            return
        self.qapp.show_error(error)
        self.reload()
