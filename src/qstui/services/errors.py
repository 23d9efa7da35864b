"""One place that turns any exception of a service call into what the user reads.

Screens and CLI commands call ``describe(exc)``: an expected failure (a ``ServiceError``,
a database that is unreachable, a write conflict) becomes its message; anything else is
an unexpected error, logged with its traceback and shown in one sentence.
"""

from __future__ import annotations

import logging

from qstui.db.errors import friendly
from qstui.domain.errors import ServiceError
from qstui.i18n import _

log = logging.getLogger("qstui")


def describe(error: BaseException) -> ServiceError:
    known = friendly(error)
    if known is not None:
        return known
    log.error("unexpected error", exc_info=error)
    return ServiceError(
        _("Unexpected error: {detail}. The details are in the log file.").format(
            detail=f"{type(error).__name__}: {error}"
        )
    )
