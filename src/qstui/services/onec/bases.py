"""Bases of 1C (E1): add, list, remove, and test what a base publishes.

``onec_bases.secret`` is never written: the password of the 1C user lives in the
environment or the admin's config file (``qstui.onec.secrets``), so whoever reads the
shared database cannot log in to 1C.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select

from qstui.db.models import OnecBase
from qstui.domain.enums import AuditAction
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.domain.onec import BaseCheck, OnecBaseInfo, PublishedObject
from qstui.i18n import _
from qstui.onec import mapping as M
from qstui.onec.errors import OnecError
from qstui.onec.odata import ODataClient
from qstui.onec.secrets import Secrets, env_name
from qstui.services import audit
from qstui.services import rights as R
from qstui.services.context import Context

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_URL = re.compile(r"^https?://[^/\s]+(/\S*)?$")


class PasswordMissing(OnecError):
    def __init__(self, name: str) -> None:
        super().__init__(
            _(
                "No password of the 1C user of base {name}: set {env}, or run “qstui onec "
                "base add {name} … --password-stdin” as the administrator"
            ).format(name=name, env=env_name(name))
        )


def _check(name: str, url: str, config_kind: str, login: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not _NAME.match(name):
        errors["name"] = _(
            "A base name is 1–40 Latin letters, digits, dashes or underscores (it names "
            "the environment variable of its password)"
        )
    if "@" in urlsplit(url).netloc:
        errors["url"] = _(
            "The URL must not hold a user or password: give the user with --user and the "
            "password with --password-stdin"
        )
    elif not _URL.match(url) or len(url) > 500:
        errors["url"] = _(
            "The URL of a 1C base is http(s)://host/base/odata/standard.odata/ (at most 500 "
            "characters)"
        )
    if config_kind not in M.CONFIG_KINDS:
        errors["config"] = _("Unknown configuration {config}: use one of {all}").format(
            config=config_kind, all=", ".join(M.CONFIG_KINDS)
        )
    if not login.strip() or len(login) > 100:
        errors["user"] = _("The 1C user is 1–100 characters")
    return errors


def add_base(ctx: Context, name: str, url: str, config_kind: str, login: str) -> int:
    """Register a 1C base; its password is kept elsewhere (``onec.secrets``)."""
    ctx.require(R.ADMIN)
    name, url, login = name.strip(), url.strip(), login.strip()
    errors = _check(name, url, config_kind, login)
    if errors:
        raise ValidationFailed(errors)
    if not url.endswith("/"):
        url += "/"
    with ctx.db.transaction() as s:
        if s.scalar(select(OnecBase.id).where(OnecBase.name == name)) is not None:
            raise ValidationFailed({"name": _("The base {name} exists").format(name=name)})
        base = OnecBase(
            name=name,
            base_url=url,
            login=login,
            secret=None,
            config_kind=config_kind,
            is_active=True,
            updated_by=ctx.user_id,
        )
        s.add(base)
        s.flush()
        audit.record(
            s,
            ctx,
            AuditAction.CREATE,
            "onec_base",
            base.id,
            {"name": [None, name], "url": [None, url], "config": [None, config_kind]},
        )
        return base.id


def _info(base: OnecBase, secrets: Secrets | None) -> OnecBaseInfo:
    return OnecBaseInfo(
        id=base.id,
        name=base.name,
        url=base.base_url,
        config_kind=base.config_kind,
        login=base.login or "",
        is_active=base.is_active,
        last_sync_at=base.last_sync_at,
        password_source=secrets.source(base.name) if secrets is not None else None,
    )


def list_bases(ctx: Context, secrets: Secrets | None = None) -> list[OnecBaseInfo]:
    ctx.require(R.ADMIN)
    with ctx.db.reader() as s:
        return [_info(b, secrets) for b in s.scalars(select(OnecBase).order_by(OnecBase.name))]


def get_base(ctx: Context, name: str, secrets: Secrets | None = None) -> OnecBaseInfo:
    ctx.require(R.ADMIN)
    return _find(ctx, name, secrets)


def exchange_base(ctx: Context, name: str, secrets: Secrets | None = None) -> OnecBaseInfo:
    """A base to exchange with: needs ``onec.exchange``, not ``admin`` (nor the password:
    ``connect`` reads it where the admin put it)."""
    ctx.require(R.ONEC_EXCHANGE)
    return _find(ctx, name, secrets)


def exchange_bases(ctx: Context) -> list[str]:
    """The names of the active bases, for whoever may run the exchange."""
    ctx.require(R.ONEC_EXCHANGE)
    with ctx.db.reader() as s:
        return list(
            s.scalars(select(OnecBase.name).where(OnecBase.is_active).order_by(OnecBase.name))
        )


def _find(ctx: Context, name: str, secrets: Secrets | None) -> OnecBaseInfo:
    with ctx.db.reader() as s:
        base = s.scalar(select(OnecBase).where(OnecBase.name == name.strip()))
        if base is None:
            raise NotFound(_("1C base"), name)
        return _info(base, secrets)


def remove_base(ctx: Context, name: str) -> None:
    """Forget a base and its links (their rows in qstui stay)."""
    ctx.require(R.ADMIN)
    with ctx.db.transaction() as s:
        base = s.scalar(select(OnecBase).where(OnecBase.name == name.strip()))
        if base is None:
            raise NotFound(_("1C base"), name)
        audit.record(s, ctx, AuditAction.DELETE, "onec_base", base.id, {"name": [base.name, None]})
        s.delete(base)


def connect(
    info: OnecBaseInfo, secrets: Secrets, transport: httpx.BaseTransport | None = None
) -> ODataClient:
    password = secrets.password(info.name)
    if password is None:
        raise PasswordMissing(info.name)
    return ODataClient(info.url, info.login, password, transport=transport)


def check_base(
    ctx: Context,
    name: str,
    secrets: Secrets,
    client_factory: Callable[[OnecBaseInfo, Secrets], ODataClient] = connect,
) -> BaseCheck:
    """Read the base's ``$metadata``: which objects qstui needs are published."""
    info = get_base(ctx, name, secrets)
    with client_factory(info, secrets) as client:
        published = client.metadata().entity_sets
    objects = M.objects_of(info.config_kind)
    found = tuple(
        PublishedObject(role, objects[role].entity_set, objects[role].entity_set in published)
        for role in M.NEEDED_ROLES
        if role in objects
    )
    return BaseCheck(info.name, info.url, info.config_kind, found, M.PUBLISH_MENU_PATH)
