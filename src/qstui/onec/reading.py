"""Typed reading of a 1C base: the objects of a role, page by page, each parsed into its
record (``onec.parsers``), asking 1C only for the fields the parser reads
(``$select``) — what the reference sync and the document import will read with."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from qstui.onec import mapping as M
from qstui.onec.odata import DEFAULT_PAGE, ODataClient
from qstui.onec.parsers import PARSERS


def fields_used(obj: M.ObjectMap) -> list[str]:
    """Every field the parser of ``obj`` reads: the common ones, the mapped ones and the
    tabular sections (which 1C returns whole)."""
    common = M.DOCUMENT_FIELDS if obj.kind == "document" else M.CATALOG_FIELDS
    names = [*common.values(), *obj.fields.values(), *(table.name for table in obj.tables)]
    return list(dict.fromkeys(names))


def read(
    client: ODataClient,
    config_kind: str,
    role: str,
    *,
    filter: str | None = None,
    page_size: int = DEFAULT_PAGE,
) -> Iterator[list[Any]]:
    """Records of ``role`` matching ``filter``, a page at a time in ``Ref_Key`` order."""
    obj = M.objects_of(config_kind)[role]
    parse = PARSERS[role]
    for page in client.iterate(
        obj.entity_set, select=fields_used(obj), filter=filter, page_size=page_size
    ):
        yield [parse(obj, item) for item in page]
