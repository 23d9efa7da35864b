"""Custom fields (C2, S1): definitions admins add to companies, contact persons and
deals, and the values of those objects.

Definitions need ``refbooks.edit``; reading them needs ``clients``. A company's values
are set here with ``edit`` on a visible company (``set_value``); those of a contact
person and of a deal by the services of their own (``contacts.set_contact_values``,
``deals.deal.set_custom_values``), which check their rights and load the object, then
write through ``write_values`` — the one place values are checked, encoded and audited.
The cards read them with ``values_of``. How a value is stored in ``custom_values``:
text and choice in ``val_text``; number in ``val_num``; date in ``val_date``; flag as
``val_num`` 1/0. ``val_fold`` is the folded text of every value (the list filter
matches its start).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qstui.db.compat import chunks, id_in
from qstui.db.models import CustomField, CustomValue
from qstui.domain.clients import CustomFieldDef, CustomFieldValue
from qstui.domain.enums import FieldEntity, FieldKind
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.domain.formatting import parse_day
from qstui.domain.normalize import fold
from qstui.domain.text import one_line, too_long
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.clients.filters import visible_company
from qstui.services.context import Context
from qstui.services.persist import (
    apply_changes,
    conflict_for,
    record_create,
    record_delete,
    writing,
)

_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
_TRUE = {"1", "true", "yes", "y", "да", "д", "+"}
_FALSE = {"0", "false", "no", "n", "нет", "н", "-", ""}
_SCALE = Decimal("0.0001")  # of ``custom_values.val_num``


def definition(row: CustomField) -> CustomFieldDef:
    return CustomFieldDef(
        id=row.id,
        version=row.version,
        entity=row.entity,
        code=row.code,
        title=row.title,
        kind=row.field_kind,
        choices=tuple(row.choices or ()),
        is_required=bool(row.is_required),
        is_active=bool(row.is_active),
        sort_no=row.sort_no,
    )


def decode(kind: FieldKind, row: CustomValue | None) -> str | Decimal | date | bool | None:
    """The value of a ``custom_values`` row as the screen shows it."""
    if row is None:
        return None
    if kind is FieldKind.NUMBER:
        return row.val_num
    if kind is FieldKind.DATE:
        return row.val_date
    if kind is FieldKind.FLAG:
        return None if row.val_num is None else bool(row.val_num)
    return row.val_text


def list_fields(
    ctx: Context, entity: FieldEntity = FieldEntity.COMPANY, include_inactive: bool = False
) -> list[CustomFieldDef]:
    ctx.require(R.CLIENTS)
    with ctx.db.reader() as s:
        stmt = select(CustomField).where(CustomField.entity == entity)
        if not include_inactive:
            stmt = stmt.where(CustomField.is_active.is_(True))
        return [
            definition(r) for r in s.scalars(stmt.order_by(CustomField.sort_no, CustomField.id))
        ]


def _field_values(data: dict[str, Any], partial: bool) -> tuple[dict[str, Any], dict[str, str]]:
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if "code" in data or not partial:
        code = (one_line(data.get("code")) or "").lower()
        if not _CODE.fullmatch(code):
            errors["code"] = _(
                "A code is 1–40 Latin letters, digits or underscores, starting with a letter"
            )
        else:
            clean["code"] = code
    if "title" in data or not partial:
        title = one_line(data.get("title"))
        if title is None:
            errors["title"] = _("Required")
        elif len(title) > 100:
            errors["title"] = too_long(100)
        else:
            clean["title"] = title
    if "kind" in data or not partial:
        raw = str(data.get("kind") or "")
        if raw in {k.value for k in FieldKind}:
            clean["field_kind"] = FieldKind(raw)
        else:
            errors["kind"] = _("Choose one of: {values}").format(
                values=", ".join(k.value for k in FieldKind)
            )
    if "choices" in data or not partial:
        choices = [c for c in (one_line(x) for x in data.get("choices") or ()) if c]
        if len(str(choices)) > 1900:
            errors["choices"] = _("Too many choices")
        else:
            clean["choices"] = list(dict.fromkeys(choices)) or None
    for key in ("is_required", "is_active"):
        if key in data:
            clean[key] = bool(data[key])
    if "sort_no" in data:
        try:
            clean["sort_no"] = int(data["sort_no"])
        except (TypeError, ValueError):
            errors["sort_no"] = _("Enter a whole number")
    kind = clean.get("field_kind")
    if kind is FieldKind.CHOICE and not clean.get("choices", True):
        errors["choices"] = _("A choice field needs at least one choice")
    return clean, errors


def create_field(
    ctx: Context,
    code: str,
    title: str,
    kind: FieldKind | str,
    entity: FieldEntity = FieldEntity.COMPANY,
    choices: list[str] | tuple[str, ...] = (),
    is_required: bool = False,
    sort_no: int = 0,
) -> int:
    """Define a custom field (needs ``refbooks.edit``); the code is unique per entity."""
    ctx.require(R.REFBOOKS_EDIT)
    clean, errors = _field_values(
        {
            "code": code,
            "title": title,
            "kind": kind,
            "choices": choices,
            "is_required": is_required,
            "sort_no": sort_no,
        },
        partial=False,
    )
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx) as s:
        taken = s.scalar(
            select(CustomField.id).where(
                CustomField.entity == FieldEntity(entity), CustomField.code == clean["code"]
            )
        )
        if taken is not None:
            raise ValidationFailed(
                {"code": _("The code {code} is taken").format(code=clean["code"])}
            )
        row = CustomField(entity=FieldEntity(entity), updated_by=ctx.user_id, **clean)
        record_create(s, ctx, row, "custom_field")
        return row.id


def update_field(ctx: Context, field_id: int, version: int, **changes: Any) -> int:
    """Change a definition (title, choices, required, active, order; not its kind)."""
    ctx.require(R.REFBOOKS_EDIT)
    allowed = {"title", "choices", "is_required", "is_active", "sort_no"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationFailed({key: _("Unknown field") for key in unknown})
    clean, errors = _field_values(changes, partial=True)
    if errors:
        raise ValidationFailed(errors)
    with writing(ctx, CustomField, field_id) as s:
        row = s.get(CustomField, field_id)
        if row is None:
            raise NotFound(_("Custom field"), field_id)
        if row.version != version:
            raise conflict_for(s, CustomField, field_id)
        if row.field_kind is FieldKind.CHOICE and "choices" in clean and not clean["choices"]:
            raise ValidationFailed({"choices": _("A choice field needs at least one choice")})
        apply_changes(s, ctx, row, clean, "custom_field")
        return row.version


def delete_field(ctx: Context, field_id: int, version: int) -> None:
    """Delete a definition and every value of it (deactivate it to keep the values)."""
    ctx.require(R.REFBOOKS_EDIT)
    with writing(ctx, CustomField, field_id) as s:
        row = s.get(CustomField, field_id)
        if row is None:
            raise NotFound(_("Custom field"), field_id)
        if row.version != version:
            raise conflict_for(s, CustomField, field_id)
        record_delete(s, ctx, row, "custom_field")


def encode(kind: FieldKind, choices: tuple[str, ...], value: Any) -> dict[str, Any]:
    """Column values of a ``custom_values`` row; ValueError with a message if bad."""
    if kind is FieldKind.NUMBER:
        try:
            number = Decimal(str(value).replace(",", ".").replace(" ", "").strip())
            if not number.is_finite() or abs(number) >= Decimal(10) ** 14:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            raise ValueError(_("Enter a number")) from None
        number = number.quantize(_SCALE)
        text = format(number.normalize(), "f")
        return {"val_num": number, "val_text": text, "val_fold": text, "val_date": None}
    if kind is FieldKind.DATE:
        if isinstance(value, date):
            day = value
        else:
            try:
                day = parse_day(str(value))
            except ValueError:
                raise ValueError(_("Enter a date as DD.MM.YYYY")) from None
        return {"val_date": day, "val_text": day.isoformat(), "val_fold": day.isoformat()}
    if kind is FieldKind.FLAG:
        word = str(value).strip().lower() if not isinstance(value, bool) else str(int(value))
        if word not in _TRUE | _FALSE:
            raise ValueError(_("Enter yes or no"))
        flag = word in _TRUE
        # at the column's scale, as it is read back: saving it again changes nothing
        return {"val_num": Decimal(int(flag)).quantize(_SCALE), "val_text": str(int(flag)),
                "val_fold": None}  # fmt: skip
    text = one_line(value)
    if text is None:
        raise ValueError(_("Required"))
    if len(text) > 1000:
        raise ValueError(too_long(1000))
    if kind is FieldKind.CHOICE and text not in choices:
        raise ValueError(_("Choose one of: {values}").format(values=", ".join(choices)))
    return {"val_text": text, "val_fold": fold(text)[:250] or None, "val_num": None}


# --- values of companies, contact persons and deals --------------------------------------


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def write_values(
    session: Session,
    ctx: Context,
    entity: FieldEntity,
    object_id: int,
    values: Mapping[int, Any],
) -> bool:
    """Set values (field id → value; None or "" clears) of one object of ``entity`` in
    the open transaction, each change audited. The caller has checked the rights and that
    the object is there. Every value is checked first: one ``ValidationFailed`` names
    each bad field by its code (a required one left empty, a field no longer in use, a
    value not of the field's kind) and nothing is written. Returns whether anything
    changed."""
    if not values:
        return False
    ids = sorted({int(i) for i in values})
    fields = {
        f.id: f
        for f in session.scalars(
            select(CustomField).where(id_in(CustomField.id, ids), CustomField.entity == entity)
        )
    }
    missing = [i for i in ids if i not in fields]
    if missing:
        raise NotFound(_("Custom field"), missing[0])
    current = {
        row.field_id: row
        for row in session.scalars(
            select(CustomValue).where(
                id_in(CustomValue.field_id, ids), CustomValue.object_id == object_id
            )
        )
    }
    errors: dict[str, str] = {}
    planned: list[tuple[CustomField, dict[str, Any] | None]] = []
    for field_id, value in values.items():
        field = fields[int(field_id)]
        if not field.is_active:
            errors[field.code] = _("The field is no longer in use")
        elif _is_empty(value):
            if field.is_required:
                errors[field.code] = _("Required")
            else:
                planned.append((field, None))
        else:
            try:
                planned.append((field, encode(field.field_kind, tuple(field.choices or ()), value)))
            except ValueError as exc:
                errors[field.code] = str(exc)
    if errors:
        raise ValidationFailed(errors)
    changed = False
    for field, columns in planned:
        row = current.get(field.id)
        if columns is None:
            if row is not None:
                record_delete(session, ctx, row, "custom_value")
                changed = True
        elif row is None:
            row = CustomValue(
                field_id=field.id, object_id=object_id, updated_by=ctx.user_id, **columns
            )
            record_create(session, ctx, row, "custom_value")
            changed = True
        else:
            changed |= bool(apply_changes(session, ctx, row, columns, "custom_value"))
    return changed


def values_of(
    session: Session, entity: FieldEntity, object_ids: Sequence[int]
) -> dict[int, tuple[CustomFieldValue, ...]]:
    """The custom fields of each object of ``entity`` with its values (None: empty): the
    active fields, and the inactive ones the object holds a value of (read-only), in the
    fields' order. Two queries (one when the entity has no fields)."""
    ids = sorted(set(object_ids))
    fields = list(
        session.scalars(
            select(CustomField)
            .where(CustomField.entity == entity)
            .order_by(CustomField.sort_no, CustomField.id)
        )
    )
    held: dict[tuple[int, int], CustomValue] = {}
    if fields and ids:
        field_ids = [f.id for f in fields]
        for chunk in chunks(ids):
            for row in session.scalars(
                select(CustomValue).where(
                    id_in(CustomValue.object_id, chunk), id_in(CustomValue.field_id, field_ids)
                )
            ):
                held[(row.object_id, row.field_id)] = row
    out: dict[int, tuple[CustomFieldValue, ...]] = {}
    for object_id in ids:
        shown = []
        for f in fields:
            row = held.get((object_id, f.id))
            if f.is_active or row is not None:
                shown.append(field_value(f, decode(f.field_kind, row)))
        out[object_id] = tuple(shown)
    return out


def field_value(row: CustomField, value: Any) -> CustomFieldValue:
    return CustomFieldValue(
        field_id=row.id,
        code=row.code,
        title=row.title,
        kind=row.field_kind,
        value=value,
        choices=tuple(row.choices or ()),
        is_required=bool(row.is_required),
        is_active=bool(row.is_active),
    )


def drop_values(session: Session, entity: FieldEntity, object_ids: Sequence[int]) -> None:
    """Delete the values of objects of ``entity`` that are being deleted, so that no
    value outlives its object (``object_id`` is no foreign key: it points into the
    entity's table). Ids as values, never ``IN (SELECT …)``: Firebird 3 would evaluate
    that row by row over every value."""
    field_ids = list(session.scalars(select(CustomField.id).where(CustomField.entity == entity)))
    if not field_ids or not object_ids:
        return
    for chunk in chunks(sorted(set(object_ids))):
        session.execute(
            delete(CustomValue)
            .where(id_in(CustomValue.object_id, chunk), id_in(CustomValue.field_id, field_ids))
            .execution_options(synchronize_session=False)
        )


def set_value(ctx: Context, company_id: int, field_id: int, value: Any) -> None:
    """Set a company's value of a custom field (``clients`` + ``edit``, a visible
    company); None or "" clears it (unless the field is required)."""
    ctx.require(R.CLIENTS, R.EDIT)
    with writing(ctx) as s:
        visible_company(s, ctx, company_id)
        write_values(s, ctx, FieldEntity.COMPANY, company_id, {field_id: value})
