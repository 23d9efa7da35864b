"""Every reference book (S1) behind one interface: the admin's screen and
``qstui refbook`` list, add, change, deactivate, delete and reorder values here.

Rights: changing needs ``refbooks.edit``; reading the books here (not in a form, where
everyone picks from them) needs ``refbooks.edit`` or ``export``. A value in use is
never deleted: the refusal names where it is used (``InUse``) and the value can be
deactivated — old records keep showing it, new choices no longer offer it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qstui.domain.errors import AccessDenied, NotFound, ValidationFailed
from qstui.domain.refbooks import BookInfo, BookRow, InUse, Usage
from qstui.domain.refbooks import FieldType as T
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.persist import (
    apply_changes,
    load_for_update,
    record_create,
    record_delete,
    writing,
)
from qstui.services.refbooks import book_values
from qstui.services.refbooks.book_specs import BOOKS, BY_NAME, Book
from qstui.services.refbooks.book_usage import usages

ROW_LIMIT = 5000  # rows a book shows at once (rates grow daily: the newest come first)


def book(name: str) -> Book:
    found = BY_NAME.get(name)
    if found is None:
        raise ValidationFailed(
            {
                "book": _("No reference book «{name}»; the books: {names}").format(
                    name=name, names=", ".join(BY_NAME)
                )
            }
        )
    return found


def require_read(ctx: Context) -> None:
    if not (ctx.has(R.REFBOOKS_EDIT) or ctx.has(R.EXPORT)):
        raise AccessDenied(R.REFBOOKS_EDIT)


def book_infos() -> list[BookInfo]:
    """Every book as it is described (no counts: no database read, no right needed)."""
    return [b.info() for b in BOOKS]


def list_books(ctx: Context) -> list[BookInfo]:
    """Every book with how many values it holds (and how many of them are inactive)."""
    require_read(ctx)
    out = []
    with ctx.db.reader() as s:
        for b in BOOKS:
            total = int(s.scalar(select(func.count()).select_from(b.model)) or 0)
            inactive = 0
            if b.can_deactivate:
                inactive = int(
                    s.scalar(
                        select(func.count())
                        .select_from(b.model)
                        .where(b.model.is_active.is_(False))
                    )
                    or 0
                )
            out.append(b.info(total, inactive))
    return out


def _ordered(b: Book) -> list[Any]:
    columns = [getattr(b.model, key) for key in b.order]
    if b.newest_first:
        columns = [c.desc() for c in columns]
    return [*columns, b.model.id]


def ref_labels(s: Session, b: Book, rows: list[Any], key_of: bool) -> dict[str, dict[Any, str]]:
    """For each REF field: stored value → the referenced value's name (``key_of``: its
    key, as a file holds it)."""
    out: dict[str, dict[Any, str]] = {}
    for f in b.fields:
        if f.type is not T.REF:
            continue
        target = BY_NAME[f.ref or ""]
        wanted = {getattr(r, f.key) for r in rows} - {None}
        stored = getattr(target.model, target.ref_column)
        shown = getattr(target.model, target.keys[0] if key_of else target.label_key)
        labels: dict[Any, str] = {}
        items = sorted(wanted, key=str)
        for start in range(0, len(items), 500):
            chunk = items[start : start + 500]
            for value, label in s.execute(select(stored, shown).where(stored.in_(chunk))):
                labels[value] = str(label)
        out[f.key] = labels
    return out


def _row(b: Book, r: Any, labels: Mapping[str, Mapping[Any, str]]) -> BookRow:
    values = {f.key: getattr(r, f.key) for f in b.fields}
    if "choices" in values and values["choices"] is None:
        values["choices"] = []
    return BookRow(
        id=r.id,
        version=r.version,
        values=values,
        shown={f.key: book_values.shown(f, values[f.key], labels) for f in b.fields},
        is_active=bool(getattr(r, "is_active", True)),
    )


def book_rows(
    ctx: Context, name: str, include_inactive: bool = True, limit: int = ROW_LIMIT
) -> tuple[list[BookRow], int]:
    """The values of a book in its order (the first ``limit``) and how many there are."""
    require_read(ctx)
    b = book(name)
    with ctx.db.reader() as s:
        query = select(b.model)
        counting = select(func.count()).select_from(b.model)
        if not include_inactive and b.can_deactivate:
            query = query.where(b.model.is_active.is_(True))
            counting = counting.where(b.model.is_active.is_(True))
        rows = list(s.scalars(query.order_by(*_ordered(b)).limit(limit)))
        labels = ref_labels(s, b, rows, key_of=False)
        return [_row(b, r, labels) for r in rows], int(s.scalar(counting) or 0)


def book_row(ctx: Context, name: str, row_id: int) -> BookRow:
    require_read(ctx)
    b = book(name)
    with ctx.db.reader() as s:
        r = s.get(b.model, row_id)
        if r is None:
            raise NotFound(_(b.title), row_id)
        return _row(b, r, ref_labels(s, b, [r], key_of=False))


def ref_choices(ctx: Context, name: str, keep: Any = None) -> list[tuple[Any, str]]:
    """The active values of a book to pick from, as ``(stored value, name)``; ``keep``
    (the value a row has now) is offered even when inactive."""
    b = book(name)
    stored = getattr(b.model, b.ref_column)
    label = getattr(b.model, b.label_key)
    with ctx.db.reader() as s:
        query = select(stored, label)
        if b.can_deactivate:
            query = query.where(b.model.is_active.is_(True) | (stored == keep))
        return [(v, str(n)) for v, n in s.execute(query.order_by(*_ordered(b)))]


def _unique_errors(s: Session, b: Book, values: dict[str, Any], row: Any) -> dict[str, str]:
    if not b.unique or any(values.get(k) is None for k in b.keys):
        return {}
    if row is not None and all(values.get(k, getattr(row, k)) == getattr(row, k) for k in b.keys):
        return {}
    keys = {k: values.get(k, getattr(row, k) if row is not None else None) for k in b.keys}
    query = select(b.model.id).where(*(getattr(b.model, k) == v for k, v in keys.items()))
    if row is not None:
        query = query.where(b.model.id != row.id)
    if s.scalar(query.limit(1)) is None:
        return {}
    last = b.keys[-1]
    return {last: _("«{value}» is already in the book").format(value=keys[last])}


def check_values(
    s: Session, b: Book, values: dict[str, Any], row: Any, known: dict | None = None
) -> None:
    """Resolve the REF values and check a new value (``row`` None) or the changes of
    ``row``: fixed fields, the book's keys unique, the book's own rules."""
    errors: dict[str, str] = {}
    book_values.resolve_refs(s, b, values, row, errors, known)
    if row is not None and not errors:
        _refuse_fixed(b, values, row)
    if not errors:
        errors.update(_unique_errors(s, b, values, row))
    if not errors and b.check is not None:
        errors.update(b.check(s, values, row))
    if errors:
        raise ValidationFailed(errors)


def _parsed(b: Book, raw: Mapping[str, Any], partial: bool) -> dict[str, Any]:
    values, errors = book_values.parse(b, raw, partial)
    if errors:
        raise ValidationFailed(errors)
    return values


def add_value(ctx: Context, name: str, raw: Mapping[str, Any]) -> int:
    """A new value from the fields of ``raw`` (texts or typed values); returns its id."""
    ctx.require(R.REFBOOKS_EDIT)
    b = book(name)
    values = _parsed(b, raw, partial=False)
    if values.pop("is_active", True) is False and b.can_deactivate:
        row_id = add_value(ctx, name, values)  # added, then deactivated (a file's line)
        change_value(ctx, name, row_id, None, {"is_active": False})
        return row_id
    if b.create is not None:
        with ctx.db.reader() as s:
            check_values(s, b, values, None)
        return b.create(ctx, values)
    with writing(ctx) as s:
        check_values(s, b, values, None)
        row = b.model(**values, updated_by=ctx.user_id)
        if b.derived is not None:
            for key, value in b.derived(row).items():
                setattr(row, key, value)
        if b.can_reorder:
            row.sort_no = _next_place(s, b, values)
        record_create(s, ctx, row, b.object_kind)
        if b.after is not None:
            b.after(s, ctx, row)
        return row.id


def _next_place(s: Session, b: Book, values: Mapping[str, Any]) -> int:
    query = select(func.max(b.model.sort_no))
    if b.scope is not None:
        query = query.where(getattr(b.model, b.scope) == values.get(b.scope))
    return int(s.scalar(query) or 0) + 1


def change_value(ctx: Context, name: str, row_id: int, version: int, raw: Mapping[str, Any]) -> int:
    """Change the fields given in ``raw`` (``is_active`` too); returns the new version.
    A field fixed once added (a currency's code, a stage's pipeline) is refused."""
    ctx.require(R.REFBOOKS_EDIT)
    b = book(name)
    values = _parsed(b, raw, partial=True)
    if "is_active" in values and not b.can_deactivate:
        raise ValidationFailed({"is_active": _("The values of this book are not deactivated")})
    if b.change is not None:
        with ctx.db.reader() as s:
            row = load_for_update(s, b.model, row_id, _(b.title), version)
            check_values(s, b, values, row)
        return b.change(ctx, row_id, version, values)
    with writing(ctx, b.model, row_id) as s:
        row = load_for_update(s, b.model, row_id, _(b.title), version)
        check_values(s, b, values, row)
        apply_changes(s, ctx, row, values, b.object_kind, derived=b.derived)
        if b.after is not None:
            b.after(s, ctx, row)
        return row.version


def _refuse_fixed(b: Book, values: dict[str, Any], row: Any) -> None:
    errors = {}
    for f in b.fields:
        if f.fixed and f.key in values:
            if values[f.key] == getattr(row, f.key):
                values.pop(f.key)
            else:
                errors[f.key] = _("It is given when the value is added and never changes")
    if errors:
        raise ValidationFailed(errors)


def set_active(ctx: Context, name: str, row_id: int, version: int, active: bool) -> int:
    """Deactivate (no longer offered for new records) or activate again."""
    return change_value(ctx, name, row_id, version, {"is_active": bool(active)})


def where_used(ctx: Context, name: str, row_id: int) -> list[Usage]:
    require_read(ctx)
    b = book(name)
    with ctx.db.reader() as s:
        row = s.get(b.model, row_id)
        if row is None:
            raise NotFound(_(b.title), row_id)
        return usages(s, b, row)


def delete_value(ctx: Context, name: str, row_id: int, version: int | None) -> None:
    """Delete a value nothing uses; one in use is refused with where (``InUse``)."""
    ctx.require(R.REFBOOKS_EDIT)
    b = book(name)
    try:
        with writing(ctx, b.model, row_id) as s:
            row = load_for_update(s, b.model, row_id, _(b.title), version)
            reason = b.never_deleted(row) if b.never_deleted is not None else None
            if reason is not None:
                raise ValidationFailed({"book": reason})
            used = usages(s, b, row)
            if used:
                raise InUse(str(getattr(row, b.label_key)), used)
            record_delete(s, ctx, row, b.object_kind)
    except IntegrityError:  # someone used it after the check: say where
        with ctx.db.reader() as s:
            row = s.get(b.model, row_id)
            if row is None:
                raise
            raise InUse(str(getattr(row, b.label_key)), usages(s, b, row)) from None


def move_value(ctx: Context, name: str, row_id: int, step: int) -> bool:
    """Move a value ``step`` places up (negative) or down in its book's order (within
    its pipeline or its kind of record); False when it is already at that end."""
    ctx.require(R.REFBOOKS_EDIT)
    b = book(name)
    if not b.can_reorder:
        raise ValidationFailed({"book": _("The values of this book are listed by name")})
    with ctx.db.reader() as s:
        row = s.get(b.model, row_id)
        if row is None:
            raise NotFound(_(b.title), row_id)
        scope_value = getattr(row, b.scope) if b.scope is not None else None
        query = select(b.model.id)
        if b.scope is not None:
            query = query.where(getattr(b.model, b.scope) == scope_value)
        ids = list(s.scalars(query.order_by(b.model.sort_no, *_ordered(b))))
    at = ids.index(row_id)
    to = max(0, min(len(ids) - 1, at + step))
    if to == at:
        return False
    ids.insert(to, ids.pop(at))
    if b.arrange is not None:
        b.arrange(ctx, scope_value, ids)
        return True
    with writing(ctx) as s:
        for place, ident in enumerate(ids, start=1):
            other = s.get(b.model, ident)
            if other is not None and other.sort_no != place:
                apply_changes(s, ctx, other, {"sort_no": place}, b.object_kind)
    return True
