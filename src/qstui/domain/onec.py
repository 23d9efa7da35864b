"""What the screens and the CLI see of the 1C exchange: bases and their check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
