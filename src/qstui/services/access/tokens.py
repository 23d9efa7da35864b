"""Personal tokens of the CLI: proof of who acts, once the password was checked.

``qstui login`` checks the user's password (``auth.login``) and asks this module for a
token (``issue``); the CLI keeps its secret in a private file of the OS user and
presents it instead of the password (``context_by_token``). The database keeps only
the SHA-256 of the secret (32 random bytes: a hash that cannot be guessed back needs no
salt or slow hashing), with the user, when it was made, last used and expires, and the
OS user and host it was made on.

- A token is valid until it expires (``auth.token_days`` after it was made, default
  30) or is revoked; a locked user (by an administrator, or for failed logins) is
  refused whatever tokens they hold.
- Listing and revoking: an administrator of users (``users.admin``) any user's tokens;
  anyone else their own only. Whoever holds a token's secret may revoke that token
  (``revoke_presented``: ``qstui logout``), even a locked user.
- Making and revoking tokens is written to the audit log (kind ``token``), without the
  secret or its hash.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from qstui.db.engine import Database
from qstui.db.errors import is_conflict
from qstui.db.models import AppUser, UserToken
from qstui.domain.clock import utcnow
from qstui.domain.enums import AuditAction
from qstui.domain.errors import AccessDenied, AccountLocked, NotFound, ServiceError
from qstui.domain.tokens import IssuedToken, TokenInfo, TokenRefused
from qstui.i18n import _
from qstui.services import audit
from qstui.services import rights as R
from qstui.services.access import settings
from qstui.services.access.user_lookup import LOGIN_MAX, normalize_login
from qstui.services.context import Context, user_context

AUDIT_KIND = "token"
SECRET_BYTES = 32
# ``last_used_at`` is written at most this often: scripts that run many commands at
# once do not queue up on the token's row
USE_STAMP_EVERY = timedelta(minutes=1)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def issue(ctx: Context, now: datetime | None = None) -> IssuedToken:
    """A new token of ``ctx``'s user, who has just proved who they are (a context from
    ``auth.login``); valid for ``auth.token_days``."""
    if ctx.is_system:
        raise ServiceError(_("Only a user can have a personal token, not the administrator"))
    now = now or utcnow()
    days = int(settings.get_setting(ctx.db, settings.AUTH_TOKEN_DAYS))
    secret = secrets.token_urlsafe(SECRET_BYTES)
    with ctx.db.transaction() as s:
        token = UserToken(
            user_id=ctx.user_id,
            token_hash=secret_hash(secret),
            created_at=now,
            expires_at=now + timedelta(days=days),
            os_user=ctx.os_user,
            os_host=ctx.os_host,
        )
        s.add(token)
        s.flush()
        audit.record(
            s,
            ctx,
            AuditAction.CREATE,
            AUDIT_KIND,
            token.id,
            {"user": [None, ctx.login], "expires_at": [None, audit.plain(token.expires_at)]},
        )
        return IssuedToken(token.id, ctx.login, secret, token.expires_at)


def context_by_token(db: Database, login: str, secret: str, now: datetime | None = None) -> Context:
    """The context of ``login`` proved by the token ``secret``: ``TokenRefused`` when
    the token is unknown (revoked), another user's or expired; ``AccountLocked`` when
    the user is locked."""
    now = now or utcnow()
    key = normalize_login(login)
    if not key or len(key) > LOGIN_MAX or not isinstance(secret, str):
        raise TokenRefused(login)
    with db.reader() as s:
        found = s.execute(
            select(UserToken, AppUser)
            .join(AppUser, AppUser.id == UserToken.user_id)
            .where(UserToken.token_hash == secret_hash(secret))
        ).first()
        if found is None or found[1].login != key:
            raise TokenRefused(key)
        token, user = found
        if token.expires_at <= now:
            raise TokenRefused(key, token.expires_at)
        if user.is_locked:
            raise AccountLocked(None)
        if user.locked_until is not None and user.locked_until > now:
            raise AccountLocked(user.locked_until)
        ctx = user_context(s, db, user)
        token_id, stamped = token.id, token.last_used_at
    if stamped is None or stamped <= now - USE_STAMP_EVERY:
        _stamp_use(db, token_id, now)
    return ctx


def _stamp_use(db: Database, token_id: int, now: datetime) -> None:
    """Note when the token was last used. Bookkeeping only: when another command using
    the same token writes it at the same moment, that one's stamp is as good."""
    try:
        with db.transaction() as s:
            s.execute(
                update(UserToken)
                .where(
                    UserToken.id == token_id,
                    or_(
                        UserToken.last_used_at.is_(None),
                        UserToken.last_used_at <= now - USE_STAMP_EVERY,
                    ),
                )
                .values(last_used_at=now)
                .execution_options(synchronize_session=False)
            )
    except Exception as exc:
        if not is_conflict(exc):
            raise


