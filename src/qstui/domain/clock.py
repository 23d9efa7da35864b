"""The one clock (ARCHITECTURE rule 11): what "now" and "today" are, and local time.

- ``utcnow()`` — now as it is stored: naive UTC, whole seconds (Firebird 3 keeps no
  time zones);
- ``local_now()`` — now as people read it: naive wall-clock time in the configured zone;
- ``today()`` — the local calendar day.

Nothing else in qstui calls ``date.today()`` or ``datetime.now()``.

The zone is configured once at start-up from the settings (``QSTUI_TZ`` or ``tz`` in the
config file: an IANA name such as ``Europe/Moscow`` or a fixed offset such as
``+03:00``) with ``set_zone``; unset, it is the computer's own zone. ``to_local`` /
``to_utc`` convert between stored and wall-clock moments in that zone.

Tests freeze the clock: ``freeze(local)`` makes it show that local wall-clock time until
``unfreeze()`` (or the end of a ``with freeze(...):`` block); local time stays the
frozen one whatever zone is set afterwards.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from types import TracebackType

_OFFSET_RE = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)

_zone: tzinfo | None = None  # None: the computer's own zone
_frozen: datetime | None = None  # the local wall-clock time a frozen clock shows


# --- the zone ----------------------------------------------------------------------------


def parse_zone(name: str | None) -> tzinfo | None:
    """``Europe/Moscow`` / ``+03:00`` / ``UTC`` → a tzinfo; empty → None (the computer's
    zone). ValueError for an unknown name."""
    text = (name or "").strip()
    if not text:
        return None
    if text.upper() in ("UTC", "Z", "GMT"):
        return UTC
    match = _OFFSET_RE.match(text)
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        return timezone(-delta if sign == "-" else delta)
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(text)
    except Exception as exc:  # ZoneInfoNotFoundError, bad keys; no tzdata on Windows
        raise ValueError(text) from exc


def set_zone(zone: tzinfo | str | None) -> None:
    """Use ``zone`` for local time (None or "": the computer's zone). ValueError for an
    unknown name (the zone stays as it was)."""
    global _zone
    _zone = parse_zone(zone) if isinstance(zone, str) else zone


def configure(zone_name: str | None) -> bool:
    """Set the zone from a setting at start-up; an unknown name leaves the computer's
    zone. Returns whether the name was understood."""
    try:
        set_zone(zone_name)
    except ValueError:
        set_zone(None)
        return False
    return True


def zone() -> tzinfo | None:
    """The configured zone (None: the computer's own)."""
    return _zone


def to_local(moment: datetime) -> datetime:
    """Naive UTC → naive local wall-clock time."""
    aware = moment.replace(tzinfo=UTC)
    local = aware.astimezone(_zone) if _zone is not None else aware.astimezone()
    return local.replace(tzinfo=None)


def to_utc(moment: datetime) -> datetime:
    """Naive local wall-clock time → naive UTC."""
    aware = moment.replace(tzinfo=_zone) if _zone is not None else moment.astimezone()
    return aware.astimezone(UTC).replace(tzinfo=None)


# --- now and today -----------------------------------------------------------------------


def utcnow() -> datetime:
    """Now as it is stored: naive UTC, whole seconds."""
    if _frozen is not None:
        return to_utc(_frozen)
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def local_now() -> datetime:
    """Now as people read it: naive local wall-clock time, whole seconds."""
    if _frozen is not None:
        return _frozen
    return to_local(utcnow())


def today() -> date:
    """The local calendar day now."""
    return local_now().date()


# --- a frozen clock (tests) --------------------------------------------------------------


class Frozen:
    """What ``freeze`` returns: the clock is frozen already; as a context manager it
    puts back what the clock was (running, or frozen at another moment) on exit."""

    def __init__(self, previous: datetime | None) -> None:
        self._previous = previous

    def __enter__(self) -> Frozen:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        global _frozen
        _frozen = self._previous


def freeze(local: datetime) -> Frozen:
    """Stop the clock at ``local`` (naive wall-clock time in the configured zone; an
    aware moment is turned into it)."""
    global _frozen
    if local.tzinfo is not None:
        local = to_local(local.astimezone(UTC).replace(tzinfo=None))
    previous, _frozen = _frozen, local.replace(microsecond=0)
    return Frozen(previous)


def unfreeze() -> None:
    """Let the clock run again."""
    global _frozen
    _frozen = None


def frozen() -> datetime | None:
    """The local time a frozen clock shows, or None while it runs."""
    return _frozen
