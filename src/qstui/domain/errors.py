"""Errors the services raise and the screens and the CLI show.

Every message is already translated into the user's language when the error is made;
``str(error)`` is what a person reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from qstui.domain.formatting import moment
from qstui.i18n import _


class ServiceError(Exception):
    """Base of every expected failure: shown as one message, never as a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class AccessDenied(ServiceError):
    """The user's rights do not allow the action (U2). Nothing was written."""

    def __init__(self, right: str, message: str | None = None) -> None:
        super().__init__(
            message or _("Access denied: you lack the right “{right}”").format(right=right)
        )
        self.right = right


class NotFound(ServiceError):
    def __init__(self, what: str, ident: object) -> None:
        super().__init__(
            _("{what} «{id}» not found (or not visible to you)").format(what=what, id=ident)
        )
        self.what = what
        self.ident = ident


class ValidationFailed(ServiceError):
    """One message per bad field: ``errors`` maps a field name to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in self.errors.items()))


class Conflict(ServiceError):
    """Someone else saved the same record meanwhile (ARCHITECTURE rule 8): who and when,
    when the record is known (``services.persist.conflict_for``)."""

    def __init__(self, changed_by: str | None, changed_at: datetime | None) -> None:
        self.changed_by = changed_by
        self.changed_at = changed_at
        who = changed_by or _("another user")
        if changed_at is None:  # the row is not known, or it was deleted meanwhile
            message = _(
                "The record was changed or deleted by {who} meanwhile. "
                "Reload it and apply your changes again."
            ).format(who=who)
        else:
            message = _(
                "The record was changed by {who} at {when}. Reload it and apply your changes again."
            ).format(who=who, when=moment(changed_at))
        super().__init__(message)


class Busy(ServiceError):
    """A concurrent writer held what this write had to wait for longer than the lock
    timeout (a long import, a program stuck mid-save); nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Another user is saving the same data right now; nothing was saved. "
                "Try again in a moment."
            )
        )


class LoginFailed(ServiceError):
    def __init__(self) -> None:
        super().__init__(_("Wrong login or password"))


class AccountLocked(ServiceError):
    def __init__(self, until: datetime | None) -> None:
        self.until = until
        if until is None:
            super().__init__(_("The account is locked by an administrator"))
        else:
            super().__init__(
                _("Too many failed attempts: the account is locked until {until}").format(
                    until=moment(until)
                )
            )


class DatabaseUnavailable(ServiceError):
    """The database cannot be reached (server down, network lost, wrong URL)."""

    def __init__(self, detail: str) -> None:
        super().__init__(_("The database is unavailable: {detail}").format(detail=detail))
        self.detail = detail


class ServerNotAnswering(DatabaseUnavailable):
    """The database server stopped answering — the network to it is down or the server
    hangs (``db.server_watch``): the call was given up after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        ServiceError.__init__(
            self,
            _(
                "The database server does not answer (no reply for {seconds} s): "
                "check the network and the server, then try again."
            ).format(seconds=f"{seconds:g}"),
        )
        self.detail = "no reply"
        self.seconds = seconds
