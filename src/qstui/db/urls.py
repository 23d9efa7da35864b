"""Database URLs: the forms users type, normalized to SQLAlchemy URLs, and masked.

Accepted:
- ``sqlite:///path/to/file.db`` (and ``sqlite://`` for memory) — as is;
- a plain file path (``crm.db``, ``/data/crm.sqlite``) — an SQLite file;
- ``firebird://user:password@host[:port]/path/to/file.fdb`` — a database on a Firebird
  server; the path is absolute (``/path/to/file.fdb``; ``//path`` and ``C:/path`` work
  too) unless it is a single word without ``.fdb`` (a server alias);
- ``firebird+firebird://…`` — the SQLAlchemy form, as is.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import URL, make_url

FIREBIRD_DRIVER = "firebird+firebird"
DEFAULT_FIREBIRD_PORT = 3050
HIDDEN = "***"
# scheme://user:PASSWORD@ — up to the last "@" before a space, so that a password with
# an unescaped "@" or ":" is hidden whole (hiding more than the password is harmless).
_URL_PASSWORD = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*:)\S*@")


class UrlError(ValueError):
    pass


def normalize_url(raw: str) -> URL:
    text = raw.strip()
    if not text:
        raise UrlError("empty database URL")
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text).expanduser().resolve()))
    scheme = text.split("://", 1)[0].lower()
    if scheme == "firebird":
        return _firebird(make_url(FIREBIRD_DRIVER + text[len("firebird") :]))
    try:
        url = make_url(text)
    except Exception as exc:  # ArgumentError on garbage
        raise UrlError(str(exc)) from exc
    if url.get_backend_name() == "firebird":
        return _firebird(url)
    if url.get_backend_name() != "sqlite":
        raise UrlError(f"unsupported database: {url.get_backend_name()} (use sqlite or firebird)")
    if url.database and url.database != ":memory:":
        url = url.set(database=str(Path(url.database).expanduser()))
    return url


def _firebird(url: URL) -> URL:
    database = url.database or ""
    if not url.host:
        raise UrlError("a Firebird URL needs a server host: firebird://user:password@host/path.fdb")
    if not database:
        raise UrlError("a Firebird URL needs a database path or alias after the host")
    is_alias = (
        "/" not in database and "\\" not in database and not database.lower().endswith(".fdb")
    )
    if (
        not is_alias
        and not database.startswith("/")
        and not (len(database) > 1 and database[1] == ":")
    ):
        database = "/" + database
    query = dict(url.query)
    query.setdefault("charset", "UTF8")
    return url.set(
        drivername=FIREBIRD_DRIVER,
        database=database,
        port=url.port or DEFAULT_FIREBIRD_PORT,
        query=query,
    )


def is_firebird(url: URL) -> bool:
    return url.get_backend_name() == "firebird"


def firebird_dsn(url: URL) -> str:
    """``host/port:path`` — the DSN firebird-driver and the services API take."""
    return f"{url.host}/{url.port or DEFAULT_FIREBIRD_PORT}:{url.database}"


def mask_url(url: URL | str) -> str:
    """The URL with its password hidden, for messages and ``db info``."""
    if isinstance(url, str):
        try:
            url = normalize_url(url)
        except UrlError:
            return "<invalid URL>"
    return url.render_as_string(hide_password=True)


def mask_urls_in(text: str) -> str:
    """``text`` with the password of every URL in it hidden (a message, a traceback)."""
    return _URL_PASSWORD.sub(lambda m: f"{m['head']}{HIDDEN}@", text)


def url_secrets(raw: str) -> tuple[str, ...]:
    """The password of the database URL ``raw`` as typed and as decoded, for hiding it
    wherever it turns up; none when ``raw`` has none or cannot be read."""
    try:
        password = normalize_url(raw).password
    except Exception:  # any garbage: mask_urls_in still hides what looks like one
        return ()
    if not password:
        return ()
    return tuple(dict.fromkeys((str(password), quote(str(password), safe=""))))
