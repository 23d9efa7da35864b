"""Users and their rights (U1–U3): create, list, passwords, lock, grant, revoke, copy.

Every function needs the right ``users.admin`` (listing too), runs in one transaction
and records what it changed in the audit log. Clear passwords are only hashed
(``services.passwords``); they never reach the database, the log or the audit. With
per-user logins switched on, the password becomes the user's own login's on the database
server instead (``db.logins``) and no hash is kept.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, false, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from qstui.db import logins
from qstui.db.models import AppUser, Department, UserRight
from qstui.domain.enums import AuditAction, Role
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.domain.text import one_line
from qstui.domain.users import LastAdmin, UserInfo
from qstui.i18n import _
from qstui.services import audit
from qstui.services import rights as R
from qstui.services.access.passwords import hash_password
from qstui.services.access.user_lookup import normalize_login
from qstui.services.context import Context

MIN_PASSWORD = 4


def create_user(
    ctx: Context,
    login: str,
    full_name: str,
    role: Role,
    password: str,
    department: str | None = None,
) -> int:
    """Create a user with the rights of ``role``; returns the new id."""
    ctx.require(R.USERS_ADMIN)
    login = normalize_login(login)
    errors: dict[str, str] = {}
    if not login or len(login) > 60 or not all(ch.isalnum() or ch in "._-" for ch in login):
        errors["login"] = _("A login is 1–60 letters, digits, dots, dashes or underscores")
    full_name = one_line(full_name) or ""
    department = one_line(department)
    if not full_name or len(full_name) > 200:
        errors["name"] = _("A name of 1–200 characters is required")
    if department and len(department) > 200:
        errors["department"] = _("A department name has at most 200 characters")
    if role not in set(Role):
        errors["role"] = _("Unknown role {role}: use one of {roles}").format(
            role=role, roles=", ".join(r.value for r in Role)
        )
    errors.update(_password_errors(password))
    if errors:
        raise ValidationFailed(errors)
    with ctx.db.transaction() as s:
        if s.scalar(select(AppUser.id).where(AppUser.login == login)) is not None:
            raise ValidationFailed({"login": _("The login {login} is taken").format(login=login)})
        department_id = None
        if department:
            dep = s.scalar(select(Department).where(Department.name == department))
            if dep is not None and not dep.is_active:
                raise ValidationFailed(
                    {
                        "department": _("The department «{name}» is deactivated").format(
                            name=dep.name
                        )
                    }
                )
            if dep is None:
                dep = Department(name=department, updated_by=ctx.user_id)
                s.add(dep)
                s.flush()
                audit.record(
                    s, ctx, AuditAction.CREATE, "department", dep.id, {"name": [None, dep.name]}
                )
            department_id = dep.id
        if logins.per_user_mode(s):
            pass_hash = logins.create_login(s, login, password)
        else:
            pass_hash = hash_password(password)
        user = AppUser(
            login=login,
            full_name=full_name,
            role=Role(role),
            department_id=department_id,
            pass_hash=pass_hash,
            updated_by=ctx.user_id,
        )
        s.add(user)
        s.flush()
        for code in sorted(R.PRESETS[Role(role)]):
            s.add(UserRight(user_id=user.id, right_code=code))
        audit.record(
            s,
            ctx,
            AuditAction.CREATE,
            "user",
            user.id,
            {
                "login": [None, login],
                "role": [None, str(role)],
                "full_name": [None, user.full_name],
            },
        )
        return user.id


# --- helpers -----------------------------------------------------------------------------


def _password_errors(password: str | None) -> dict[str, str]:
    if password is None or len(password) < MIN_PASSWORD:
        return {
            "password": _("The password must have at least {n} characters").format(n=MIN_PASSWORD)
        }
    return {}


def ordered_rights(codes: Iterable[str]) -> list[str]:
    """Right codes in catalogue order; codes the catalogue no longer knows go last."""
    wanted = set(codes)
    return [code for code in R.CATALOGUE if code in wanted] + sorted(wanted - set(R.CATALOGUE))


def _checked_rights(codes: Iterable[str]) -> list[str]:
    """The codes normalized and de-duplicated; unknown ones raise ``ValidationFailed``."""
    cleaned = list(dict.fromkeys((code or "").strip().lower() for code in codes))
    unknown = R.unknown_rights(cleaned)
    if unknown:
        raise ValidationFailed(
            {
                "rights": _("Unknown rights: {unknown} (valid: {valid})").format(
                    unknown=", ".join(unknown), valid=", ".join(R.CATALOGUE)
                )
            }
        )
    return cleaned


def _load(s: Session, login: str) -> AppUser:
    user = s.scalar(select(AppUser).where(AppUser.login == normalize_login(login)))
    if user is None:
        raise NotFound(_("User"), login)
    return user


def _rights_of(s: Session, user_id: int) -> set[str]:
    return set(s.scalars(select(UserRight.right_code).where(UserRight.user_id == user_id)))


def _info(user: AppUser, department: str | None, rights: Iterable[str]) -> UserInfo:
    return UserInfo(
        id=user.id,
        login=user.login,
        full_name=user.full_name,
        role=user.role,
        department=department,
        is_locked=bool(user.is_locked),
        locked_until=user.locked_until,
        failed_logins=user.failed_logins or 0,
        last_login_at=user.last_login_at,
        rights=tuple(ordered_rights(rights)),
    )


def _ensure_admin_remains(s: Session, user: AppUser) -> None:
    """Refuse a change that takes ``users.admin`` away from the last unlocked user holding it
    (by locking them or by removing the right). Call before making the change."""
    if user.is_locked or R.USERS_ADMIN not in _rights_of(s, user.id):
        return  # this user is not one of the administrators: nothing is lost
    others = s.scalar(
        select(AppUser.id)
        .join(UserRight, UserRight.user_id == AppUser.id)
        .where(
            UserRight.right_code == R.USERS_ADMIN,
            AppUser.is_locked == false(),
            AppUser.id != user.id,
        )
        .limit(1)
    )
    if others is None:
        raise LastAdmin(
            _(
                "{login} is the last unlocked user with the right “{right}”: "
                "give it to another user first, or nobody could administer users"
            ).format(login=user.login, right=R.USERS_ADMIN)
        )


def _touch(ctx: Context, user: AppUser) -> None:
    """Mark the user row as saved by ``ctx`` (new version: concurrent edits conflict)."""
    user.updated_by = ctx.user_id
    flag_modified(user, "updated_by")


def _replace_rights(
    s: Session,
    ctx: Context,
    user: AppUser,
    wanted: set[str],
    note: dict[str, list[object]] | None = None,
) -> list[str]:
    """Make the user's rights exactly ``wanted``; audited (with ``note`` added to the
    recorded changes). Returns the new rights."""
    current = _rights_of(s, user.id)
    if R.USERS_ADMIN in current and R.USERS_ADMIN not in wanted:
        _ensure_admin_remains(s, user)
    extra, missing = current - wanted, wanted - current
    if extra:
        s.execute(
            delete(UserRight)
            .where(UserRight.user_id == user.id, UserRight.right_code.in_(sorted(extra)))
            .execution_options(synchronize_session=False)
        )
    for code in ordered_rights(missing):
        s.add(UserRight(user_id=user.id, right_code=code))
    if extra or missing:
        _touch(ctx, user)
        s.flush()
        audit.record(
            s,
            ctx,
            AuditAction.UPDATE,
            "user",
            user.id,
            {"rights": [ordered_rights(current), ordered_rights(wanted)], **(note or {})},
        )
    return ordered_rights(wanted)


# --- reading -----------------------------------------------------------------------------


def list_users(ctx: Context) -> list[UserInfo]:
    """Every user, by login, with their rights."""
    ctx.require(R.USERS_ADMIN)
    with ctx.db.reader() as s:
        rows = s.execute(
            select(AppUser, Department.name)
            .outerjoin(Department, Department.id == AppUser.department_id)
            .order_by(AppUser.login)
        ).all()
        rights: dict[int, set[str]] = {}
        for user_id, code in s.execute(select(UserRight.user_id, UserRight.right_code)):
            rights.setdefault(user_id, set()).add(code)
        return [_info(user, dep, rights.get(user.id, ())) for user, dep in rows]


def get_user(ctx: Context, login: str) -> UserInfo:
    ctx.require(R.USERS_ADMIN)
    with ctx.db.reader() as s:
        user = _load(s, login)
        department = None
        if user.department_id is not None:
            department = s.scalar(
                select(Department.name).where(Department.id == user.department_id)
            )
        return _info(user, department, _rights_of(s, user.id))


def user_rights(ctx: Context, login: str) -> list[str]:
    """The user's right codes in catalogue order."""
    ctx.require(R.USERS_ADMIN)
    with ctx.db.reader() as s:
        return ordered_rights(_rights_of(s, _load(s, login).id))


