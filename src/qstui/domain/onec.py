"""What the screens and the CLI see of the 1C exchange: bases, their check and the
reference sync."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from qstui.i18n import _


@dataclass(frozen=True)
class OnecBaseInfo:
    """A 1C base qstui exchanges with (E1). ``password_source``: where its password is
    found — ``"env"``, ``"config"`` or None — never the password."""

    id: int
    name: str
    url: str
    config_kind: str
    login: str
    is_active: bool
    last_sync_at: datetime | None
    password_source: str | None = None


@dataclass(frozen=True)
class PublishedObject:
    role: str  # "counterparty", "invoice" … (onec.mapping)
    entity_set: str
    published: bool


@dataclass(frozen=True)
class BaseCheck:
    """What ``base test`` found: every object qstui needs, published or not."""

    name: str
    url: str
    config_kind: str
    objects: tuple[PublishedObject, ...]
    menu_path: str  # where in 1C the missing ones are published

    @property
    def missing(self) -> tuple[PublishedObject, ...]:
        return tuple(obj for obj in self.objects if not obj.published)

    @property
    def ok(self) -> bool:
        return not self.missing


# --- the reference sync (E2) ----------------------------------------------------------

COUNTERPARTIES = "counterparties"  # companies ↔ Catalog_Контрагенты
NOMENCLATURE = "nomenclature"  # products ↔ Catalog_Номенклатура
SYNC_KINDS = (COUNTERPARTIES, NOMENCLATURE)


class SyncCategory(StrEnum):
    """Where a pair (or a lone object) stands, computed before anything is written."""

    LINKED = "linked"  # linked and the same on both sides
    PROPOSED = "proposed"  # not linked; a match by INN+KPP, INN, name or article
    ONLY_HERE = "only_here"
    ONLY_THERE = "only_there"
    CHANGED = "changed"  # linked; changed on one side since the last sync
    CONFLICT = "conflict"  # linked; changed on both sides since the last sync


class SyncAction(StrEnum):
    """What the user chose for a row."""

    LINK = "link"
    CREATE_HERE = "create_here"
    CREATE_THERE = "create_there"
    TAKE_THEIRS = "take_theirs"  # link if needed, then our row takes 1C's values
    KEEP_OURS = "keep_ours"  # link if needed, then 1C's object takes ours
    SKIP = "skip"


HERE = "here"
THERE = "there"


@dataclass(frozen=True)
class FieldDiff:
    name: str  # "name", "inn", "kpp", "article", "unit", "service"
    ours: str
    theirs: str


@dataclass(frozen=True)
class SyncRow:
    """One row of the comparison. ``object_id``: our company or product (None when only
    in 1C); ``ref``: the 1C object (None when only here); ``match``: how a proposed pair
    was found ("inn_kpp", "inn", "name", "article"); ``changed_side``: "here" or
    "there" for a changed row."""

    category: SyncCategory
    object_id: int | None
    ref: str | None
    name: str
    their_name: str
    code: str  # INN of a counterparty, article of a product
    match: str | None = None
    changed_side: str | None = None
    differences: tuple[FieldDiff, ...] = ()

    @property
    def key(self) -> str:
        """Stable id of the row, to choose an action for it."""
        return f"{self.object_id or ''}:{self.ref or ''}"

    def as_dict(self) -> dict[str, object]:
        return {
            "object_id": self.object_id,
            "ref": self.ref,
            "name": self.name,
            "their_name": self.their_name,
            "code": self.code,
            "match": self.match,
            "changed_side": self.changed_side,
            "differences": [
                {"field": d.name, "ours": d.ours, "theirs": d.theirs} for d in self.differences
            ],
        }


@dataclass(frozen=True)
class SyncComparison:
    kind: str  # COUNTERPARTIES or NOMENCLATURE
    base: str
    rows: tuple[SyncRow, ...]

    def of(self, category: SyncCategory) -> list[SyncRow]:
        return [row for row in self.rows if row.category == category]

    @property
    def linked(self) -> int:
        return sum(1 for row in self.rows if row.category == SyncCategory.LINKED)


@dataclass(frozen=True)
class SyncPolicy:
    """The actions of rows the user did not choose one for (the CLI's flags)."""

    create_here: bool = False
    create_there: bool = False
    prefer: str | None = None  # "ours" / "theirs": conflicts and differing proposals


@dataclass(frozen=True)
class SyncApplied:
    linked: int = 0
    created_here: int = 0
    created_there: int = 0
    updated: int = 0
    skipped: int = 0

    def summary(self) -> str:
        """What the sync did, in a sentence (the journal's and the screen's)."""
        return _(
            "linked {linked}, created in qstui {here}, created in 1C {there}, "
            "updated {updated}, skipped {skipped}"
        ).format(
            linked=self.linked,
            here=self.created_here,
            there=self.created_there,
            updated=self.updated,
            skipped=self.skipped,
        )


@dataclass(frozen=True)
class SyncResult:
    """A comparison and, when applied, what was done (``run_id``: its exchange run)."""

    comparison: SyncComparison
    applied: SyncApplied | None = None
    run_id: int | None = None

    def as_dict(self) -> dict[str, object]:
        c, applied = self.comparison, self.applied or SyncApplied()
        rows = {cat: [r.as_dict() for r in c.of(cat)] for cat in SyncCategory}
        return {
            "linked": c.linked,
            "proposed": rows[SyncCategory.PROPOSED],
            "only_here": rows[SyncCategory.ONLY_HERE],
            "only_there": rows[SyncCategory.ONLY_THERE],
            "changed": rows[SyncCategory.CHANGED],
            "conflicts": rows[SyncCategory.CONFLICT],
            "applied": {
                "linked": applied.linked,
                "created_here": applied.created_here,
                "created_there": applied.created_there,
                "updated": applied.updated,
            },
        }
