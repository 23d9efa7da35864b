"""Small demo databases for the tests (seed 1, made on the clock's today), each a new
database of its own, dropped afterwards.

The UI modules, and a few others, each need a fresh demo; making one takes ~1 s on
SQLite and ~4 s on Firebird. While the clock is frozen, the first demo of a backend and
moment is made and kept as an image (SQLite: a copy of the file; Firebird: a gbak
backup stream); the next ones in the same test process are copies of that image: the
very same rows (SQLite: 0.02 s; Firebird: a restore, ~1 s). The images live in this
module, imported by one name only (``tests.ui.demo_copies``): a conftest may be
imported twice, as ``conftest`` and as ``tests.ui.conftest``."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from firebird.driver import DbWriteMode, connect_server
from sqlalchemy.engine import URL
from tests.conftest import create_test_database, server_name, sibling_url

from qstui.db.create import drop_database
from qstui.db.defaults import load_defaults
from qstui.db.engine import Database
from qstui.db.migrate import upgrade
from qstui.db.urls import is_firebird
from qstui.demo import generate
from qstui.domain import clock


@contextmanager
def demo_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A new small demo database (seed 1, made on the clock's today), dropped afterwards:
    made, or copied from the image of the first one (the module's docstring)."""
    name = f"ui_{Path(tmp_path_factory.getbasetemp()).name}_{id(object())}"
    folder = tmp_path_factory.mktemp("ui")
    url = sibling_url(backend, name[-40:], folder)
    moment = clock.frozen()
    key = (backend, moment, str(clock.zone()))
    drop_database(url)
    image = _demo_images.get(key) if moment is not None else None
    db = Database(url)  # connects on first use
    try:
        if image is not None:
            _copy_image(image, url)
        else:
            create_test_database(url)
            upgrade(db)
            load_defaults(db)
            generate(db, size="small", seed=1)
            if moment is not None:
                _demo_images[key] = _take_image(url, folder / "demo-image.sqlite3")
        yield db
    finally:
        db.dispose()
        drop_database(url)


# The first demo database of each (backend, frozen moment, zone), as an image to copy.
_demo_images: dict[tuple[str, datetime | None, str], Path | bytes] = {}


def _take_image(url: URL, sqlite_file: Path) -> Path | bytes:
    """The database at ``url`` as an image: a copy in ``sqlite_file`` (SQLite's backup
    API, so that the rows still in its write-ahead log are in the copy) or a gbak backup
    stream (Firebird, through the server's services)."""
    if not is_firebird(url):
        _sqlite_copy(Path(url.database or ""), sqlite_file)
        return sqlite_file
    stream = io.BytesIO()
    with connect_server(server_name(url), user=url.username, password=url.password) as srv:
        srv.database.local_backup(database=url.database, backup_stream=stream)
    return stream.getvalue()


def _copy_image(image: Path | bytes, url: URL) -> None:
    """A new database at ``url`` with the rows of ``image`` (see ``_take_image``)."""
    if isinstance(image, Path):
        create_test_database(url)  # the file as qstui makes it (its owner's only)
        _sqlite_copy(image, Path(url.database or ""))
        return
    with connect_server(server_name(url), user=url.username, password=url.password) as srv:
        srv.database.local_restore(backup_stream=io.BytesIO(image), database=url.database)
        srv.database.set_write_mode(database=url.database, mode=DbWriteMode.ASYNC)


def _sqlite_copy(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
