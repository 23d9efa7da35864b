"""What the reference sync needs to know of one kind of object (counterparties,
nomenclature): how our rows and 1C's objects become ``sync_match.Item``s, and how one
is created or updated on either side. ``sync_run`` drives a kind; a kind is made anew
for every run, so it may cache what it looked up (units, partners) for that run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from qstui.domain.errors import ServiceError
from qstui.onec.odata import ODataClient
from qstui.services.context import Context
from qstui.services.onec.sync_match import Item, Spec


class SkipRow(ServiceError):
    """This row cannot be written (1C's values fail our checks): it is skipped and the
    reason logged; the rest of the run goes on."""


class SyncKind:
    name: str  # domain.onec.COUNTERPARTIES / NOMENCLATURE
    object_kind: str  # onec_links.object_kind: "company", "product"
    spec: Spec
    write_rights: tuple[str, ...]  # rights needed to create or change our rows

    def __init__(self, config_kind: str) -> None:
        self.config_kind = config_kind

    # reading
    def ours(self, s: Session, ctx: Context) -> list[Item]:
        raise NotImplementedError

    def visible(self, s: Session, ctx: Context) -> set[int] | None:
        """Our rows the user may see and change (None: every row)."""
        return None

    def theirs(self, client: ODataClient, page_size: int) -> list[Item]:
        raise NotImplementedError

    # writing here, in the run's transaction; each returns our row's new version
    def prepare(self, s: Session, ctx: Context, creates: int) -> None:
        """Called once before the writes, with how many rows ``create_here`` will make."""

    def create_here(self, s: Session, ctx: Context, values: Mapping[str, str]) -> tuple[int, int]:
        raise NotImplementedError

    def update_here(
        self, s: Session, ctx: Context, object_id: int, version: int, values: Mapping[str, str]
    ) -> int:
        raise NotImplementedError

    def after_writes(self, s: Session, object_ids: list[int]) -> None:
        """Keep what follows from the rows written (search words)."""

    # writing in 1C; each returns 1C's new DataVersion
    def create_there(self, client: ODataClient, values: Mapping[str, str]) -> tuple[str, str]:
        raise NotImplementedError

    def update_there(
        self, client: ODataClient, ref: str, data_version: str, values: Mapping[str, str]
    ) -> str:
        raise NotImplementedError


def data_version(client: ODataClient, entity_set: str, ref: str, payload: Mapping[str, Any]) -> str:
    """The ``DataVersion`` of an object 1C just wrote: from its answer, else read back."""
    version = payload.get("DataVersion")
    if not version:
        version = client.get(entity_set, ref, select=["DataVersion"]).get("DataVersion")
    return str(version or "")
