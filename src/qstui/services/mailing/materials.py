"""The attachments of a package (P1): a file attached from a path the user gives, kept
in the database (``materials.content``) up to the size the admin set
(``packages.max_attachment_mb``); renamed, detached, moved up or down.

Rights: ``R.PACKAGES`` and ``R.EDIT``. The file is read by the process that runs the
service — on the server under ``qstui serve`` — so qstui's own files (its config with
the SMTP and 1C passwords, its database, log and tokens) are never attached. A material
no package holds any more is deleted. Changes to a package's materials are audited on
the package (``materials``: the ids before and after) and made one at a time per
package (its row is held)."""

from __future__ import annotations

import mimetypes
import stat
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qstui import config
from qstui.db.locks import hold_row
from qstui.db.models import Material, Package, PackageMaterial
from qstui.domain.enums import AuditAction
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.domain.text import one_line, required, too_long
from qstui.files import documents_dir, served
from qstui.i18n import _
from qstui.services import audit
from qstui.services import rights as R
from qstui.services.access import settings as S
from qstui.services.context import Context
from qstui.services.mailing.package_edit import KIND, MATERIAL_KIND, drop_orphan
from qstui.services.persist import apply_changes, load_for_update, record_create, writing

TITLE_MAX = 200  # materials.title
FILE_NAME_MAX = 250  # materials.file_name
MIME_MAX = 100  # materials.mime_type
OCTET_STREAM = "application/octet-stream"
MB = 1024 * 1024


def max_attachment_bytes(ctx: Context) -> int:
    """The largest file attached to a package (the setting, in MB)."""
    return int(S.get_setting(ctx, S.PACKAGES_MAX_ATTACHMENT_MB)) * MB


def _refused(message: str) -> ValidationFailed:
    return ValidationFailed({"file": message})


def _own_files(ctx: Context) -> tuple[list[Path], list[Path]]:
    """qstui's own files and folders (resolved): nothing in them is attached."""
    files = [config.config_file_path()]
    database = ctx.db.url.database if ctx.db.url.get_backend_name() == "sqlite" else None
    if database:
        files.append(Path(database))
    folders = [config.data_dir(), config.log_dir(), config.state_dir()]
    return [f.expanduser().resolve() for f in files], [d.expanduser().resolve() for d in folders]


