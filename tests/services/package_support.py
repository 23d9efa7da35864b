"""Packages for the mail tests: one package with a binary attachment, clients with
contacts that have e-mails, the SMTP settings of a loopback server."""

from __future__ import annotations

from tests.services.client_support import Team, company
from tests.smtp_server import USER

from qstui.db.engine import Database
from qstui.db.models import Material, Package, PackageMaterial
from qstui.domain.clients import ContactInput
from qstui.services.clients import contacts as CT
from qstui.services.context import Context
from qstui.services.mailing import server as M

ATTACHMENT = bytes(range(256)) * 40 + "Прайс".encode()  # binary, with every byte value
BODY = "Здравствуйте, {контакт}!\nДля {компания} от {менеджер}, {дата}. {другое}"


def configure(team: Team, port: int) -> None:
    M.configure(team.system, "127.0.0.1", port, "none", USER, "sales@example.test", 0)


def make_package(db: Database) -> int:
    with db.transaction() as s:
        package = Package(name="Прайс 2026", subject="Прайс для {компания}", body=BODY)
        material = Material(
            title="Прайс",
            file_name="прайс.bin",
            mime_type="application/octet-stream",
            size_bytes=len(ATTACHMENT),
            content=ATTACHMENT,
        )
        s.add_all([package, material])
        s.flush()
        s.add(PackageMaterial(package_id=package.id, material_id=material.id, sort_no=1))
        return package.id


def clients(ctx: Context, companies: int, per_company: int) -> list[int]:
    ids = []
    for c in range(companies):
        company_id = company(ctx, f"ООО Клиент {c:02d}")
        for k in range(per_company):
            CT.add_contact(
                ctx,
                company_id,
                ContactInput(last_name=f"Фамилия{k}", first_name="Анна", middle_name=f"К{k}"),
                emails=[f"c{c}k{k}@example.test"],
            )
        ids.append(company_id)
    return ids
