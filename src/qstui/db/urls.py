"""Database URLs: the forms users type, normalized to SQLAlchemy URLs, and masked.

Accepted:
- ``sqlite:///path/to/file.db`` (and ``sqlite://`` for memory) — as is;
- a plain file path (``crm.db``, ``/data/crm.sqlite``) — an SQLite file;
- ``firebird://user:password@host[:port]/path/to/file.fdb`` — a database on a Firebird
  server; the path is absolute (``/path/to/file.fdb``; ``//path`` and ``C:/path`` work
  too) unless it is a single word without ``.fdb`` (a server alias);
- ``firebird+firebird://…`` — the SQLAlchemy form, as is.

A user name or password holding ``@``, ``:`` or ``/`` is written percent-encoded
(``%40``, ``%3A``, ``%2F``). A URL that cannot be read raises ``UrlError`` with a
message in the user's language that names the problem and never repeats the password:
the URL parser splits an unescaped ``@`` of a password into the host or the port, so
neither is quoted back.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import URL, make_url

from qstui.i18n import _

FIREBIRD_DRIVER = "firebird+firebird"
DEFAULT_FIREBIRD_PORT = 3050
HIDDEN = "***"
# The SQL role of a user who connects with an own Firebird login (``db.grants``).
PER_USER_ROLE = "QSTUI_USER"
# scheme://user:PASSWORD@ — up to the last "@" before a space, so that a password with
# an unescaped "@" or ":" is hidden whole (hiding more than the password is harmless).
_URL_PASSWORD = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*:)\S*@")


class UrlError(ValueError):
    pass


def normalize_url(raw: str) -> URL:
    text = raw.strip()
    if not text:
        raise UrlError(_("The database URL is empty"))
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text).expanduser().resolve()))
    scheme = text.split("://", 1)[0].lower()
    if scheme == "firebird":
        text = FIREBIRD_DRIVER + text[len("firebird") :]
    url = _parse(text)
    if url.get_backend_name() == "firebird":
        return _firebird(url)
    if url.get_backend_name() != "sqlite":
        raise UrlError(
            _("Unsupported database: {name} (use sqlite or firebird)").format(
                name=url.get_backend_name()
            )
        )
    if url.database and url.database != ":memory:":
        url = url.set(database=str(Path(url.database).expanduser()))
    return url


def _parse(text: str) -> URL:
    """``make_url`` with its failures told without the password: a port that is no
    number, or a host or port holding the rest of a password cut at an ``@``."""
    try:
        url = make_url(text)
    except ValueError:  # int() of the port; the text may be a piece of the password
        raise UrlError(_at_in_password() if text.count("@") > 1 else _bad_port()) from None
    except Exception:  # ArgumentError on garbage; its message repeats the URL
        raise UrlError(
            _("Cannot read the database URL; the form is {form} or a file path").format(
                form="firebird://user:password@host[:port]/path/file.fdb"
            )
        ) from None
    if url.host and "@" in url.host:
        raise UrlError(_at_in_password())
    if url.port is not None and not 0 < url.port < 65536:
        raise UrlError(_bad_port())
    return url


def _at_in_password() -> str:
    return _(
        "The user name or password in the database URL holds “@”: write it as %40 "
        "(and “:” as %3A, “/” as %2F)"
    )


def _bad_port() -> str:
    return _("The port in the database URL is not a number from 1 to 65535")


def _firebird(url: URL) -> URL:
    database = url.database or ""
    if not url.host:
        raise UrlError(
            _("A Firebird URL needs a server host: {form}").format(
                form="firebird://user:password@host/path.fdb"
            )
        )
    if not database:
        raise UrlError(_("A Firebird URL needs a database path or alias after the host"))
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


def needs_login(url: URL) -> bool:
    """A Firebird URL without a user name: each user connects with an own Firebird
    login, the one typed on the login screen (``with_login``)."""
    return is_firebird(url) and not url.username


def with_login(url: URL, login: str, password: str) -> URL:
    """``url`` connecting as the Firebird login ``login`` with the role of qstui users."""
    query = dict(url.query)
    query["role"] = PER_USER_ROLE
    return url.set(username=login, password=password, query=query)


def is_per_user(url: URL) -> bool:
    """A connection with a user's own Firebird login and the role ``PER_USER_ROLE``."""
    return is_firebird(url) and str(url.query.get("role", "")).upper() == PER_USER_ROLE


def firebird_dsn(url: URL) -> str:
    """``host/port:path`` — the DSN firebird-driver and the services API take."""
    return f"{url.host}/{url.port or DEFAULT_FIREBIRD_PORT}:{url.database}"


def database_identity(url: URL) -> str:
    """Which database ``url`` names, whoever connects: the server, port and path
    (``firebird://host:3050//srv/crm.fdb``) or the SQLite file's absolute path, without
    the user name or password."""
    if is_firebird(url):
        host = (url.host or "").lower()
        return f"firebird://{host}:{url.port or DEFAULT_FIREBIRD_PORT}/{url.database}"
    database = url.database or ":memory:"
    if database != ":memory:":
        database = str(Path(database).expanduser().resolve())
    return f"sqlite:///{database}"


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
