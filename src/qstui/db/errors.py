"""Turning database exceptions into the errors people read (``domain.errors``).

SQLite says "database is locked"; Firebird reports update conflicts and deadlocks with
gds codes; a stale ``version`` gives ``StaleDataError``. Callers get ``Conflict`` for
all of them, and ``DatabaseUnavailable`` for a lost or unreachable server (its
``ServerNotAnswering`` comes ready-made from ``db.server_watch``). A number
too big for an INTEGER column (firebird-driver refuses one beyond 32 bits before
sending it, sqlite3 one beyond 64 bits) names no row: ``NotFound``. A privilege a
user's own Firebird login lacks (``db.grants``) is ``AccessDenied``.
"""

from __future__ import annotations

import re

from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import exc as orm_exc

from qstui.domain.errors import AccessDenied, Conflict, DatabaseUnavailable, NotFound, ServiceError
from qstui.i18n import _

# isc_deadlock, isc_update_conflict, isc_lock_conflict, isc_lock_timeout
CONFLICT_GDS_CODES = frozenset({335544336, 335544451, 335544345, 335544878, 335544510})
CONFLICT_SQLSTATES = frozenset({"40001"})
NO_PERMISSION_GDS = 335544352  # isc_no_priv: the connection's login lacks a privilege


def is_conflict(error: BaseException) -> bool:
    if isinstance(error, orm_exc.StaleDataError):
        return True
    orig = getattr(error, "orig", error)
    codes = set(getattr(orig, "gds_codes", None) or ())
    if codes & CONFLICT_GDS_CODES or getattr(orig, "sqlstate", None) in CONFLICT_SQLSTATES:
        return True
    return "database is locked" in str(orig).lower()


# firebird-driver's ``_check_integer_range`` (ValueError) and sqlite3's bind (OverflowError)
_FIREBIRD_OVERFLOW = re.compile(r"numeric overflow: value (-?\d+)\s*\(INTEGER scaled for 0 ")
_SQLITE_OVERFLOW = "too large to convert to SQLite INTEGER"


def out_of_range(error: BaseException) -> NotFound | None:
    """``NotFound`` when ``error`` is a driver refusing a whole number outside the range
    of an INTEGER column: every id and reference is one, so no row has that number."""
    if isinstance(error, OverflowError) and _SQLITE_OVERFLOW in str(error):
        return NotFound(_("Record"), "…")
    found = _FIREBIRD_OVERFLOW.match(str(error)) if isinstance(error, ValueError) else None
    return NotFound(_("Record"), found.group(1)) if found else None


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
    if NO_PERMISSION_GDS in set(getattr(getattr(error, "orig", None), "gds_codes", None) or ()):
        return AccessDenied(
            "",
            _(
                "Your own database login may not change this: it is done by the "
                "administrator with the database owner's credentials"
            ),
        )
    if isinstance(error, sa_exc.DBAPIError | sa_exc.OperationalError | sa_exc.InterfaceError):
        return DatabaseUnavailable(first_line(error))
    module = type(error).__module__
    if module.startswith("firebird.") or module == "sqlite3":
        return DatabaseUnavailable(first_line(error))
    return None
