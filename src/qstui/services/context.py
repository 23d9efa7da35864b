"""``Context``: who is acting (user, effective rights, department) and on which database.

Every service function takes a Context first, checks the right it needs and filters its
queries by the user's visibility (ARCHITECTURE rule 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.engine import Database
from qstui.db.models import AppUser, UserRight
from qstui.domain.enums import Role
from qstui.domain.errors import AccessDenied, NotFound
from qstui.i18n import _
from qstui.services import rights as R


@dataclass(frozen=True)
class Context:
    db: Database
    user_id: int | None
    login: str
    full_name: str
    role: Role
    rights: frozenset[str] = field(default_factory=frozenset)
    department_id: int | None = None
    # Where the acting program runs, for the audit log: the OS account and the computer
    # (the CLI sets them; None in the TUI)
    os_user: str | None = None
    os_host: str | None = None
    lang: str | None = None  # the interface language the user chose (None: not chosen)

    @classmethod
    def system(cls, db: Database) -> Context:
        """The administrator context of the admin CLI: every right, acting as nobody."""
        return cls(db, None, "system", _("system"), Role.ADMIN, frozenset(R.CATALOGUE))

    @property
    def is_system(self) -> bool:
        return self.user_id is None

    def has(self, right: str) -> bool:
        return right in self.rights

    def require(self, *rights: str) -> None:
        for right in rights:
            if right not in self.rights:
                raise AccessDenied(right)


def context_for(db: Database, login: str) -> Context:
    """The context of an existing user by login, with no proof of who is asking: for
    code that already knows (tests, benchmarks). The CLI's ``--as`` proves the user
    first (``services.access.auth.login`` or ``services.access.tokens``)."""
    with db.reader() as s:
        user = s.scalar(select(AppUser).where(AppUser.login == login.strip().lower()))
        if user is None:
            raise NotFound(_("User"), login)
        return user_context(s, db, user)


def user_context(s: Session, db: Database, user: AppUser) -> Context:
    """The context of ``user`` (a row of ``s``) with the rights ``s`` reads."""
    codes = s.scalars(select(UserRight.right_code).where(UserRight.user_id == user.id)).all()
    return Context(
        db=db,
        user_id=user.id,
        login=user.login,
        full_name=user.full_name,
        role=user.role,
        rights=frozenset(codes),
        department_id=user.department_id,
        lang=user.lang,
    )
