"""A value of a reference book, new or changed: one form for every book, built from its
fields (``domain.refbooks``). What was typed goes to ``services.refbooks.books`` in a
worker, which checks ``refbooks.edit``, validates and writes; a bad value is shown under
its field and nothing typed is lost. A field fixed once the value exists (a currency's
code, a stage's pipeline) is not offered for change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qstui.domain import formatting
from qstui.domain.refbooks import BookField, BookInfo, BookRow
from qstui.domain.refbooks import FieldType as T
from qstui.i18n import _
from qstui.services.refbooks import books
from qstui.widgets.form import CompactFormDialog, FieldSpec

Choices = dict[str, Sequence[tuple[Any, str]]]


def _text(f: BookField, value: Any) -> str:
    if value is None:
        return ""
    if f.type is T.DATE:
        return formatting.day(value)
    if f.type is T.LIST:
        return "; ".join(value)
    if f.type is T.DECIMAL:
        return format(value, "f")
    return str(value)


def field_spec(f: BookField, value: Any, choices: Choices) -> FieldSpec:
    label = _(f.label) + (" *" if f.required else "")
    if f.type is T.REF:
        return FieldSpec(
            f.key,
            label,
            value=value,
            choices=[(name, stored) for stored, name in choices.get(f.key, ())],
            allow_blank=not f.required,
            placeholder=_("(none)"),
        )
    if f.type is T.BOOL:
        return FieldSpec(
            f.key,
            label,
            value="1" if value else "0",
            choices=[(_("yes"), "1"), (_("no"), "0")],
            allow_blank=False,
        )
    if f.type is T.CHOICE:
        return FieldSpec(
            f.key,
            label,
            value=value,
            choices=[(_(name), code) for code, name in f.choices],
            allow_blank=False,
        )
    placeholder = ""
    if f.type is T.DATE:
        placeholder = _("31.12.2026")
    elif f.type is T.LIST:
        placeholder = _("values separated by ;")
    return FieldSpec(
        f.key, label, value=_text(f, value), max_length=f.max_len or 0, placeholder=placeholder
    )


class RefValueDialog(CompactFormDialog):
    """Closes with the id of the value added or changed."""

    def __init__(self, info: BookInfo, row: BookRow | None, choices: Choices) -> None:
        self.info = info
        self.row = row
        specs = [
            field_spec(f, row.values.get(f.key) if row else None, choices)
            for f in info.fields
            if row is None or not f.fixed
        ]
        if row is None:
            title = _("{book}: a new value").format(book=info.title)
        else:
            fixed = [row.shown[f.key] for f in info.fields if f.fixed]
            name = " · ".join([*fixed, *([] if fixed else [row.shown[info.fields[0].key]])])
            title = _("{book}: {value}").format(book=info.title, value=name)
        super().__init__(title, specs, self._submit)

    def _submit(self, ctx: Any, values: dict[str, Any]) -> int:
        if self.row is None:
            return books.add_value(ctx, self.info.name, values)
        books.change_value(ctx, self.info.name, self.row.id, self.row.version, values)
        return self.row.id
