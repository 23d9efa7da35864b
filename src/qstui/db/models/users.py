"""Users, departments, roles and rights (U1–U3), per-user settings and saved filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qstui.db.models.base import Base, Editable, IdMixin
from qstui.db.types import EnumText, JSONText
from qstui.domain.clock import utcnow
from qstui.domain.enums import Role


class Department(Base, Editable):
    __tablename__ = "departments"

    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    head_id: Mapped[int | None] = mapped_column(Integer)  # the user who leads it
    is_active: Mapped[bool] = mapped_column(nullable=False, default=True, server_default=true())


class AppUser(Base, Editable):
    __tablename__ = "users"

    login: Mapped[str] = mapped_column(String(60), nullable=False, unique=True)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[Role] = mapped_column(EnumText(Role), nullable=False, default=Role.MANAGER)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    pass_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    is_locked: Mapped[bool] = mapped_column(nullable=False, default=False)
    locked_until: Mapped[datetime | None] = mapped_column()
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_login_at: Mapped[datetime | None] = mapped_column()
    idle_days: Mapped[int] = mapped_column(Integer, nullable=False, default=30)  # C8
    lang: Mapped[str | None] = mapped_column(String(5))

    department: Mapped[Department | None] = relationship(lazy="raise")
    rights: Mapped[list[UserRight]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="raise"
    )


class RoleRight(Base):
    """The rights a role starts from (the presets ``manager``, ``head``, ``admin``)."""

    __tablename__ = "role_rights"

    role: Mapped[Role] = mapped_column(EnumText(Role), primary_key=True)
    right_code: Mapped[str] = mapped_column(String(40), primary_key=True)


class UserRight(Base):
    """One right of one user; a user's rights are exactly these rows (U2)."""

    __tablename__ = "user_rights"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    right_code: Mapped[str] = mapped_column(String(40), primary_key=True)

    user: Mapped[AppUser] = relationship(back_populates="rights", lazy="raise")


class UserToken(Base, IdMixin):
    """A personal token of the CLI (``qstui login``): whoever presents its secret acts
    as the user until it expires or is revoked. Only the SHA-256 of the secret is kept;
    the OS user and host it was made on tell the user's tokens apart."""

    __tablename__ = "user_tokens"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(nullable=False)
    os_user: Mapped[str | None] = mapped_column(String(100))
    os_host: Mapped[str | None] = mapped_column(String(255))


class SavedFilter(Base, Editable):
    """A named filter of a list screen, per user (C1)."""

    __tablename__ = "saved_filters"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    screen: Mapped[str] = mapped_column(String(40), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    definition: Mapped[Any] = mapped_column(JSONText(4000), nullable=False)


class LoginDelay(Base, IdMixin):
    """How long an administrator's next login from one source waits (U1): the failures
    in a row from that source and the moment the next attempt may be checked. Rows of
    administrators only; a successful login from the source deletes its row."""

    __tablename__ = "login_delays"
    __table_args__ = (UniqueConstraint("user_id", "source"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(100), nullable=False)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_at: Mapped[datetime] = mapped_column(nullable=False)


class Setting(Base, IdMixin):
    """Application-wide settings (``name`` → JSON value), e.g. lockout policy."""

    __tablename__ = "settings"

    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    val: Mapped[Any] = mapped_column(JSONText(4000), nullable=True)
