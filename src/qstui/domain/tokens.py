"""Personal tokens of the CLI (``qstui login``) as the services hand them out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from qstui.domain.errors import ServiceError
from qstui.domain.formatting import moment
from qstui.i18n import _


@dataclass(frozen=True)
class TokenInfo:
    """A token as ``qstui user tokens list`` shows it: never its secret nor its hash."""

    id: int
    login: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    os_user: str | None
    os_host: str | None
    expired: bool


@dataclass(frozen=True)
class IssuedToken:
    """A token just made: ``secret`` exists here and in the user's token file only."""

    id: int
    login: str
    secret: str
    expires_at: datetime


class TokenRefused(ServiceError):
    """The token is unknown (revoked, or never made for this database and login) or
    expired. Nothing was done."""

    def __init__(self, login: str, expired_at: datetime | None = None) -> None:
        if expired_at is None:
            message = _("The saved login of {login} is not valid (it was revoked)")
        else:
            message = _("The saved login of {login} expired on {when}")
        super().__init__(message.format(login=login, when=moment(expired_at)))
        self.login = login
        self.expired_at = expired_at
