"""The audit log (U4) as the services hand it out, and its changes as lines of text
(``qstui audit list`` and the audit log screen show them alike)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from qstui.domain.enums import AuditAction
from qstui.i18n import N_, _

SYSTEM_LOGIN = "system"
VALUE_WIDTH = 60
ACTION_LABELS = {
    AuditAction.CREATE: N_("created"),
    AuditAction.UPDATE: N_("changed"),
    AuditAction.DELETE: N_("deleted"),
    AuditAction.LOGIN_FAILED: N_("login failed"),
    AuditAction.LOGIN_LOCKED: N_("locked by failed logins"),
}


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


def value_text(value: Any) -> str:
    """A changed value on one line, shortened to ``VALUE_WIDTH``."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        text = ", ".join(str(v) for v in value) or "—"
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, bool):
        text = _("yes") if value else _("no")
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def change_lines(record: AuditRecord) -> list[str]:
    """One line per changed field: ``field: old → new`` (just the value for a deletion,
    a creation or another event such as a failed login)."""
    lines = []
    for name, pair in record.changes.items():
        old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        if record.action is AuditAction.UPDATE:
            lines.append(f"{name}: {value_text(old)} → {value_text(new)}")
        elif record.action is AuditAction.DELETE:
            lines.append(f"{name}: {value_text(old)}")
        else:
            lines.append(f"{name}: {value_text(new)}")
    return lines


def parse_target(value: str) -> tuple[str, int | None]:
    """An audit filter's object: ``company:42`` → ("company", 42); ``company`` →
    ("company", None). ValueError (its message in plain English, as ``--help``) otherwise."""
    kind, sep, ident = value.strip().partition(":")
    kind = kind.strip().lower()
    if not kind or not all(ch.isalnum() or ch in "_-." for ch in kind):
        raise ValueError("expected KIND or KIND:ID, e.g. company:42")
    if not sep:
        return kind, None
    try:
        number = int(ident.strip())
    except ValueError:
        raise ValueError("the ID after ':' must be a whole number, e.g. company:42") from None
    if number < 0:
        raise ValueError("the ID after ':' must not be negative")
    return kind, number