# --- passwords and locking ---------------------------------------------------------------


def set_password(ctx: Context, login: str, password: str) -> None:
    """Give the user a new password (and a fresh count of failed logins)."""
    ctx.require(R.USERS_ADMIN)
    errors = _password_errors(password)
    if errors:
        raise ValidationFailed(errors)
    with ctx.db.transaction() as s:
        user = _load(s, login)
        if logins.per_user_mode(s):
            new_hash = logins.set_password(s, user.login, password, not user.is_locked)
        else:
            new_hash = hash_password(password)
        old = {"pass_hash": user.pass_hash, "failed_logins": user.failed_logins}
        user.pass_hash = new_hash
        user.failed_logins = 0
        _touch(ctx, user)
        s.flush()
        audit.record(
            s,
            ctx,
            AuditAction.UPDATE,
            "user",
            user.id,
            audit.changes(old, {"pass_hash": new_hash, "failed_logins": 0}),
        )


def lock_user(ctx: Context, login: str) -> None:
    """Lock the account until an administrator unlocks it."""
    ctx.require(R.USERS_ADMIN)
    with ctx.db.transaction() as s:
        user = _load(s, login)
        if user.is_locked:
            return
        if ctx.user_id is not None and user.id == ctx.user_id:
            raise LastAdmin(_("You cannot lock your own account"))
        _ensure_admin_remains(s, user)
        user.is_locked = True
        user.updated_by = ctx.user_id
        if logins.per_user_mode(s):
            logins.set_active(s, user.login, False)
        s.flush()
        audit.record(s, ctx, AuditAction.UPDATE, "user", user.id, {"is_locked": [False, True]})


