"""Which web pages may talk to ``qstui serve``: its own origin (the address browsers
open, ``scheme://host[:port]``) and those given with ``--allow-origin``.

A browser sends the page's origin in the ``Origin`` header of every websocket and of a
form it posts; a page of another site that tries to open a session or post the login
form is refused, so nobody's browser can be used to reach qstui from a foreign page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """``https://CRM.example.com:443/x`` → ``https://crm.example.com``; ValueError for
    something that is not an http(s) address."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(url)
    port = parts.port  # ValueError for a port that is not a number
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def base_url(scheme: str, host: str, port: int) -> str:
    """The address of a server listening on ``host:port``."""
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    if port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{shown}"
    return f"{scheme}://{shown}:{port}"


class Origins:
    def __init__(self, allowed: list[str]) -> None:
        self.allowed = frozenset(origin_of(url) for url in allowed)

    def accepts(self, header: str | None) -> bool:
        """True for the ``Origin`` header of an allowed page (a missing header, or the
        ``null`` origin of a sandboxed page, is refused)."""
        if not header:
            return False
        try:
            return origin_of(header) in self.allowed
        except ValueError:
            return False
