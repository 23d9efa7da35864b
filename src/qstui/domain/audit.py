"""The audit log (U4) as the services hand it out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from qstui.domain.enums import AuditAction

SYSTEM_LOGIN = "system"


@dataclass(frozen=True)
class AuditRecord:
    """One create / update / delete: who (``user_login`` is ``"system"`` for the admin CLI
    context), when (naive UTC), which object, and ``changes`` as ``{field: [old, new]}``;
    for a change made by the CLI, the OS account and computer it ran on."""

    id: int
    logged_at: datetime
    user_login: str
    user_name: str
    action: AuditAction
    object_kind: str
    object_id: int
    changes: dict[str, Any] = field(default_factory=dict)
    os_user: str | None = None
    os_host: str | None = None
