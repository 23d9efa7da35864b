"""The client of 1C's standard OData interface (OData v3), on httpx.

- Reads page by page with ``$top``/``$skip`` and a stable ``$orderby=Ref_Key``: 1C does
  not reliably send ``odata.nextLink``, so it is never followed.
- Query options are percent-encoded by this module (a space is ``%20``, a ``+`` is
  ``%2B``: 1C reads a literal ``+`` in ``$filter`` as a plus, not as a space); filters
  are built with ``onec.values.guid_literal`` / ``datetime_literal`` / ``string_literal``.
- Every answer body is read with ``onec.values.loads`` (numbers as ``Decimal``).
- An ``odata.error`` envelope (or any HTTP error) → ``ODataError`` with 1C's message;
  401/403 → ``OnecAuthError``.
- Timeouts; retries with exponential backoff on network errors and 5xx, never on 4xx.
  A POST that creates an object is retried only when the request never reached 1C
  (connection refused, connect timeout) or 1C answered 5xx (it rolled the write back):
  a connection dropped after sending leaves its outcome unknown, and creating it again
  could make a duplicate, so it is an ``OnecUnavailable`` that says so. A PATCH with
  ``If-Match`` is retried, but a 412 after a lost answer is the same unknown outcome
  (our own lost write may have changed the ``DataVersion``), not a conflict.
- Writes: POST (the new key from the ``Location`` header, which is percent-encoded),
  PATCH (a tabular section is sent whole, each row with its ``LineNumber``), ``Post`` /
  ``Unpost`` of a document (``?PostingModeOperational=false``), ``If-Match`` with the
  ``DataVersion`` we last saw, so a concurrent change in 1C is a 412, never overwritten.

The password is given to httpx's Basic auth and to nothing else: no message, log line
or error text carries it.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote, unquote

import httpx

from qstui.i18n import _
from qstui.onec import values as V
from qstui.onec.errors import (
    ODataError,
    OnecAuthError,
    OnecFormatError,
    OnecUnavailable,
)
from qstui.onec.metadata import Metadata, parse_metadata

log = logging.getLogger("qstui.onec")

DEFAULT_TIMEOUT = 30.0  # seconds for one request
DEFAULT_RETRIES = 3  # further attempts after the first
DEFAULT_BACKOFF = 0.5  # seconds before the first retry; doubled each time
DEFAULT_PAGE = 500
_QUERY_SAFE = "'(),:=$"  # kept as they are in a query option's value
_PATH_SAFE = "/()',=_"
_LOCATION_KEY = re.compile(r"\(guid'([^']{1,64})'\)\s*$")
# Requests that never reached the server: safe to repeat even when not idempotent
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def query_string(options: Mapping[str, str | int | None]) -> str:
    """``$name=value&…`` with each value percent-encoded (``%20`` for a space, never
    ``+``); options whose value is None are left out."""
    return "&".join(
        f"{name}={quote(str(value), safe=_QUERY_SAFE)}"
        for name, value in options.items()
        if value is not None
    )


def key_path(entity_set: str, ref: str) -> str:
    return f"{entity_set}({V.guid_literal(ref)})"


def key_from_location(location: str) -> str | None:
    """The GUID of ``…/Catalog_X(guid'…')`` in a ``Location`` header (percent-encoded
    or not)."""
    found = _LOCATION_KEY.search(unquote(location))
    return V.guid(found.group(1), "Location") if found else None


def with_line_numbers(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows of a tabular section as 1C takes them in a PATCH or POST: whole, each
    with its ``LineNumber`` (1, 2, … as Int64 strings)."""
    return [{**dict(row), "LineNumber": str(number)} for number, row in enumerate(rows, 1)]


