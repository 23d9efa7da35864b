"""Application settings (the ``settings`` table): one value per name, shared by every
user of a database.

Known settings have a default and a validator (``KNOWN``); any other name must start
with ``custom.`` (free values for scripts and extensions). A missing row means "the
default"; setting ``None`` removes the row (back to the default).

Rights: reading with ``get_setting`` needs none (the login itself reads the lockout
policy before anyone is logged in). ``list_settings`` and ``set_setting`` need the
administration module (``R.ADMIN``); the security policy ``auth.*`` also needs
``R.USERS_ADMIN``, the right of whoever administers users and passwords. Every change
is written to the audit log (object kind ``setting``, ``{name: [old, new]}``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.engine import Database
from qstui.db.models import Setting
from qstui.domain import validators
from qstui.domain.enums import AuditAction
from qstui.domain.errors import ValidationFailed
from qstui.domain.text import one_line, too_long
from qstui.i18n import N_, _
from qstui.services import audit
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.persist import writing

AUTH_MAX_ATTEMPTS = "auth.max_attempts"
AUTH_LOCK_MINUTES = "auth.lock_minutes"
AUTH_TOKEN_DAYS = "auth.token_days"
COMPANY_NAME = "company.name"
COMPANY_INN = "company.inn"
COMPANY_ADDRESS = "company.address"
COMPANY_PHONE = "company.phone"
COMPANY_EMAIL = "company.email"
MAIL_HOST = "mail.host"
MAIL_PORT = "mail.port"
MAIL_SECURITY = "mail.security"
MAIL_USER = "mail.user"
MAIL_FROM = "mail.from"
MAIL_PAUSE = "mail.pause_seconds"
MAIL_SECURITIES = ("starttls", "ssl", "none")
PACKAGES_MAX_ATTACHMENT_MB = "packages.max_attachment_mb"

CUSTOM_PREFIX = "custom."
NAME_MAX = 100  # settings.name is VARCHAR(100)
VALUE_MAX = 4000  # settings.val is JSON text in VARCHAR(4000)
AUDIT_KIND = "setting"


def _integer(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(
                _("Enter a whole number from {low} to {high}").format(low=low, high=high)
            )
        return value

    return check


def _text(max_len: int) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ValueError(_("Enter a text"))
        value = one_line(value) or ""
        if len(value) > max_len:
            raise ValueError(too_long(max_len))
        return value

    return check


def _validated(check: Callable[[str], str]) -> Callable[[Any], str]:
    """A text checked by a requisites validator; the empty text clears the setting."""
    as_text = _text(500)

    def wrapped(value: Any) -> str:
        text = as_text(value)
        if not text:
            return ""
        try:
            return check(text)
        except validators.ValidationError as exc:
            raise ValueError(exc.message) from exc

    return wrapped


def _choice(values: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in values:
            raise ValueError(_("Choose one of: {values}").format(values=", ".join(values)))
        return str(value)

    return check


def _phone(value: str) -> str:
    validators.phone(value)
    return value  # kept as typed: it is printed on commercial proposals


@dataclass(frozen=True)
class SettingSpec:
    default: Any
    check: Callable[[Any], Any]
    description: str  # N_() message id


KNOWN: dict[str, SettingSpec] = {
    AUTH_MAX_ATTEMPTS: SettingSpec(
        5, _integer(1, 100), N_("Failed logins in a row before the account is locked")
    ),
    AUTH_LOCK_MINUTES: SettingSpec(
        15, _integer(1, 1440), N_("Minutes an account stays locked after failed logins")
    ),
    AUTH_TOKEN_DAYS: SettingSpec(
        30, _integer(1, 3650), N_("Days a personal token of the command line stays valid")
    ),
    COMPANY_NAME: SettingSpec("", _text(250), N_("Our company name (commercial proposals)")),
    COMPANY_INN: SettingSpec("", _validated(validators.inn), N_("Our company INN")),
    COMPANY_ADDRESS: SettingSpec("", _text(500), N_("Our company address")),
    COMPANY_PHONE: SettingSpec("", _validated(_phone), N_("Our company phone")),
    COMPANY_EMAIL: SettingSpec("", _validated(validators.email), N_("Our company e-mail")),
    MAIL_HOST: SettingSpec("", _text(250), N_("SMTP server that sends packages")),
    MAIL_PORT: SettingSpec(587, _integer(1, 65535), N_("SMTP server port")),
    MAIL_SECURITY: SettingSpec(
        "starttls", _choice(MAIL_SECURITIES), N_("SMTP encryption: starttls, ssl or none")
    ),
    MAIL_USER: SettingSpec("", _text(250), N_("SMTP user (its password is not kept here)")),
    MAIL_FROM: SettingSpec("", _validated(validators.email), N_("Sender address of packages")),
    MAIL_PAUSE: SettingSpec(
        1, _integer(0, 3600), N_("Seconds between two letters sent (rate limit)")
    ),
    PACKAGES_MAX_ATTACHMENT_MB: SettingSpec(
        10, _integer(1, 100), N_("Largest file attached to a package, in MB")
    ),
}


@dataclass(frozen=True)
class SettingInfo:
    """A setting as the admin screens and ``qstui setting list`` show it."""

    name: str
    value: Any
    default: Any
    is_default: bool  # no value stored: ``value`` is the default
    description: str


# --- reading -----------------------------------------------------------------------------


def _database(db_or_ctx: Database | Context) -> Database:
    return db_or_ctx.db if isinstance(db_or_ctx, Context) else db_or_ctx


def _usable(name: str, stored: Any) -> tuple[bool, Any]:
    """``(ok, value)``: a stored value of a known setting that no longer validates (edited
    by hand in the database) is not used — the default applies instead."""
    spec = KNOWN.get(name)
    if spec is None:
        return True, stored
    try:
        return True, spec.check(stored)
    except ValueError:
        return False, spec.default


def get_setting(db_or_ctx: Database | Context, name: str, default: Any = None) -> Any:
    """The value of ``name``: the stored one, else ``default``, else the known default.

    Needs no right. Never raises for a bad stored value of a known setting (its default
    is returned instead).
    """
    return get_settings(db_or_ctx, [name], {name: default})[name]


def get_settings(
    db_or_ctx: Database | Context, names: list[str], defaults: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Several settings in one query (same rules as ``get_setting``)."""
    defaults = defaults or {}
    wanted = [n for n in dict.fromkeys(names) if isinstance(n, str) and 0 < len(n) <= NAME_MAX]
    stored: dict[str, Any] = {}
    if wanted:
        with _database(db_or_ctx).reader() as s:
            stored = dict(
                s.execute(select(Setting.name, Setting.val).where(Setting.name.in_(wanted))).all()
            )
    result: dict[str, Any] = {}
    for name in names:
        fallback = defaults.get(name)
        if fallback is None and name in KNOWN:
            fallback = KNOWN[name].default
        if name in stored and stored[name] is not None:
            ok, value = _usable(name, stored[name])
            result[name] = value if ok else fallback
        else:
            result[name] = fallback
    return result


