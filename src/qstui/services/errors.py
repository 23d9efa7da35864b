"""One place that turns any exception of a service call into what the user reads.

Screens and CLI commands call ``describe(exc)``: an expected failure (a ``ServiceError``,
a database that is unreachable, a write conflict) becomes its message; anything else is
an unexpected error, logged with its traceback (``qstui.logs``) and shown in one
sentence that names the log file, with any password hidden.
"""

from __future__ import annotations

import logging

from qstui import logs
from qstui.db.errors import friendly
from qstui.domain.errors import ServiceError
from qstui.i18n import _

log = logging.getLogger("qstui")


def describe(error: BaseException) -> ServiceError:
    known = friendly(error)
    if known is not None:
        return known
    log.error("unexpected error", exc_info=error)
    detail = logs.redact(f"{type(error).__name__}: {error}")
    file = logs.log_file()
    if file is None:
        return ServiceError(_("Unexpected error: {detail}.").format(detail=detail))
    return ServiceError(
        _("Unexpected error: {detail}. The details are in the log file {file}.").format(
            detail=detail, file=file
        )
    )
