"""Turning database exceptions into the errors people read (``domain.errors``).

SQLite says "database is locked"; Firebird reports update conflicts and deadlocks with
gds codes; a stale ``version`` gives ``StaleDataError``. Callers get ``Conflict`` for
all of them, and ``DatabaseUnavailable`` for a lost or unreachable server.
"""

from __future__ import annotations

from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import exc as orm_exc

from qstui.domain.errors import Conflict, DatabaseUnavailable, ServiceError

# isc_deadlock, isc_update_conflict, isc_lock_conflict, isc_lock_timeout
CONFLICT_GDS_CODES = frozenset({335544336, 335544451, 335544345, 335544878, 335544510})
CONFLICT_SQLSTATES = frozenset({"40001"})


def is_conflict(error: BaseException) -> bool:
    if isinstance(error, orm_exc.StaleDataError):
        return True
    orig = getattr(error, "orig", error)
    codes = set(getattr(orig, "gds_codes", None) or ())
    if codes & CONFLICT_GDS_CODES or getattr(orig, "sqlstate", None) in CONFLICT_SQLSTATES:
        return True
    return "database is locked" in str(orig).lower()


def first_line(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def friendly(error: BaseException) -> ServiceError | None:
    """The user-facing error for a database exception, or None if it is not one."""
    if isinstance(error, ServiceError):
        return error
    if is_conflict(error):
        return Conflict(None, None)
    if isinstance(error, sa_exc.DBAPIError | sa_exc.OperationalError | sa_exc.InterfaceError):
        return DatabaseUnavailable(first_line(error))
    module = type(error).__module__
    if module.startswith("firebird.") or module == "sqlite3":
        return DatabaseUnavailable(first_line(error))
    return None
