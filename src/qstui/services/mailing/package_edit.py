"""Creating, changing and deleting packages (P1): name, subject, text, active or not.
Their attachments are ``materials``.

Rights: the module right ``R.PACKAGES`` and ``R.EDIT``; deleting needs ``R.DELETE``
too, as deleting a client or a deal does. A package is shared by the whole team; its
name is unique (case aside). The subject and the text may hold only the placeholders
``sending.fill`` fills. A package with letters recorded (``sendings``) is never deleted
— the clients' history names it: it is deactivated instead, and an inactive package is
not sent. Every change is audited and saved against the version the editor started
from (rule 8)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qstui.db.models import Material, Package, PackageMaterial, Sending
from qstui.domain.errors import ServiceError, ValidationFailed
from qstui.domain.text import multi_line, one_line, required, too_long
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.mailing.sending import PLACEHOLDERS, unknown_placeholders
from qstui.services.persist import (
    apply_changes,
    load_for_update,
    record_create,
    record_delete,
    writing,
)

KIND = "package"
MATERIAL_KIND = "material"
NAME_MAX = 150  # packages.name
SUBJECT_MAX = 250  # packages.subject
BODY_MAX = 8000  # packages.body
EDITABLE = frozenset({"name", "subject", "body", "is_active"})


def _what() -> str:
    return _("Package")


class PackageInUse(ServiceError):
    """A package that has been sent: the clients' history names it, so it stays."""

    def __init__(self, name: str, sendings: int) -> None:
        super().__init__(
            _(
                "The package «{name}» cannot be deleted: it has been sent ({n} letters "
                "in the clients' history). Deactivate it instead: it will no longer be "
                "offered for sending."
            ).format(name=name, n=sendings)
        )


def placeholder_error(text: str) -> str | None:
    """The message of a subject or text with a placeholder ``fill`` does not know."""
    unknown = unknown_placeholders(text)
    if not unknown:
        return None
    return _("Unknown placeholder {found}: use {known}").format(
        found=", ".join(unknown), known=", ".join(PLACEHOLDERS)
    )


def _validate(s: Session, changes: dict[str, Any], package_id: int | None) -> dict[str, Any]:
    """Column values of the fields in ``changes``; one ValidationFailed for all bad ones."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if "name" in changes:
        name = one_line(changes["name"])
        if not name:
            errors["name"] = required()
        elif len(name) > NAME_MAX:
            errors["name"] = too_long(NAME_MAX)
        elif name.isdigit():
            errors["name"] = _("A name of digits only would read as a package number")
        elif _name_taken(s, name, package_id):
            errors["name"] = _("A package «{name}» already exists").format(name=name)
        values["name"] = name
    if "subject" in changes:
        subject = one_line(changes["subject"])
        if not subject:
            errors["subject"] = required()
        elif len(subject) > SUBJECT_MAX:
            errors["subject"] = too_long(SUBJECT_MAX)
        elif (message := placeholder_error(subject)) is not None:
            errors["subject"] = message
        values["subject"] = subject
    if "body" in changes:
        body = multi_line(changes["body"])
        if body is not None and len(body) > BODY_MAX:
            errors["body"] = too_long(BODY_MAX)
        elif body is not None and (message := placeholder_error(body)) is not None:
            errors["body"] = message
        values["body"] = body
    if "is_active" in changes:
        if not isinstance(changes["is_active"], bool):
            errors["is_active"] = _("Yes or no")
        values["is_active"] = changes["is_active"]
    if errors:
        raise ValidationFailed(errors)
    return values


def _name_taken(s: Session, name: str, package_id: int | None) -> bool:
    """Whether another package has ``name``, case aside (a team has a few dozen)."""
    folded = name.casefold()
    return any(
        ident != package_id and other.casefold() == folded
        for ident, other in s.execute(select(Package.id, Package.name))
    )


def _name_clash(ctx: Context, name: Any, package_id: int | None) -> ValidationFailed | None:
    """After a unique-key violation: the name error, when another package took the name
    between the check and the save (else None: some other integrity error)."""
    cleaned = one_line(name)
    if not cleaned:
        return None
    with ctx.db.reader() as s:
        if not _name_taken(s, cleaned, package_id):
            return None
    return ValidationFailed({"name": _("A package «{name}» already exists").format(name=cleaned)})


def create_package(ctx: Context, name: str, subject: str, body: str = "") -> int:
    """A new active package without materials; returns its id."""
    ctx.require(R.PACKAGES, R.EDIT)
    try:
        with writing(ctx) as s:
            values = _validate(s, {"name": name, "subject": subject, "body": body}, None)
            package = Package(
                **values, is_active=True, owner_id=ctx.user_id, updated_by=ctx.user_id
            )
            record_create(s, ctx, package, KIND)
            return package.id
    except IntegrityError:
        clash = _name_clash(ctx, name, None)
        if clash is None:
            raise
        raise clash from None


def update_package(ctx: Context, package_id: int, version: int, **changes: Any) -> int:
    """Change any of ``EDITABLE`` (``is_active=False`` deactivates); returns the new
    version. Saved over someone else's newer save: ``Conflict``, nothing written."""
    ctx.require(R.PACKAGES, R.EDIT)
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise ValidationFailed({key: _("Unknown field") for key in unknown})
    try:
        with writing(ctx, Package, package_id) as s:
            package = load_for_update(s, Package, package_id, _what(), version)
            values = _validate(s, changes, package_id)
            apply_changes(s, ctx, package, values, KIND)
            return package.version
    except IntegrityError:
        clash = _name_clash(ctx, changes.get("name"), package_id)
        if clash is None:
            raise
        raise clash from None


def delete_package(ctx: Context, package_id: int, version: int | None = None) -> None:
    """Delete a package that was never sent, with its materials that no other package
    holds; one with sendings is refused (``PackageInUse``): deactivate it instead."""
    ctx.require(R.PACKAGES, R.EDIT, R.DELETE)
    try:
        with writing(ctx, Package, package_id) as s:
            package = load_for_update(s, Package, package_id, _what(), version)
            _refuse_sent(s, package)
            material_ids = list(
                s.scalars(
                    select(PackageMaterial.material_id).where(
                        PackageMaterial.package_id == package_id
                    )
                )
            )
            s.execute(delete(PackageMaterial).where(PackageMaterial.package_id == package_id))
            for material_id in material_ids:
                drop_orphan(s, ctx, material_id)
            record_delete(s, ctx, package, KIND)
    except IntegrityError:  # a letter of it was recorded after the check
        with ctx.db.reader() as s:
            package = s.get(Package, package_id)
            if package is None:
                raise
            _refuse_sent(s, package)
        raise


def _refuse_sent(s: Session, package: Package) -> None:
    sendings = int(
        s.scalar(select(func.count(Sending.id)).where(Sending.package_id == package.id)) or 0
    )
    if sendings:
        raise PackageInUse(package.name, sendings)


def drop_orphan(s: Session, ctx: Context, material_id: int) -> None:
    """Delete the material ``material_id`` (audited) when no package holds it any more."""
    held = s.scalar(
        select(PackageMaterial.package_id).where(PackageMaterial.material_id == material_id)
    )
    material = s.get(Material, material_id)
    if held is None and material is not None:
        record_delete(s, ctx, material, MATERIAL_KIND)