def _may_manage(ctx: Context, user_id: int) -> None:
    if ctx.user_id != user_id and not (ctx.is_system or ctx.has(R.USERS_ADMIN)):
        raise AccessDenied(R.USERS_ADMIN)


def _user_id(s: Session, login: str) -> int:
    key = normalize_login(login)
    found = None
    if key and len(key) <= LOGIN_MAX:
        found = s.scalar(select(AppUser.id).where(AppUser.login == key))
    if found is None:
        raise NotFound(_("User"), login)
    return int(found)


def list_tokens(
    ctx: Context, login: str | None = None, now: datetime | None = None
) -> list[TokenInfo]:
    """The tokens of ``login`` (default: an administrator sees everyone's, a user their
    own), oldest first."""
    now = now or utcnow()
    query = (
        select(UserToken, AppUser.login)
        .join(AppUser, AppUser.id == UserToken.user_id)
        .order_by(UserToken.created_at, UserToken.id)
    )
    with ctx.db.reader() as s:
        if login is not None:
            user_id = _user_id(s, login)
            _may_manage(ctx, user_id)
            query = query.where(UserToken.user_id == user_id)
        elif not (ctx.is_system or ctx.has(R.USERS_ADMIN)):
            query = query.where(UserToken.user_id == ctx.user_id)
        return [
            TokenInfo(
                id=token.id,
                login=owner,
                created_at=token.created_at,
                last_used_at=token.last_used_at,
                expires_at=token.expires_at,
                os_user=token.os_user,
                os_host=token.os_host,
                expired=token.expires_at <= now,
            )
            for token, owner in s.execute(query)
        ]


def revoke(ctx: Context, login: str, token_id: int | None = None) -> int:
    """Revoke the token ``token_id`` of ``login`` (NotFound when ``login`` has no such
    token), or every token of ``login`` when ``token_id`` is None; returns how many."""
    with ctx.db.transaction() as s:
        user_id = _user_id(s, login)
        _may_manage(ctx, user_id)
        which = UserToken.user_id == user_id
        if token_id is not None:
            which = which & (UserToken.id == token_id)
        ids = list(s.scalars(select(UserToken.id).where(which).order_by(UserToken.id)))
        if token_id is not None and not ids:
            raise NotFound(_("Token"), token_id)
        s.execute(delete(UserToken).where(which).execution_options(synchronize_session=False))
        _audit_revoked(s, ctx, ids, normalize_login(login))
        return len(ids)


def revoke_presented(
    db: Database, secret: str, os_user: str | None = None, os_host: str | None = None
) -> bool:
    """Revoke the token whose secret is presented (``qstui logout``): holding it is
    proof enough. False when no such token exists (already revoked). ``os_user`` and
    ``os_host`` (where the CLI runs) go to the audit log."""
    with db.transaction() as s:
        found = s.execute(
            select(UserToken.id, AppUser)
            .join(AppUser, AppUser.id == UserToken.user_id)
            .where(UserToken.token_hash == secret_hash(secret))
        ).first()
        if found is None:
            return False
        token_id, user = found
        ctx = replace(user_context(s, db, user), os_user=os_user, os_host=os_host)
        s.execute(
            delete(UserToken)
            .where(UserToken.id == token_id)
            .execution_options(synchronize_session=False)
        )
        _audit_revoked(s, ctx, [token_id], user.login)
        return True


def _audit_revoked(s: Session, ctx: Context, ids: list[int], login: str) -> None:
    for token_id in ids:
        audit.record(s, ctx, AuditAction.DELETE, AUDIT_KIND, token_id, {"user": [login, None]})
