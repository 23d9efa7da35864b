"""Python's garbage collector, kept out of the user's way.

A full collection walks every live object; with Textual's widgets, Rich's caches and
SQLAlchemy's metadata that took 100–235 ms, about once per two card openings on the
large demo — the pauses behind the worst key-press-to-screen times (issue 9, measured
with ``gc.callbacks``). Objects alive once the app is up (imports, the engine, the
screens just built) are moved out of the collector's walk (``gc.freeze``), and young
objects are collected less often; a full collection then took 30–90 ms, a few times a
session.

The admin commands get the same policy (``cli.main``): a report built for cron is the
same objects as on the screen — on the administrator's receivables (25 000 rows) the
default collector took 0.15 s of 0.55.
"""

from __future__ import annotations

import gc

YOUNG = 20_000  # allocations between collections of the youngest generation (default 700)


def keep_out_of_the_way() -> None:
    """Freeze what lives now and collect the young less often (call after big builds:
    the app's start, a login)."""
    gc.freeze()
    gc.set_threshold(YOUNG, 10, 10)
