"""Users and their rights (U1–U3): create, list, passwords, lock, grant, revoke, copy."""

from __future__ import annotations

from sqlalchemy import select

from qstui.db.models import AppUser, Department, UserRight
from qstui.domain.enums import AuditAction, Role
from qstui.domain.errors import ValidationFailed
from qstui.i18n import _
from qstui.services import audit
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.passwords import hash_password

MIN_PASSWORD = 4


def normalize_login(login: str) -> str:
    return (login or "").strip().lower()


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
    if not full_name.strip() or len(full_name) > 200:
        errors["name"] = _("A name of 1–200 characters is required")
    if len(password) < MIN_PASSWORD:
        errors["password"] = _("The password must have at least {n} characters").format(
            n=MIN_PASSWORD
        )
    if errors:
        raise ValidationFailed(errors)
    with ctx.db.transaction() as s:
        if s.scalar(select(AppUser.id).where(AppUser.login == login)) is not None:
            raise ValidationFailed({"login": _("The login {login} is taken").format(login=login)})
        department_id = None
        if department:
            dep = s.scalar(select(Department).where(Department.name == department.strip()))
            if dep is None:
                dep = Department(name=department.strip(), updated_by=ctx.user_id)
                s.add(dep)
                s.flush()
                audit.record(
                    s, ctx, AuditAction.CREATE, "department", dep.id, {"name": [None, dep.name]}
                )
            department_id = dep.id
        user = AppUser(
            login=login,
            full_name=full_name.strip(),
            role=Role(role),
            department_id=department_id,
            pass_hash=hash_password(password),
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
