"""The targets of issue 9 (this 2-core machine), by the kind of wait, p95 in ms."""

from __future__ import annotations

# kind -> (SQLite, Firebird server); the painted screen, from the key press
PAINTED = {
    "type": (50.0, 80.0),  # typing a quick-filter letter, find anything
    "card": (100.0, 150.0),  # opening a client card or a deal card
    "list": (150.0, 250.0),  # deal list, calendar month, Today
    "start": (1000.0, 1500.0),  # cold start to the client list
    # a report computed and painted: issue 11's computing targets (0.5 s / 1 s) and a
    # list's painting on top
    "report": (650.0, 1250.0),
}
FLOOR_RATIO = 2.0  # qstui / floor for reads through the services
WRITE = (100.0, 150.0)  # a save: no target in the issue; the card's is used


def painted_target(kind: str, backend: str) -> float:
    sqlite, firebird = PAINTED[kind]
    return firebird if backend == "firebird" else sqlite


def write_target(backend: str) -> float:
    return WRITE[1] if backend == "firebird" else WRITE[0]
