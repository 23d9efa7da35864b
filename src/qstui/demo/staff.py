"""Departments and the demo users (password ``demo``), created through the services."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from qstui.db.engine import Database
from qstui.db.models import AppUser, Department
from qstui.demo.world import Staff
from qstui.domain.enums import Role
from qstui.services.access.users import create_user
from qstui.services.context import Context

PASSWORD = "demo"
SALES = "Отдел продаж"
REGIONAL = "Региональные продажи"
# login, full name, role, department
USERS = (
    ("admin", "Администратор системы", Role.ADMIN, None),
    ("head", "Кузнецова Ольга Викторовна", Role.HEAD, SALES),
    ("ivanov", "Иванов Иван Петрович", Role.MANAGER, SALES),
    ("petrova", "Петрова Анна Сергеевна", Role.MANAGER, SALES),
    ("sidorov", "Сидоров Алексей Николаевич", Role.MANAGER, REGIONAL),
)
LOGINS = tuple(login for login, *_rest in USERS)


def ensure_staff(db: Database, created_at: datetime) -> Staff:
    """The two departments and five users; existing ones (by name/login) are kept."""
    with db.transaction() as s:
        for name in (SALES, REGIONAL):
            if s.scalar(select(Department.id).where(Department.name == name)) is None:
                s.add(Department(name=name, created_at=created_at, updated_at=created_at))
    ctx = Context.system(db)
    for login, full_name, role, department in USERS:
        with db.reader() as s:
            exists = s.scalar(select(AppUser.id).where(AppUser.login == login))
        if exists is None:
            create_user(ctx, login, full_name, role, PASSWORD, department=department)
    with db.transaction() as s:
        ids = dict(
            s.execute(select(AppUser.login, AppUser.id).where(AppUser.login.in_(LOGINS))).all()
        )
        depts = dict(
            s.execute(
                select(Department.name, Department.id).where(Department.name.in_((SALES, REGIONAL)))
            ).all()
        )
        s.execute(
            update(Department)
            .where(Department.id == depts[SALES], Department.head_id.is_(None))
            .values(head_id=ids["head"], version=Department.version + 1)
        )
    return Staff(ids=ids, sales_dept=depts[SALES], regional_dept=depts[REGIONAL])