def list_settings(ctx: Context) -> list[SettingInfo]:
    """Every known setting (with its default when not set) and every stored one, by name."""
    ctx.require(R.ADMIN)
    with ctx.db.reader() as s:
        stored = dict(s.execute(select(Setting.name, Setting.val)).all())
    result = []
    for name in sorted(set(KNOWN) | set(stored)):
        spec = KNOWN.get(name)
        default = spec.default if spec else None
        is_default = stored.get(name) is None
        value = default if is_default else _usable(name, stored[name])[1]
        result.append(
            SettingInfo(
                name=name,
                value=value,
                default=default,
                is_default=is_default,
                description=_(spec.description) if spec else "",
            )
        )
    return result


# --- writing -----------------------------------------------------------------------------


def check_name(name: str) -> str:
    """The setting name, stripped; ValidationFailed for names that are neither known nor
    ``custom.…``."""
    text = (name or "").strip() if isinstance(name, str) else ""
    if text in KNOWN:
        return text
    rest = text[len(CUSTOM_PREFIX) :] if text.startswith(CUSTOM_PREFIX) else ""
    if (
        not rest
        or len(text) > NAME_MAX
        or not all(ch.isprintable() and not ch.isspace() for ch in text)
    ):
        raise ValidationFailed(
            {
                "name": _(
                    "Unknown setting “{name}”: use one of {known}, or a name starting "
                    "with “{prefix}” (at most {n} characters, no spaces)"
                ).format(name=text, known=", ".join(KNOWN), prefix=CUSTOM_PREFIX, n=NAME_MAX)
            }
        )
    return text


def check_value(name: str, value: Any) -> Any:
    """The value as it will be stored; ValidationFailed({name: message}) when invalid."""
    spec = KNOWN.get(name)
    if spec is not None:
        try:
            value = spec.check(value)
        except ValueError as exc:
            raise ValidationFailed({name: str(exc)}) from None
    try:
        encoded = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        raise ValidationFailed({name: _("The value cannot be stored as JSON")}) from None
    if len(encoded) > VALUE_MAX:
        raise ValidationFailed(
            {name: _("The value is too long: at most {n} characters of JSON").format(n=VALUE_MAX)}
        )
    return json.loads(encoded)  # exactly what reading it back gives (tuples become lists)


def set_setting(ctx: Context, name: str, value: Any) -> Any:
    """Store ``value`` for ``name`` (``None`` resets it to the default); returns the value
    now in effect. Audited; nothing is written when the value does not change."""
    name = (name or "").strip() if isinstance(name, str) else name
    ctx.require(R.ADMIN)
    if isinstance(name, str) and name.startswith("auth."):
        ctx.require(R.USERS_ADMIN)
    name = check_name(name)
    if value is not None:
        value = check_value(name, value)
    with writing(ctx) as s:
        store(s, ctx, name, value)
    return get_setting(ctx, name)


def store(s: Session, ctx: Context, name: str, value: Any) -> None:
    """Write one checked value in the open transaction ``s`` (audited)."""
    row = s.scalar(select(Setting).where(Setting.name == name))
    old = row.val if row is not None else None
    if row is None:
        if value is None:
            return
        row = Setting(name=name, val=value)
        s.add(row)
        s.flush()
        audit.record(
            s, ctx, AuditAction.CREATE, AUDIT_KIND, row.id, {name: [None, audit.plain(value)]}
        )
    elif value is None:
        audit.record(
            s, ctx, AuditAction.DELETE, AUDIT_KIND, row.id, {name: [audit.plain(old), None]}
        )
        s.delete(row)
    elif old != value:
        row.val = value
        s.flush()
        audit.record(
            s,
            ctx,
            AuditAction.UPDATE,
            AUDIT_KIND,
            row.id,
            {name: [audit.plain(old), audit.plain(value)]},
        )