class ODataClient:
    """One published 1C base. Use as a context manager, or call ``close``."""

    def __init__(
        self,
        base_url: str,
        user: str,
        password: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self._http = httpx.Client(
            auth=httpx.BasicAuth(user, password),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=transport,
            headers={"Accept": "application/json"},
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ODataClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Reading

    def metadata(self) -> Metadata:
        response = self._send("GET", "$metadata", accept="application/xml")
        return parse_metadata(response.content)

    def get_page(
        self,
        entity_set: str,
        *,
        top: int,
        skip: int = 0,
        select: Sequence[str] | None = None,
        filter: str | None = None,
        orderby: str = "Ref_Key",
        expand: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        options: dict[str, str | int | None] = {
            "$format": "json",
            "$top": top,
            "$skip": skip or None,
            "$orderby": orderby,
            "$select": ",".join(select) if select else None,
            "$filter": filter,
            "$expand": ",".join(expand) if expand else None,
        }
        payload = self._json("GET", entity_set, options)
        items = payload.get("value") if isinstance(payload, dict) else None
        if not isinstance(items, list):
            raise OnecFormatError(f"{entity_set}: no “value” list")
        return items

    def iterate(
        self,
        entity_set: str,
        *,
        select: Sequence[str] | None = None,
        filter: str | None = None,
        page_size: int = DEFAULT_PAGE,
    ) -> Iterator[list[dict[str, Any]]]:
        """Every object of ``entity_set`` (matching ``filter``), a page at a time, in
        ``Ref_Key`` order; a page shorter than ``page_size`` is the last."""
        skip = 0
        while True:
            page = self.get_page(entity_set, top=page_size, skip=skip, select=select, filter=filter)
            if page:
                yield page
            if len(page) < page_size:
                return
            skip += len(page)

    def get(self, entity_set: str, ref: str, select: Sequence[str] | None = None) -> dict[str, Any]:
        options = {"$format": "json", "$select": ",".join(select) if select else None}
        payload = self._json("GET", key_path(entity_set, ref), options)
        if not isinstance(payload, dict):
            raise OnecFormatError(f"{entity_set}: not an object")
        return payload

    # Writing

    def create(self, entity_set: str, body: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """POST a new object: (its key, the object 1C returned)."""
        response = self._send(
            "POST", entity_set, {"$format": "json"}, body=V.dumps(body), idempotent=False
        )
        payload = V.loads(response.content) if response.content else {}
        ref = key_from_location(response.headers.get("Location", ""))
        if ref is None and isinstance(payload, dict):
            ref = V.guid(payload.get("Ref_Key"), "Ref_Key")
        if ref is None:
            raise OnecFormatError(f"{entity_set}: no key of the created object")
        return ref, payload if isinstance(payload, dict) else {}

    def update(
        self,
        entity_set: str,
        ref: str,
        fields: Mapping[str, Any],
        *,
        tables: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
        data_version: str | None = None,
    ) -> dict[str, Any]:
        """PATCH an object: ``fields`` as given, each tabular section of ``tables``
        replaced whole (rows numbered by ``with_line_numbers``). With ``data_version``
        the write is refused (412) if the object changed in 1C since."""
        body = dict(fields)
        for name, rows in (tables or {}).items():
            body[name] = with_line_numbers(rows)
        headers = {"If-Match": data_version} if data_version else None
        response = self._send(
            "PATCH",
            key_path(entity_set, ref),
            {"$format": "json"},
            body=V.dumps(body),
            headers=headers,
        )
        payload = V.loads(response.content) if response.content else {}
        return payload if isinstance(payload, dict) else {}

    def mark_deleted(self, entity_set: str, ref: str, data_version: str | None = None) -> None:
        """Set the deletion mark (what 1C users do; never a DELETE)."""
        self.update(entity_set, ref, {"DeletionMark": True}, data_version=data_version)

    def post_document(self, entity_set: str, ref: str) -> None:
        """Post a document (not in operational mode)."""
        self._send("POST", key_path(entity_set, ref) + "/Post", {"PostingModeOperational": "false"})

    def unpost_document(self, entity_set: str, ref: str) -> None:
        self._send("POST", key_path(entity_set, ref) + "/Unpost")

    # The wire

    def url(self, path: str, options: Mapping[str, str | int | None] | None = None) -> str:
        url = self.base_url + quote(path, safe=_PATH_SAFE + "$")
        query = query_string(options or {})
        return f"{url}?{query}" if query else url

    def _json(self, method: str, path: str, options: Mapping[str, str | int | None]) -> Any:
        return V.loads(self._send(method, path, options).content)

    def _send(
        self,
        method: str,
        path: str,
        options: Mapping[str, str | int | None] | None = None,
        *,
        body: str | None = None,
        headers: Mapping[str, str] | None = None,
        accept: str | None = None,
        idempotent: bool = True,
    ) -> httpx.Response:
        url = self.url(path, options)
        all_headers = dict(headers or {})
        if body is not None:
            all_headers["Content-Type"] = "application/json;charset=utf-8"
        if accept:
            all_headers["Accept"] = accept
        where = f"{method} {unquote(path)}"
        attempt = 0
        maybe_applied = False  # an earlier attempt may have reached 1C
        while True:
            try:
                response = self._http.request(
                    method,
                    url,
                    content=body.encode("utf-8") if body is not None else None,
                    headers=all_headers,
                )
            except httpx.HTTPError as exc:
                retry = idempotent or isinstance(exc, _NOT_SENT)
                if retry and attempt < self.retries:
                    maybe_applied = maybe_applied or not isinstance(exc, _NOT_SENT)
                    self._wait(attempt, where, exc)
                    attempt += 1
                    continue
                raise OnecUnavailable(self.base_url, _reason(exc, not retry)) from None
            if response.status_code >= 500 and attempt < self.retries:
                self._wait(attempt, where, f"HTTP {response.status_code}")
                attempt += 1
                continue
            if response.status_code == 412 and maybe_applied and "If-Match" in all_headers:
                # the DataVersion we sent may be the one our own lost attempt replaced
                raise OnecUnavailable(self.base_url, _reason(None, True))
            if response.status_code >= 400:
                raise _error(response, where)
            return response

    def _wait(self, attempt: int, where: str, why: object) -> None:
        delay = self.backoff * (2**attempt)
        log.warning("1C %s failed (%s); retry %d in %.1f s", where, why, attempt + 1, delay)
        if delay > 0:
            self._sleep(delay)


def _reason(exc: httpx.HTTPError | None, outcome_unknown: bool) -> str:
    """Why 1C did not answer; ``outcome_unknown``: a write may have been made."""
    if exc is None:
        text = "HTTP 412"
    else:
        text = str(exc) or type(exc).__name__
        if isinstance(exc, httpx.TimeoutException):
            text = _("no answer in time ({detail})").format(detail=text)
    if outcome_unknown:
        text = _(
            "{detail}; the connection broke after the request was sent, so whether 1C made"
            " the change is unknown: check in 1C before trying again"
        ).format(detail=text)
    return text


def _error(response: httpx.Response, where: str) -> ODataError:
    """1C's ``odata.error`` (code and message) of a refused request, or the status."""
    code, detail = "", ""
    try:
        payload = V.loads(response.content)
    except OnecFormatError:
        payload = None
    envelope = payload.get("odata.error") if isinstance(payload, dict) else None
    if isinstance(envelope, dict):
        code = str(envelope.get("code") or "")
        message = envelope.get("message")
        if isinstance(message, dict):
            detail = str(message.get("value") or "")
        elif isinstance(message, str):
            detail = message
    elif response.status_code < 500 and response.text and len(response.text) < 500:
        detail = response.text.strip()
    cls = OnecAuthError if response.status_code in (401, 403) else ODataError
    return cls(response.status_code, code, detail, where)
