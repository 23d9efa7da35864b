"""A reference book as a CSV file and back (``qstui refbook export|import``).

The file: UTF-8 with BOM, ``;``-separated (Excel in Russian opens it as it is), a
header of the field names (``id``, the book's fields, ``is_active``), a REF as its
book's key (a currency's code, a group's name), text that a spreadsheet would take for
a formula quoted (``domain.formulas``). Reading accepts UTF-8 or Windows-1251, ``;``,
``,`` or tabs, and the field labels as headers too.

An import is planned first (``plan_import``: what each line adds or changes, and every
error with its line) and applied only when the plan has no error (``apply_import``),
line by line through the same ``add_value``/``change_value`` as the screen. A line
matches a value by its ``id`` when given, else by the book's keys (products: SKU, then
name). Applying an imported file again changes nothing.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.domain.errors import ServiceError, ValidationFailed
from qstui.domain.formulas import quote_formula, unquote_formula
from qstui.domain.normalize import fold
from qstui.domain.refbooks import FieldType as T
from qstui.domain.refbooks import ImportLine, ImportPlan
from qstui.files import open_private
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.csv_table import csv_reader, read_source, records
from qstui.services.refbooks import book_values
from qstui.services.refbooks.book_specs import Book
from qstui.services.refbooks.books import (
    add_value,
    book,
    change_value,
    check_values,
    ref_labels,
    require_read,
)

MAX_IMPORT_LINES = 50_000


def header(b: Book) -> list[str]:
    return ["id", *(f.key for f in b.fields), *(["is_active"] if b.can_deactivate else [])]


def export_book(ctx: Context, name: str, out: IO[str]) -> int:
    """Write every value of the book to ``out`` (opened by the caller: a file in UTF-8
    with BOM, or stdout); returns how many."""
    require_read(ctx)
    b = book(name)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header(b))
    with ctx.db.reader() as s:
        order = [getattr(b.model, key) for key in b.order]
        rows = list(s.scalars(select(b.model).order_by(*order, b.model.id)))
        keys = ref_labels(s, b, rows, key_of=True)
        for r in rows:
            cells = [str(r.id)]
            for f in b.fields:
                cells.append(quote_formula(book_values.cell(f, getattr(r, f.key), keys)))
            if b.can_deactivate:
                cells.append("1" if r.is_active else "0")
            writer.writerow(cells)
    return len(rows)


def export_file(ctx: Context, name: str, path: str | Path) -> int:
    """The book to a CSV file (readable by its owner only, as every export)."""
    require_read(ctx)
    book(name)
    with open_private(Path(path), "w", encoding="utf-8-sig", newline="") as out:
        return export_book(ctx, name, out)


def _columns(b: Book, cells: list[str]) -> list[str | None]:
    """The field of each header cell (its key or its label, folded); an unknown one is
    an error naming the columns there are."""
    names: dict[str, str] = {"id": "id", "is_active": "is_active", fold(_("Active")): "is_active"}
    for f in b.fields:
        names[fold(f.key)] = f.key
        names[fold(_(f.label))] = f.key
    out: list[str | None] = []
    for cell in cells:
        text = fold(cell.replace("\ufeff", "").strip())
        if not text:
            out.append(None)
            continue
        key = names.get(text)
        if key is None or (b.can_deactivate is False and key == "is_active"):
            raise ValidationFailed(
                {
                    "file": _("Unknown column «{column}»; the columns are: {columns}").format(
                        column=cell.strip(), columns="; ".join(header(b))
                    )
                }
            )
        if key in out:
            raise ValidationFailed(
                {"file": _("The column «{column}» is given twice").format(column=cell.strip())}
            )
        out.append(key)
    missing = [k for k in b.keys if k not in out]
    if missing and "id" not in out:
        raise ValidationFailed(
            {
                "file": _("The header needs the column(s) {columns}").format(
                    columns=", ".join(missing)
                )
            }
        )
    return out


def _lines(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    reader, _encoding, _delimiter = csv_reader(data)
    rows = [(n, cells) for n, cells in records(reader) if any(c.strip() for c in cells)]
    if len(rows) - 1 > MAX_IMPORT_LINES:
        raise ValidationFailed(
            {"file": _("At most {n} lines in one import").format(n=MAX_IMPORT_LINES)}
        )
    return rows[0][1], rows[1:]


def _match(s: Session, b: Book, raw: dict[str, str], known: dict) -> tuple[Any, str | None]:
    """The row a line is about (None: a new one) or why it cannot be told."""
    ident = raw.get("id", "").strip()
    if ident:
        row = s.get(b.model, int(ident)) if ident.isdigit() else None
        if row is None:
            return None, _("No value with id {id} in the book").format(id=ident)
        return row, None
    keys: dict[str, Any] = {}
    for key in b.keys:
        f = b.field(key)
        value, error = book_values.parse(b, {key: raw.get(key, "")}, partial=True)
        if error or value.get(key) is None:
            continue
        errors: dict[str, str] = {}
        book_values.resolve_refs(s, b, value, None, errors, known)
        if errors and f.type is T.REF:
            return None, errors[key]
        keys[key] = value[key]
    if not keys:
        return None, None
    if b.unique:
        if len(keys) < len(b.keys):
            return None, None
        query = select(b.model).where(*(getattr(b.model, k) == v for k, v in keys.items()))
        return s.scalars(query.limit(1)).first(), None
    for key, value in keys.items():  # products: the SKU, else the name
        found = list(s.scalars(select(b.model).where(getattr(b.model, key) == value).limit(2)))
        if len(found) == 1:
            return found[0], None
        if len(found) > 1:
            return None, _("Several values have {field} «{value}»: give the id").format(
                field=key, value=value
            )
    return None, None


def plan_import(ctx: Context, name: str, source: str | Path | bytes) -> ImportPlan:
    """What importing the file would do, line by line, and every error (nothing is
    written)."""
    ctx.require(R.REFBOOKS_EDIT)
    b = book(name)
    head, lines = _lines(read_source(source))
    columns = _columns(b, head)
    plan = ImportPlan(b.name)
    seen: dict[tuple, int] = {}
    known: dict = {}
    with ctx.db.reader() as s:
        for line_no, cells in lines:
            raw = {
                key: unquote_formula(cell.strip())
                for key, cell in zip(columns, cells, strict=False)
                if key is not None
            }
            try:
                plan.lines.append(_plan_line(s, b, line_no, raw, seen, known))
            except ServiceError as error:
                plan.errors.append((line_no, _error_text(b, error)))
    return plan


def _error_text(b: Book, error: ServiceError) -> str:
    if isinstance(error, ValidationFailed):
        labels = {f.key: _(f.label) for f in b.fields}
        return "; ".join(f"{labels.get(k, k)}: {m}" for k, m in error.errors.items())
    return str(error)


def _plan_line(
    s: Session, b: Book, line_no: int, raw: dict[str, str], seen: dict, known: dict
) -> ImportLine:
    row, why = _match(s, b, raw, known)
    if why is not None:
        raise ValidationFailed({"id": why})
    given = {k: v for k, v in raw.items() if k != "id"}
    values, errors = book_values.parse(b, given, partial=row is not None)
    if errors:
        raise ValidationFailed(errors)
    if not b.can_deactivate:
        values.pop("is_active", None)
    check_values(s, b, values, row, known)
    key = tuple(values.get(k, getattr(row, k, None)) for k in b.keys)
    if b.unique and key in seen:
        raise ValidationFailed({b.keys[-1]: _("The same value is on line {n}").format(n=seen[key])})
    seen[key] = line_no
    label = str(values.get(b.label_key, getattr(row, b.label_key, "")))
    if row is None:
        return ImportLine(line_no, "add", label, changes=values)
    changes = {k: v for k, v in values.items() if getattr(row, k) != v}
    if "choices" in changes and (row.choices or []) == changes["choices"]:
        changes.pop("choices")
    action = "change" if changes else "same"
    return ImportLine(line_no, action, label, row.id, changes, row.version)


def apply_import(ctx: Context, plan: ImportPlan) -> tuple[int, int]:
    """Write a plan without errors; returns (added, changed). A line refused now (the
    book changed since the plan) stops there: the lines before it stay written and a
    new import of the same file adds only what is missing."""
    ctx.require(R.REFBOOKS_EDIT)
    if plan.errors:
        raise ValidationFailed({"file": _("The file has errors: nothing was imported")})
    added = changed = 0
    for line in plan.lines:
        try:
            if line.action == "add":
                add_value(ctx, plan.book, line.changes)
                added += 1
            elif line.action == "change" and line.row_id is not None:
                change_value(ctx, plan.book, line.row_id, line.version, line.changes)
                changed += 1
        except ServiceError as error:
            raise ValidationFailed(
                {
                    "file": _(
                        "Line {n}: {why}. Lines before it were imported ({added} added, "
                        "{changed} changed)"
                    ).format(
                        n=line.line_no,
                        why=_error_text(book(plan.book), error),
                        added=added,
                        changed=changed,
                    )
                }
            ) from None
    return added, changed