def read_attachment(ctx: Context, path: str | Path, limit: int) -> tuple[str, bytes]:
    """The name and bytes of the file at ``path`` (``~`` expanded); ``ValidationFailed``
    (field ``file``) in the user's words when it is missing, a folder, not a plain file,
    unreadable, empty, over ``limit`` bytes or one of qstui's own."""
    text = str(path).strip()
    if not text:
        raise _refused(required())
    file = Path(text).expanduser()
    try:
        info = file.stat()
    except FileNotFoundError:
        raise _refused(_("No such file: {file}").format(file=file)) from None
    except OSError as exc:
        raise _refused(_cannot_read(file, exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise _refused(_("{file} is a folder: give the path of a file").format(file=file))
    if not stat.S_ISREG(info.st_mode):
        raise _refused(_("{file} is not a plain file").format(file=file))
    real = file.resolve()
    if served():  # a browser's user: only what was put in the server's documents folder
        folder = documents_dir().expanduser().resolve()
        if not real.is_relative_to(folder):
            raise _refused(
                _(
                    "Through the web access files are attached only from the folder "
                    "{folder}: put the file there first"
                ).format(folder=folder)
            )
    own_files, own_folders = _own_files(ctx)
    if real in own_files or any(real.is_relative_to(folder) for folder in own_folders):
        raise _refused(
            _("{file} is one of qstui's own files (settings, database, log): not attached").format(
                file=file
            )
        )
    if info.st_size > limit:
        raise _refused(_too_big(file, info.st_size, limit))
    try:
        with file.open("rb") as fh:
            data = fh.read(limit + 1)  # a file growing meanwhile is still never read whole
    except OSError as exc:
        raise _refused(_cannot_read(file, exc)) from None
    if len(data) > limit:
        raise _refused(_too_big(file, len(data), limit))
    if not data:
        raise _refused(_("{file} is empty").format(file=file))
    return file.name, data


def _cannot_read(file: Path, error: OSError) -> str:
    if isinstance(error, PermissionError):
        return _("No permission to read {file}").format(file=file)
    return _("Cannot read {file}: {reason}").format(file=file, reason=error.strerror or error)


def _too_big(file: Path, size: int, limit: int) -> str:
    return _(
        "{file} is {size} MB: larger than {limit} MB, the largest attachment (setting {setting})"
    ).format(
        file=file,
        size=f"{size / MB:.1f}",
        limit=limit // MB,
        setting=S.PACKAGES_MAX_ATTACHMENT_MB,
    )


def _title(value: str | None, errors: dict[str, str]) -> str:
    title = one_line(value) or ""
    if not title:
        errors["title"] = required()
    elif len(title) > TITLE_MAX:
        errors["title"] = too_long(TITLE_MAX)
    return title


def _material_ids(s: Session, package_id: int) -> list[int]:
    return list(
        s.scalars(
            select(PackageMaterial.material_id)
            .where(PackageMaterial.package_id == package_id)
            .order_by(PackageMaterial.sort_no, PackageMaterial.material_id)
        )
    )


def _held_package(s: Session, package_id: int) -> Package:
    """The package, its row held for this transaction (one change of its materials at a
    time)."""
    package = s.get(Package, package_id)
    if package is None:
        raise NotFound(_("Package"), package_id)
    hold_row(s.connection(), Package.__table__, package_id)
    return package


def _note(s: Session, ctx: Context, package_id: int, before: list[int], after: list[int]) -> None:
    if before != after:
        audit.record(s, ctx, AuditAction.UPDATE, KIND, package_id, {"materials": [before, after]})


def attach_file(ctx: Context, package_id: int, path: str | Path, title: str | None = None) -> int:
    """Attach the file at ``path`` as the package's last material (its title: ``title``,
    else the file's name without the extension); returns the material's id."""
    ctx.require(R.PACKAGES, R.EDIT)
    with ctx.db.reader() as s:  # a package that is not there is said before reading
        if s.get(Package, package_id) is None:
            raise NotFound(_("Package"), package_id)
    file_name, data = read_attachment(ctx, path, max_attachment_bytes(ctx))
    errors: dict[str, str] = {}
    title = _title(one_line(title) or (Path(file_name).stem or file_name)[:TITLE_MAX], errors)
    if len(file_name) > FILE_NAME_MAX:
        errors["file"] = _("The file's name is longer than {n} characters").format(n=FILE_NAME_MAX)
    if errors:
        raise ValidationFailed(errors)
    mime_type = mimetypes.guess_type(file_name, strict=False)[0] or OCTET_STREAM
    if len(mime_type) > MIME_MAX:
        mime_type = OCTET_STREAM
    with writing(ctx) as s:
        _held_package(s, package_id)
        before = _material_ids(s, package_id)
        material = Material(
            title=title,
            file_name=file_name,
            mime_type=mime_type,
            size_bytes=len(data),
            content=data,
            updated_by=ctx.user_id,
        )
        record_create(s, ctx, material, MATERIAL_KIND)
        last = s.scalar(
            select(func.max(PackageMaterial.sort_no)).where(
                PackageMaterial.package_id == package_id
            )
        )
        s.add(
            PackageMaterial(
                package_id=package_id, material_id=material.id, sort_no=int(last or 0) + 1
            )
        )
        s.flush()
        _note(s, ctx, package_id, before, [*before, material.id])
        return material.id


def rename_material(ctx: Context, material_id: int, version: int, title: str) -> int:
    """A new title of a material (what the package's page shows; the attached file keeps
    its name); returns the new version."""
    ctx.require(R.PACKAGES, R.EDIT)
    errors: dict[str, str] = {}
    clean = _title(title, errors)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx, Material, material_id) as s:
        material = load_for_update(s, Material, material_id, _("Material"), version)
        apply_changes(s, ctx, material, {"title": clean}, MATERIAL_KIND)
        return material.version


def detach_material(ctx: Context, package_id: int, material_id: int) -> None:
    """Take a material off a package (deleted when no other package holds it)."""
    ctx.require(R.PACKAGES, R.EDIT)
    with writing(ctx) as s:
        _held_package(s, package_id)
        link = s.get(PackageMaterial, (package_id, material_id))
        if link is None:
            raise NotFound(_("Material"), material_id)
        before = _material_ids(s, package_id)
        s.delete(link)
        s.flush()
        drop_orphan(s, ctx, material_id)
        _note(s, ctx, package_id, before, [m for m in before if m != material_id])


def move_material(ctx: Context, package_id: int, material_id: int, step: int) -> bool:
    """Move a material ``step`` places up (negative) or down in the package's order (the
    order of the attachments in a letter); False when it is already at that end."""
    ctx.require(R.PACKAGES, R.EDIT)
    with writing(ctx) as s:
        _held_package(s, package_id)
        before = _material_ids(s, package_id)
        if material_id not in before:
            raise NotFound(_("Material"), material_id)
        at = before.index(material_id)
        to = max(0, min(len(before) - 1, at + step))
        if to == at:
            return False
        after = list(before)
        after.insert(to, after.pop(at))
        for place, ident in enumerate(after, start=1):
            link = s.get(PackageMaterial, (package_id, ident))
            if link is not None and link.sort_no != place:
                link.sort_no = place
        s.flush()
        _note(s, ctx, package_id, before, after)
        return True
