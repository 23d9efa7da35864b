"""Test data for the deals tests: users made with the users service, companies,
contacts and products written directly with the ORM (the clients service is separate)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from qstui.db.engine import Database
from qstui.db.models import (
    AuditEntry,
    Company,
    Contact,
    Email,
    Phone,
    Pipeline,
    Product,
    Stage,
    Unit,
)
from qstui.domain.enums import Role
from qstui.domain.normalize import company_name, email_key, fold, phone_digits
from qstui.services import rights as R
from qstui.services.access.users import create_user, revoke
from qstui.services.context import Context, context_for

PASSWORD = "Test-Пароль-1"


@dataclass
class Team:
    """Sales: the head ``head`` and the managers ``anna``, ``boris``; Support: ``vera``
    (a manager of another department)."""

    system: Context
    anna: Context
    boris: Context
    vera: Context
    head: Context

    def id(self, who: str) -> int:
        user_id = getattr(self, who).user_id
        assert user_id is not None
        return user_id

    def refresh(self, db: Database, who: str) -> Context:
        ctx = context_for(db, who)
        setattr(self, who, ctx)
        return ctx


def make_team(db: Database) -> Team:
    system = Context.system(db)
    for login, role, department, name in (
        ("anna", Role.MANAGER, "Продажи", "Анна Иванова"),
        ("boris", Role.MANAGER, "Продажи", "Борис Петров"),
        ("vera", Role.MANAGER, "Поддержка", "Вера Сидорова"),
        ("head", Role.HEAD, "Продажи", "Глеб Начальников"),
    ):
        create_user(system, login, name, role, PASSWORD, department)
    return Team(
        system=system,
        anna=context_for(db, "anna"),
        boris=context_for(db, "boris"),
        vera=context_for(db, "vera"),
        head=context_for(db, "head"),
    )


def without_right(db: Database, login: str, right: str) -> Context:
    revoke(Context.system(db), login, right)
    return context_for(db, login)


def add(db: Database, obj: Any) -> int:
    with db.transaction() as s:
        s.add(obj)
        s.flush()
        return obj.id


def company(
    db: Database,
    name: str,
    manager_id: int | None,
    *,
    full_name: str | None = None,
    inn: str | None = None,
    kpp: str | None = None,
    address: str | None = None,
) -> int:
    return add(
        db,
        Company(
            name=name,
            name_fold=fold(name),
            name_key=company_name(name),
            full_name=full_name,
            inn=inn,
            kpp=kpp,
            legal_address=address,
            manager_id=manager_id,
        ),
    )


def contact(
    db: Database,
    company_id: int,
    last_name: str,
    first_name: str | None = None,
    *,
    job_title: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> int:
    contact_id = add(
        db,
        Contact(
            company_id=company_id,
            last_name=last_name,
            first_name=first_name,
            job_title=job_title,
            name_fold=fold(f"{last_name} {first_name or ''}"),
        ),
    )
    if phone:
        add(
            db,
            Phone(
                company_id=company_id,
                contact_id=contact_id,
                number=phone,
                digits=phone_digits(phone),
            ),
        )
    if email:
        add(
            db,
            Email(
                company_id=company_id,
                contact_id=contact_id,
                address=email,
                address_key=email_key(email),
            ),
        )
    return contact_id


def product(
    db: Database,
    name: str,
    price: str = "100.00",
    *,
    vat: str = "20",
    currency: str = "RUB",
    unit: str | None = "796",
    active: bool = True,
) -> int:
    with db.transaction() as s:
        unit_id = s.scalar(select(Unit.id).where(Unit.okei_code == unit)) if unit else None
        item = Product(
            name=name,
            name_fold=fold(name),
            price=Decimal(price),
            vat_pct=Decimal(vat),
            currency_code=currency,
            unit_id=unit_id,
            is_active=active,
        )
        s.add(item)
        s.flush()
        return item.id


def default_pipeline(db: Database) -> tuple[int, list[int]]:
    """The default pipeline's id and its active stage ids in order."""
    with db.reader() as s:
        pipeline_id = s.scalar(
            select(Pipeline.id).where(Pipeline.is_default.is_(True)).order_by(Pipeline.id)
        )
        stages = list(
            s.scalars(
                select(Stage.id)
                .where(Stage.pipeline_id == pipeline_id, Stage.is_active.is_(True))
                .order_by(Stage.sort_no)
            )
        )
    assert pipeline_id is not None and stages
    return pipeline_id, stages


def count(db: Database, model: Any, *where: Any) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def audit_count(db: Database) -> int:
    return count(db, AuditEntry)


def row(db: Database, model: Any, ident: int) -> Any:
    """The row as a detached object (values kept after the session closes)."""
    with db.reader() as s:
        obj = s.get(model, ident)
        assert obj is not None
        s.expunge(obj)
        return obj


__all__ = ["R"]
