"""What can go wrong talking to 1C, as errors the services and the CLI show as they are
(each is a ``ServiceError``: one translated line, never a traceback)."""

from __future__ import annotations

from qstui.domain.errors import ServiceError
from qstui.i18n import _


class OnecError(ServiceError):
    """Base of every failure of the exchange with a 1C base."""


class ODataError(OnecError):
    """1C refused a request and said why in its ``odata.error`` envelope (or answered an
    HTTP error without one): ``status`` is the HTTP status, ``code`` 1C's error code
    (``"13"`` …, or ``""``), ``detail`` 1C's own message."""

    def __init__(self, status: int, code: str, detail: str, where: str = "") -> None:
        self.status = status
        self.code = code
        self.detail = detail
        self.where = where
        text = detail or _("HTTP status {status}").format(status=status)
        if code:
            text = f"{text} ({_('error code')} {code})"
        super().__init__(
            _("1C refused {where}: {text}").format(where=where or _("the request"), text=text)
        )


class OnecAuthError(ODataError):
    """HTTP 401/403: the 1C user or password is wrong, or that user lacks the rights."""


class OnecUnavailable(OnecError):
    """1C did not answer (connection refused or dropped, timeout) or kept answering a
    server error after every retry."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(
            _("The 1C base at {url} does not answer: {reason}").format(url=url, reason=reason)
        )


class OnecFormatError(OnecError):
    """1C answered something qstui cannot read as it expects (a field of a wrong type, a
    missing key, a body that is not JSON)."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(_("Unexpected answer of 1C: {what}").format(what=what))