def unlock_user(ctx: Context, login: str) -> None:
    """Unlock the account: clears the lock, a temporary lock-out and the failed logins."""
    ctx.require(R.USERS_ADMIN)
    with ctx.db.transaction() as s:
        user = _load(s, login)
        old = {
            "is_locked": bool(user.is_locked),
            "locked_until": user.locked_until,
            "failed_logins": user.failed_logins,
        }
        new = {"is_locked": False, "locked_until": None, "failed_logins": 0}
        diff = audit.changes(old, new)
        if not diff:
            return
        user.is_locked = False
        user.locked_until = None
        user.failed_logins = 0
        user.updated_by = ctx.user_id
        if logins.per_user_mode(s):
            logins.set_active(s, user.login, True)
        s.flush()
        audit.record(s, ctx, AuditAction.UPDATE, "user", user.id, diff)


# --- rights ------------------------------------------------------------------------------


def grant(ctx: Context, login: str, *rights: str) -> list[str]:
    """Add rights to the user; returns the user's rights afterwards."""
    ctx.require(R.USERS_ADMIN)
    codes = _checked_rights(rights)
    with ctx.db.transaction() as s:
        user = _load(s, login)
        return _replace_rights(s, ctx, user, _rights_of(s, user.id) | set(codes))


def revoke(ctx: Context, login: str, *rights: str) -> list[str]:
    """Take rights from the user; returns the user's rights afterwards."""
    ctx.require(R.USERS_ADMIN)
    codes = _checked_rights(rights)
    with ctx.db.transaction() as s:
        user = _load(s, login)
        return _replace_rights(s, ctx, user, _rights_of(s, user.id) - set(codes))


def set_rights(ctx: Context, login: str, rights: Iterable[str]) -> list[str]:
    """Make the user's rights exactly ``rights`` (the rights editor); returns them."""
    ctx.require(R.USERS_ADMIN)
    codes = _checked_rights(rights)
    with ctx.db.transaction() as s:
        return _replace_rights(s, ctx, _load(s, login), set(codes))


def copy_rights(ctx: Context, from_login: str, to_login: str) -> list[str]:
    """U3: afterwards ``to_login`` has exactly the rights of ``from_login`` (missing ones
    added, extra ones removed); returns them."""
    ctx.require(R.USERS_ADMIN)
    with ctx.db.transaction() as s:
        source = _load(s, from_login)
        target = _load(s, to_login)
        return _replace_rights(
            s, ctx, target, _rights_of(s, source.id), {"copied_from": [None, source.login]}
        )
