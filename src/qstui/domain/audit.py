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
    context), when (naive UTC), which object, and ``changes`` as ``{field: [old, new]}``."""

    id: int
    logged_at: datetime
    user_login: str
    user_name: str
    action: AuditAction
    object_kind: str
    object_id: int
    changes: dict[str, Any] = field(default_factory=dict)
