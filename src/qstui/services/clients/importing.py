"""Import of companies from CSV (C1); the export is ``clients.export``.

Import (needs ``clients`` + ``edit``): a CSV file in UTF-8 (with or without BOM) or
Windows-1251 (tried in that order), separated by ``;``, ``,`` or tabs (sniffed from the
header), with a header row in Russian or English (``Наименование``/``name``,
``ИНН``/``inn``, ``Телефон``/``phone``…; unknown columns are ignored and reported).
A line is matched to a company the user sees by INN, else by the normalized name, and
becomes an update (only the non-empty cells that differ; a new phone or e-mail is
added) or a new company. Lines that fail validation are rejected with one message per
field. A dry run (the default) only reports; ``apply=True`` writes every good line in
ONE transaction — batched inserts, reserved ids, search words and audit — so a failure
leaves nothing behind, and running the same file again creates nothing new. It holds
the ``companies`` write lock (``db.locks``) from before it matches the lines until it
commits, so two imports of one file at once, or an import and a registration, run one
after the other: the second sees the companies of the first.
Assigning a line to another manager needs ``reassign`` (else the line is rejected).
A cell the export quoted so that no spreadsheet takes it for a formula (``'=…``; see
``domain.formulas``) is read without that quote: an exported file reads back as the
same text.

Bad files end in one message, never in a crash or a silent merge: a file over
``MAX_FILE_BYTES`` (or a device such as ``/dev/zero``) is refused after reading that
much; a binary file, or a cell over the csv module's field limit (131 072 characters —
usually a quote never closed), stops the import naming the line. A record that spans
several lines (a quoted cell with line breaks) is taken only if it has as many cells as
the header and none of its cells holds a line with a whole record's separators;
otherwise a quote left open has run lines together and that record is rejected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from qstui.db.bulk import insert_rows, reserve_ids
from qstui.db.compat import chunks, digits_in, id_in
from qstui.db.locks import lock_for_writing
from qstui.db.models import AppUser, Company, Email, Phone, SearchWord
from qstui.db.statistics import refresh_statistics
from qstui.domain.clients import (
    DuplicateHit,
    DuplicateReason,
    ImportAction,
    ImportLine,
    ImportReport,
)
from qstui.domain.clock import utcnow
from qstui.domain.enums import AuditAction, ClientKind
from qstui.domain.errors import ValidationFailed
from qstui.domain.formulas import unquote_formula
from qstui.domain.normalize import company_name, email_key, fold, phone_digits
from qstui.domain.text import one_line
from qstui.i18n import _
from qstui.services import audit
from qstui.services import rights as R
from qstui.services.clients._index import refresh_companies
from qstui.services.clients._validation import company_values
from qstui.services.context import Context
from qstui.services.csv_table import csv_reader, read_source, records, runs_together
from qstui.services.persist import writing
from qstui.services.search import index as si
from qstui.services.visibility import can_see_user, company_visible

# Column of the file → field; header names are compared folded, "_" read as a space.
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("наименование", "название", "краткое наименование", "компания", "клиент", "name"),
    "full_name": ("полное наименование", "full name"),
    "inn": ("инн", "inn"),
    "kpp": ("кпп", "kpp"),
    "ogrn": ("огрн", "огрнип", "ogrn", "ogrnip"),
    "okpo": ("окпо", "okpo"),
    "phone": ("телефон", "тел", "тел.", "phone", "telephone"),
    "email": ("email", "e-mail", "e mail", "эл. почта", "электронная почта", "почта", "mail"),
    "city": ("город", "city"),
    "manager": ("менеджер", "ответственный", "manager"),
    "legal_address": ("адрес", "юридический адрес", "address", "legal address"),
    "postal_address": ("почтовый адрес", "postal address"),
    "website": ("сайт", "website", "web", "url"),
    "notes": ("примечание", "комментарий", "заметки", "notes", "note", "comment"),
}
_KNOWN_IGNORED = ("код", "id", "последний контакт", "last contact", "долг", "debt")
_HEADER_INDEX = {alias: key for key, names in ALIASES.items() for alias in names}
_COMPANY_COLUMNS = (
    "name",
    "full_name",
    "inn",
    "kpp",
    "ogrn",
    "okpo",
    "city",
    "legal_address",
    "postal_address",
    "website",
    "notes",
)
MAX_LINES = 200_000
BIG_IMPORT = 1000  # lines: after importing this many, index statistics are refreshed


# --- reading the file ----------------------------------------------------------------------


@dataclass
class Parsed:
    lines: list[tuple[int, dict[str, str]]]
    columns: list[str]
    ignored: list[str]
    encoding: str
    delimiter: str
    broken: list[tuple[int, str]] = field(default_factory=list)  # (line, why) rejected


def _header_key(cell: str) -> str:
    return fold(cell.replace("\ufeff", "").replace("_", " ")).strip(" :*")


def parse(data: bytes) -> Parsed:
    """Rows of the file as ``(line number, {field: cell})``; ValidationFailed when the
    file is not text, has no header or no name column, or a record cannot be read."""
    reader, encoding, delimiter = csv_reader(data)
    header: list[str] | None = None
    fields: list[str | None] = []
    ignored: list[str] = []
    lines: list[tuple[int, dict[str, str]]] = []
    broken: list[tuple[int, str]] = []
    for line_no, cells in records(reader):
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = cells
            for cell in cells:
                key = _HEADER_INDEX.get(_header_key(cell))
                if key in fields:
                    key = None
                fields.append(key)
                if key is None and cell.strip() and _header_key(cell) not in _KNOWN_IGNORED:
                    ignored.append(cell.strip())
            if "name" not in fields:
                raise ValidationFailed(
                    {"file": _("The header has no name column (Наименование / name)")}
                )
            continue
        if len(lines) + len(broken) >= MAX_LINES:
            raise ValidationFailed(
                {"file": _("At most {n} lines in one import").format(n=MAX_LINES)}
            )
        if reader.line_num > line_no and runs_together(cells, len(header), delimiter):
            why = _(
                "Lines {first}–{last} run together: a quote opened on line {first} is not "
                "closed where the line ends"
            ).format(first=line_no, last=reader.line_num)
            broken.append((line_no, why))
            continue
        row = {
            key: unquote_formula(cell.strip())
            for key, cell in zip(fields, cells, strict=False)
            if key is not None and cell.strip()
        }
        lines.append((line_no, row))
    return Parsed(lines, [f for f in fields if f], ignored, encoding, delimiter, broken)


# --- planning ------------------------------------------------------------------------------


@dataclass
class Planned:
    line_no: int
    name: str
    values: dict[str, Any] = field(default_factory=dict)  # clean company columns
    phone: str | None = None
    email: str | None = None
    manager_id: int | None = None
    has_manager: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    action: ImportAction = ImportAction.CREATE
    company_id: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    add_phone: bool = False
    add_email: bool = False
    key: str = ""  # the name key, once computed

    def report(self) -> ImportLine:
        changed = sorted(self.changes) + (["phone"] if self.add_phone else [])
        changed += ["email"] if self.add_email else []
        return ImportLine(
            line_no=self.line_no,
            action=self.action,
            name=self.name,
            company_id=self.company_id,
            errors=dict(self.errors),
            changes=tuple(changed),
        )


def _reject(item: Planned, key: str, message: str) -> None:
    item.errors.setdefault(key, message)
    item.action = ImportAction.REJECTED


def _validate(parsed: Parsed, managers: Mapping[str, int]) -> list[Planned]:
    out = []
    for line_no, row in parsed.lines:
        data = {key: row.get(key) for key in (*_COMPANY_COLUMNS, "phone", "email")}
        clean, errors = company_values(data)
        item = Planned(line_no=line_no, name=one_line(row.get("name")) or "")
        item.phone, item.email = clean.pop("phone", None), clean.pop("email", None)
        clean.pop("rating", None)
        clean.pop("client_kind", None)
        item.values = {k: v for k, v in clean.items() if k in _COMPANY_COLUMNS}
        login = (row.get("manager") or "").strip().lower()
        if login:
            item.has_manager = True
            if login in managers:
                item.manager_id = managers[login]
            else:
                errors["manager"] = _("No user with the login {login}").format(login=login)
        for key, message in errors.items():
            _reject(item, key, message)
        out.append(item)
    return out


def _logins(session: Session, parsed: Parsed) -> dict[str, int]:
    wanted = sorted({(r.get("manager") or "").strip().lower() for _n, r in parsed.lines} - {""})
    found: dict[str, int] = {}
    for chunk in chunks(wanted):
        found.update(
            {
                login: user_id
                for login, user_id in session.execute(
                    select(AppUser.login, AppUser.id).where(AppUser.login.in_(chunk))
                )
            }
        )
    return found


def _by_inn(session: Session, inns: set[str], condition: Any) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for chunk in chunks(sorted(inns)):
        for inn, company_id in session.execute(
            select(Company.inn, Company.id)
            .where(digits_in(Company.inn, chunk), condition)
            .order_by(Company.id)
        ):
            found.setdefault(inn, []).append(company_id)
    return found


def _by_name(
    session: Session, keys: set[str], condition: Any
) -> dict[str, list[tuple[int, str | None]]]:
    """Companies by name key: ``[(id, inn), …]``."""
    found: dict[str, list[tuple[int, str | None]]] = {}
    for chunk in chunks(sorted(keys)):
        for key, company_id, inn in session.execute(
            select(Company.name_key, Company.id, Company.inn)
            .where(Company.name_key.in_(chunk), condition)
            .order_by(Company.id)
        ):
            found.setdefault(key, []).append((company_id, inn))
    return found


def _describe(session: Session, company_id: int) -> str:
    row = session.execute(
        select(Company.name, AppUser.full_name)
        .outerjoin(AppUser, AppUser.id == Company.manager_id)
        .where(Company.id == company_id)
    ).one()
    return DuplicateHit(DuplicateReason.INN, company_id, row[0], row[1]).describe()


def _match(session: Session, ctx: Context, items: list[Planned]) -> None:
    """Find each good line's company among those the user sees: by INN; else by name
    (a line with an INN only takes a company without one). An INN of a company the
    user does not see rejects the line (it would be a duplicate)."""
    good = [i for i in items if i.action is not ImportAction.REJECTED]
    seen: dict[str, int] = {}
    for item in good:
        key = "inn:" + item.values["inn"] if item.values.get("inn") else "name:" + _key(item)
        if key in seen:
            _reject(item, "line", _("The same company as line {n}").format(n=seen[key]))
        else:
            seen[key] = item.line_no
    good = [i for i in good if i.action is not ImportAction.REJECTED]
    visible = company_visible(ctx)
    inns = {i.values["inn"] for i in good if i.values.get("inn")}
    by_inn = _by_inn(session, inns, visible)
    anyone = _by_inn(session, inns - set(by_inn), Company.id.is_not(None))
    known = set(by_inn) | set(anyone)
    by_name = _by_name(
        session, {_key(i) for i in good if i.values.get("inn") not in known}, visible
    )
    for item in good:
        inn = item.values.get("inn")
        if inn and inn in by_inn:
            ids = by_inn[inn]
        elif inn and inn in anyone:
            message = _("A company with this INN exists: {hit}").format(
                hit=_describe(session, anyone[inn][0])
            )
            _reject(item, "inn", message)
            continue
        else:
            candidates = by_name.get(_key(item), [])
            ids = [cid for cid, their_inn in candidates if not inn or their_inn is None]
        if len(ids) > 1:
            _reject(
                item,
                "name",
                _("Several companies match: {ids}").format(ids=", ".join(f"#{i}" for i in ids[:5])),
            )
        elif ids:
            item.action = ImportAction.UPDATE
            item.company_id = ids[0]


def _key(item: Planned) -> str:
    if not item.key:
        item.key = company_name(item.values["name"])[:250]
    return item.key


def _manager_rules(ctx: Context, items: list[Planned], current: dict[int, Any]) -> None:
    allowed: dict[int, bool] = {}
    for item in items:
        if item.action is ImportAction.REJECTED:
            continue
        if not item.has_manager:
            item.manager_id = None
            continue
        target = item.manager_id
        if item.action is ImportAction.UPDATE and current[item.company_id].manager_id == target:
            continue
        if target == ctx.user_id:
            continue
        if not ctx.has(R.REASSIGN):
            _reject(item, "manager", _("Assigning clients to other managers needs “reassign”"))
            continue
        if target not in allowed:
            allowed[target] = can_see_user(ctx, target)  # type: ignore[arg-type]
        if not allowed[target]:
            _reject(item, "manager", _("You cannot give clients to this user"))


def _current(session: Session, ids: list[int]) -> dict[int, Any]:
    rows: dict[int, Any] = {}
    for chunk in chunks(ids):
        for row in session.execute(
            select(
                Company.id, Company.manager_id, *(getattr(Company, c) for c in _COMPANY_COLUMNS)
            ).where(id_in(Company.id, chunk))
        ):
            rows[row.id] = row
    return rows


def _reach(session: Session, ids: list[int]) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    phones: dict[int, set[str]] = {}
    emails: dict[int, set[str]] = {}
    for chunk in chunks(ids):
        for company_id, digits in session.execute(
            select(Phone.company_id, Phone.digits).where(id_in(Phone.company_id, chunk))
        ):
            phones.setdefault(company_id, set()).add(digits)
        for company_id, key in session.execute(
            select(Email.company_id, Email.address_key).where(id_in(Email.company_id, chunk))
        ):
            emails.setdefault(company_id, set()).add(key)
    return phones, emails


def _changes(session: Session, ctx: Context, items: list[Planned]) -> None:
    ids = sorted({i.company_id for i in items if i.action is ImportAction.UPDATE})
    current = _current(session, ids)  # type: ignore[arg-type]
    _manager_rules(ctx, items, current)
    phones, emails = _reach(session, ids)  # type: ignore[arg-type]
    for item in items:
        if item.action is not ImportAction.UPDATE:
            continue
        now = current[item.company_id]
        for key, value in item.values.items():
            if value is not None and value != getattr(now, key):
                item.changes[key] = value
        if "name" in item.changes and _key(item) == company_name(now.name)[:250]:
            del item.changes["name"]  # the same name written differently: keep ours
        if item.has_manager and item.manager_id != now.manager_id:
            item.changes["manager_id"] = item.manager_id
        if item.phone and phone_digits(item.phone) not in phones.get(item.company_id, set()):
            item.add_phone = True
        if item.email and email_key(item.email) not in emails.get(item.company_id, set()):
            item.add_email = True
        if not (item.changes or item.add_phone or item.add_email):
            item.action = ImportAction.UNCHANGED


def plan(session: Session, ctx: Context, parsed: Parsed) -> list[Planned]:
    items = _validate(parsed, _logins(session, parsed))
    _match(session, ctx, items)
    _changes(session, ctx, items)
    for line_no, why in parsed.broken:
        broken = Planned(line_no=line_no, name="")
        _reject(broken, "line", why)
        items.append(broken)
    return sorted(items, key=lambda item: item.line_no)


# --- applying ------------------------------------------------------------------------------


def _apply(session: Session, ctx: Context, items: list[Planned]) -> None:
    conn = session.connection()
    now = utcnow()
    creates = [i for i in items if i.action is ImportAction.CREATE]
    updates = [i for i in items if i.action is ImportAction.UPDATE]
    first = reserve_ids(conn, Company.__table__, len(creates))
    company_rows, audits, words = [], [], []
    for offset, item in enumerate(creates):
        item.company_id = first + offset
        manager = item.manager_id if item.has_manager else ctx.user_id
        values = {c: item.values.get(c) for c in _COMPANY_COLUMNS}
        row = {
            "id": item.company_id,
            **values,
            "name_fold": fold(values["name"])[:250],
            "name_key": company_name(values["name"])[:250],
            "city_fold": (fold(values["city"])[:100] or None) if values["city"] else None,
            "client_kind": ClientKind.CLIENT,
            "rating": 0,
            "manager_id": manager,
            "created_by": ctx.user_id,
            "updated_by": ctx.user_id,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        company_rows.append(row)
        created = {k: v for k, v in values.items() if v is not None} | {"manager_id": manager}
        audits.append(_audit_row(ctx, now, AuditAction.CREATE, item.company_id, {}, created))
        found = si.company_words(values["name"], values["full_name"], values["inn"], values["ogrn"])
        found |= si.phone_words(item.phone) | si.email_words(item.email)
        words.extend(si.rows(si.COMPANY, item.company_id, item.company_id, found))
    insert_rows(conn, Company.__table__, company_rows)
    _update_companies(session, ctx, updates, now, audits)
    phones = [i for i in creates if i.phone] + [i for i in updates if i.add_phone]
    insert_rows(
        conn,
        Phone.__table__,
        [_phone_row(ctx, i.company_id, i.phone, now) for i in phones],  # type: ignore[arg-type]
    )
    emails = [i for i in creates if i.email] + [i for i in updates if i.add_email]
    insert_rows(
        conn,
        Email.__table__,
        [_email_row(ctx, i.company_id, i.email, now) for i in emails],  # type: ignore[arg-type]
    )
    insert_rows(conn, SearchWord.__table__, words)
    refresh_companies(session, [i.company_id for i in updates])  # type: ignore[misc]
    audit.record_rows(session, audits)


def _update_companies(
    session: Session, ctx: Context, updates: list[Planned], now: datetime, audits: list[Any]
) -> None:
    """Changed columns, a new version for every updated company, one audit entry each."""
    by_id = {i.company_id: i for i in updates}
    for chunk in chunks(sorted(by_id)):  # type: ignore[arg-type]
        for company in session.scalars(select(Company).where(id_in(Company.id, chunk))):
            item = by_id[company.id]
            before = {k: getattr(company, k) for k in item.changes}
            for key, value in item.changes.items():
                setattr(company, key, value)
            company.name_fold = fold(company.name)[:250]
            company.name_key = company_name(company.name)[:250]
            company.city_fold = (fold(company.city)[:100] or None) if company.city else None
            company.updated_by = ctx.user_id
            company.updated_at = now
            flag_modified(company, "updated_by")  # a new version even for a phone only
            after = dict(item.changes)
            if item.add_phone:
                after["phone"] = item.phone
            if item.add_email:
                after["email"] = item.email
            audits.append(_audit_row(ctx, now, AuditAction.UPDATE, company.id, before, after))
        session.flush()


def _audit_row(
    ctx: Context,
    now: datetime,
    action: AuditAction,
    company_id: int,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        "logged_at": now,
        "user_id": ctx.user_id,
        "action": action,
        "object_kind": "company",
        "object_id": company_id,
        "changes": {**audit.changes(before, after), "import": [None, True]},
    }


def _phone_row(ctx: Context, company_id: int, number: str, now: datetime) -> dict[str, Any]:
    return {
        "company_id": company_id,
        "contact_id": None,
        "number": number,
        "digits": phone_digits(number)[:20],
        "phone_kind": "work",
        "updated_by": ctx.user_id,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def _email_row(ctx: Context, company_id: int, address: str, now: datetime) -> dict[str, Any]:
    return {
        "company_id": company_id,
        "contact_id": None,
        "address": address,
        "address_key": email_key(address)[:200],
        "allow_mailing": True,
        "updated_by": ctx.user_id,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def import_clients(ctx: Context, source: str | Path | bytes, apply: bool = False) -> ImportReport:
    """Import companies from a CSV file (path or bytes): a dry run unless ``apply``."""
    ctx.require(R.CLIENTS, R.EDIT)
    parsed = parse(read_source(source))
    if apply:
        with writing(ctx) as s:
            lock_for_writing(s.connection(), Company.__table__)
            items = plan(s, ctx, parsed)
            _apply(s, ctx, items)
        if len(items) >= BIG_IMPORT:  # the planner must know the new rows
            try:
                refresh_statistics(ctx.db)
            except DBAPIError:  # the import is saved; statistics are only the planner's aid
                pass  # (on Firebird only the database's owner may refresh them)
    else:
        with ctx.db.reader() as s:
            items = plan(s, ctx, parsed)
    return ImportReport(
        lines=tuple(i.report() for i in items),
        applied=apply,
        columns=tuple(parsed.columns),
        ignored_columns=tuple(parsed.ignored),
        encoding=parsed.encoding,
        delimiter=parsed.delimiter,
    )
