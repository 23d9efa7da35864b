"""A scratch database for the benchmarks that write (the bank import, the 1C sync).

``scratch_database(url_text, prefix)`` gives a freshly initialized qstui database: at
``url_text`` when given (a Firebird database there is dropped and made anew), else a
SQLite file in a temporary folder that is removed afterwards. ``elapsed_ms(call)`` times
one call.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from qstui.db.compat import FIREBIRD
from qstui.db.create import database_exists, drop_database
from qstui.db.engine import Database
from qstui.db.setup import init_database
from qstui.db.urls import is_firebird, normalize_url


@contextmanager
def scratch_database(url_text: str | None, prefix: str) -> Iterator[tuple[Database, str]]:
    """The database and its backend name ("sqlite" or "firebird")."""
    folder = None
    if url_text:
        url = normalize_url(url_text)
    else:
        folder = tempfile.mkdtemp(prefix=prefix)
        url = make_url(f"sqlite:///{Path(folder) / 'scratch.sqlite3'}")
    if is_firebird(url) and database_exists(url):
        drop_database(url)
    init_database(url)
    db = Database(url)
    try:
        yield db, "firebird" if db.engine.dialect.name == FIREBIRD else "sqlite"
    finally:
        db.dispose()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def elapsed_ms(call: Callable[[], Any]) -> tuple[float, Any]:
    """How long ``call`` took, in milliseconds, and what it returned."""
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000, result
