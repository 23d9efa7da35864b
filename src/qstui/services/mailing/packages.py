"""Reading packages and their materials (P1): the list and one package in full.
Writing them is ``package_edit`` and ``materials``.

Rights: the module right ``R.PACKAGES``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qstui.db.models import Material, Package, PackageMaterial, Sending
from qstui.domain.errors import NotFound
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context


@dataclass(frozen=True)
class MaterialInfo:
    id: int
    title: str
    file_name: str
    mime_type: str
    size_bytes: int
    version: int


@dataclass(frozen=True)
class PackageInfo:
    id: int
    name: str
    subject: str
    is_active: bool
    materials: int


@dataclass(frozen=True)
class PackageDetail:
    id: int
    name: str
    subject: str
    body: str
    is_active: bool
    materials: tuple[MaterialInfo, ...]
    version: int
    sendings: int  # its letters recorded, sent or failed: a package with any is not deleted


def list_packages(ctx: Context) -> list[PackageInfo]:
    ctx.require(R.PACKAGES)
    counts = (
        select(PackageMaterial.package_id, func.count().label("n"))
        .group_by(PackageMaterial.package_id)
        .subquery()
    )
    with ctx.db.reader() as s:
        rows = s.execute(
            select(Package.id, Package.name, Package.subject, Package.is_active, counts.c.n)
            .outerjoin(counts, counts.c.package_id == Package.id)
            .order_by(Package.name, Package.id)
        ).all()
    return [PackageInfo(i, n, sub, bool(a), int(c or 0)) for i, n, sub, a, c in rows]


def find_package(s: Session, package: int | str) -> Package:
    """The package ``package`` (an id or a name), else NotFound; no rights checked."""
    where = Package.id == package if isinstance(package, int) else Package.name == package
    row = s.scalar(select(Package).where(where))
    if row is None:
        raise NotFound(_("Package"), package)
    return row


def get_package(ctx: Context, package: int | str) -> PackageDetail:
    """A package by id or name, with its materials in their order."""
    ctx.require(R.PACKAGES)
    with ctx.db.reader() as s:
        row = find_package(s, package)
        materials = s.execute(
            select(
                Material.id,
                Material.title,
                Material.file_name,
                Material.mime_type,
                Material.size_bytes,
                Material.version,
            )
            .join(PackageMaterial, PackageMaterial.material_id == Material.id)
            .where(PackageMaterial.package_id == row.id)
            .order_by(PackageMaterial.sort_no, Material.id)
        ).all()
        sendings = s.scalar(select(func.count(Sending.id)).where(Sending.package_id == row.id))
        return PackageDetail(
            row.id,
            row.name,
            row.subject,
            row.body or "",
            bool(row.is_active),
            tuple(MaterialInfo(*m) for m in materials),
            row.version,
            int(sendings or 0),
        )
