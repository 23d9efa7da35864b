"""Companies (C1, C3, C4, C8): the paged list and its count, idle clients, quick
registration with the duplicate check, edits with optimistic locking, deletion and
reassignment to another manager.

The duplicate check and the insert are one step: a registration first takes the
``companies`` write lock (``db.locks.lock_for_writing``, a lock row that serialises on
SQLite and on Firebird alike), so of several users registering the same client at
once, one saves it and the others wait, then get the duplicate check's answer naming
it. Every registration takes the lock, ``force`` ones too (what they insert is what
the others' checks must see); imports take the same lock. Chosen over a unique key on
INN + KPP: the check also compares names, phones and e-mails, a user may register a
possible duplicate on purpose (``force``), and databases already hold duplicates.

Rights: reading needs ``clients``; creating and editing ``edit``; deleting ``delete``;
giving a company to another manager ``reassign`` (also when creating it for someone
else). Every query is filtered by the user's visibility; a company the user does not
see is reported as not found. ``last_contact_at`` is never written here (the calendar
service keeps it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    and_,
    bindparam,
    case,
    delete,
    or_,
    select,
)
from sqlalchemy.orm import Session

from qstui.db.compat import chunks, id_in
from qstui.db.counting import count_rows
from qstui.db.locks import lock_for_writing
from qstui.db.models import (
    AppUser,
    Company,
    Contact,
    Deal,
    Email,
    Industry,
    OnecLink,
    Phone,
    Region,
    Source,
)
from qstui.domain.clients import (
    COMPANY_FIELDS,
    ClientFilter,
    ClientRow,
    ClientSort,
    CompanyInput,
    DuplicatesFound,
    SortKey,
)
from qstui.domain.enums import FieldEntity, PhoneKind
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.domain.normalize import company_name, email_key, fold, phone_digits
from qstui.domain.paging import Page
from qstui.i18n import _
from qstui.services import rights as R
from qstui.services.clients._index import drop_company_words, refresh_companies
from qstui.services.clients._validation import company_values
from qstui.services.clients.card import get_card
from qstui.services.clients.custom_fields import drop_values
from qstui.services.clients.debt import client_debts
from qstui.services.clients.duplicates import duplicate_hits
from qstui.services.clients.filters import (
    Restriction,
    restriction,
    visible_company,
    visible_ids,
    wide_prefixes,
)
from qstui.services.context import Context
from qstui.services.persist import (
    apply_changes,
    conflict_for,
    new_version,
    record_create,
    record_delete,
    writing,
)
from qstui.services.refbooks.active import check_active
from qstui.services.visibility import can_see_user, owned_by_visible

__all__ = [
    "count_clients",
    "create_company",
    "delete_company",
    "get_card",
    "idle_clients",
    "idle_filter",
    "list_clients",
    "reassign",
    "reference_lists",
    "update_company",
]

MAX_PAGE = 1000
DEFAULT_IDLE_DAYS = 30
_MISSING = object()


# --- the list (C1) -----------------------------------------------------------------------


def sort_expression(key: SortKey) -> Any:
    """The column the list is sorted by (then by id). NULLs (no INN, no city, never
    contacted) sort as the smallest value: first ascending, last descending — the
    default of both SQLite and Firebird, so the indexes still serve the sort."""
    if key is SortKey.INN:
        return Company.inn
    if key is SortKey.CITY:
        return Company.city_fold
    if key is SortKey.LAST_CONTACT:
        return Company.last_contact_at
    if key is SortKey.CREATED:
        return Company.created_at
    return Company.name_fold


def _after(expr: Any, cursor: Sequence[Any], reverse: bool) -> Any:
    """Rows after ``cursor`` in the query order (descending when ``reverse``), NULLs
    being the smallest values. "key ≥ v AND (key > v OR id > i)" keeps an index range."""
    value, last_id = cursor
    if value is None:
        if reverse:  # descending: only the rest of the NULLs is left
            return and_(expr.is_(None), Company.id < last_id)
        return or_(and_(expr.is_(None), Company.id > last_id), expr.is_not(None))
    bound = bindparam(None, value, type_=expr.type, unique=True)
    if reverse:
        return or_(and_(expr <= bound, or_(expr < bound, Company.id < last_id)), expr.is_(None))
    return and_(expr >= bound, or_(expr > bound, Company.id > last_id))


def _row_query(narrow: Restriction, extra: tuple[Any, ...] = ()) -> Any:
    """The list columns of the companies ``narrow`` lets through. The filter's derived
    tables are joined before the (outer) join of the manager, so that Firebird can
    drive the query from them instead of scanning ``companies``."""
    stmt = select(
        Company.id,
        Company.version,
        Company.name,
        Company.inn,
        Company.city,
        Company.manager_id,
        AppUser.full_name.label("manager"),
        Company.last_contact_at,
        Company.rating,
        Company.client_kind,
        *extra,
    ).select_from(Company)
    return narrow.apply(stmt).outerjoin(AppUser, AppUser.id == Company.manager_id)


def _first_phones(session: Session, ids: list[int]) -> dict[int, str]:
    """The first phone of each company: its own numbers first, then its people's."""
    phones: dict[int, str] = {}
    for chunk in chunks(ids):
        own_first = case((Phone.contact_id.is_(None), 0), else_=1)
        for company_id, number in session.execute(
            select(Phone.company_id, Phone.number)
            .where(id_in(Phone.company_id, chunk))
            .order_by(Phone.company_id, own_first, Phone.id)
        ):
            phones.setdefault(company_id, number)
    return phones


def client_rows(session: Session, rows: Sequence[Any]) -> list[ClientRow]:
    """List rows with phone and debt filled for all of them with two set-based queries."""
    ids = [row.id for row in rows]
    phones = _first_phones(session, ids)
    debts = client_debts(session, ids)
    return [
        ClientRow(
            id=row.id,
            version=row.version,
            name=row.name,
            inn=row.inn,
            city=row.city,
            phone=phones.get(row.id),
            manager_id=row.manager_id,
            manager=row.manager,
            last_contact_at=row.last_contact_at,
            debt=debts[row.id],
            rating=row.rating,
            client_kind=row.client_kind,
        )
        for row in rows
    ]


def list_clients(
    ctx: Context,
    flt: ClientFilter | None = None,
    sort: ClientSort | None = None,
    cursor: Sequence[Any] | None = None,
    limit: int = 100,
    backward: bool = False,
) -> Page[ClientRow]:
    """One page of the client list, keyset-paged on the sort key then the id.

    Forward from ``None``: the first rows; from a cursor: the rows after it. Backward
    from ``None``: the last rows; from a cursor: the rows before it. Rows come in display
    order with a cursor each; pass ``page.next_cursor`` back (same direction) to go on.
    Every visible company that matches appears exactly once across the pages.
    """
    ctx.require(R.CLIENTS)
    flt = flt or ClientFilter()
    sort = sort or ClientSort()
    limit = max(1, min(int(limit), MAX_PAGE))
    expr = sort_expression(sort.key)
    reverse = sort.descending != backward
    order = (expr.desc(), Company.id.desc()) if reverse else (expr, Company.id)
    with ctx.db.reader() as s:
        narrow = restriction(ctx, flt, wide_prefixes(s, flt))
        if cursor is not None:
            narrow.where.append(_after(expr, cursor, reverse))
        stmt = _row_query(narrow, (expr.label("sort_value"),)).order_by(*order)
        rows = s.execute(stmt.limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        if backward:
            rows.reverse()
        return Page(
            rows=client_rows(s, rows),
            cursors=[(row.sort_value, row.id) for row in rows],
            has_more=more,
            backward=backward,
        )


def count_clients(ctx: Context, flt: ClientFilter | None = None, cap: int | None = None) -> int:
    """How many visible companies match ``flt`` (the list's total, its own query); with
    ``cap``, counted up to ``cap + 1`` (more than ``cap``)."""
    ctx.require(R.CLIENTS)
    with ctx.db.reader() as s:
        narrow = restriction(ctx, flt or ClientFilter())
        return count_rows(s, narrow.apply(select(Company.id).select_from(Company)), cap)


def idle_clients(
    ctx: Context, manager_id: int | None = None, days: int | None = None, limit: int = 1000
) -> list[ClientRow]:
    """C8: the manager's clients with no done interaction for ``days`` days (default:
    the manager's own setting, 30), never-contacted ones first. Default manager: the
    user (the admin CLI without a manager: every idle client)."""
    ctx.require(R.CLIENTS)
    manager = manager_id if manager_id is not None else ctx.user_id
    if manager is not None and not can_see_user(ctx, manager):
        raise NotFound(_("User"), manager)
    with ctx.db.reader() as s:
        if days is None:
            days = DEFAULT_IDLE_DAYS
            if manager is not None:
                days = s.scalar(select(AppUser.idle_days).where(AppUser.id == manager)) or days
        narrow = restriction(ctx, ClientFilter(manager_id=manager, idle_days=max(0, int(days))))
        stmt = _row_query(narrow).order_by(Company.last_contact_at, Company.name_fold, Company.id)
        rows = s.execute(stmt.limit(max(1, min(int(limit), 10 * MAX_PAGE)))).all()
        return client_rows(s, rows)


def idle_filter(ctx: Context) -> ClientFilter:
    """C8 "who have I forgotten" as a list filter: the user's clients with no done
    interaction for the user's ``idle_days`` (default 30). The admin CLI (no user):
    every idle client."""
    ctx.require(R.CLIENTS)
    days = DEFAULT_IDLE_DAYS
    if ctx.user_id is not None:
        with ctx.db.reader() as s:
            days = s.scalar(select(AppUser.idle_days).where(AppUser.id == ctx.user_id)) or days
    return ClientFilter(manager_id=ctx.user_id, idle_days=max(0, int(days)))


def reference_lists(ctx: Context) -> dict[str, list[tuple[int, str]]]:
    """Choices for the client filter and forms, as ``(id, name)`` pairs by name:
    ``regions``, ``industries`` and ``sources`` (active ones), and ``managers`` — the
    users whose clients ``ctx`` sees."""
    ctx.require(R.CLIENTS)
    with ctx.db.reader() as s:
        out: dict[str, list[tuple[int, str]]] = {}
        for key, model in (("regions", Region), ("industries", Industry), ("sources", Source)):
            stmt = select(model.id, model.name).where(model.is_active.is_(True))
            out[key] = [(r.id, r.name) for r in s.execute(stmt.order_by(model.name))]
        users = select(AppUser.id, AppUser.full_name).order_by(AppUser.full_name, AppUser.id)
        if not ctx.is_system:
            users = users.where(owned_by_visible(ctx, AppUser.id))
        out["managers"] = [(r.id, r.full_name) for r in s.execute(users)]
        return out


# --- create / update / delete (C3, C4) -----------------------------------------------------


def derived_columns(company: Company) -> dict[str, Any]:
    """The search and duplicate-check columns that follow from name and city."""
    return {
        "name_fold": fold(company.name)[:250],
        "name_key": company_name(company.name)[:250],
        "city_fold": (fold(company.city)[:100] or None) if company.city else None,
    }


def company_form(data: Mapping[str, Any], *, partial: bool = False) -> tuple[dict, dict]:
    """The company form's checks (C4) for other areas (the 1C sync): clean values, errors."""
    return company_values(data, partial=partial)


def refresh_search_words(session: Session, company_ids: Sequence[int]) -> None:
    """Re-make the search words of companies another area wrote (the 1C sync)."""
    refresh_companies(session, company_ids)


def check_references(
    session: Session, clean: Mapping[str, Any], errors: dict[str, str], current: Any = None
) -> None:
    """Region, industry, source and manager must exist; a region, industry or source
    other than the ``current`` company's must be active."""
    for key, model in (
        ("region_id", Region),
        ("industry_id", Industry),
        ("source_id", Source),
        ("manager_id", AppUser),
    ):
        value = clean.get(key)
        if value is None or key in errors:
            continue
        if session.scalar(select(model.id).where(model.id == value)) is None:
            errors[key] = _("No such entry: {id}").format(id=value)
        elif model is not AppUser:
            had = getattr(current, key) if current is not None else None
            check_active(session, model, model.id, value, had, key, errors)


def _manager_allowed(ctx: Context, manager_id: int | None, errors: dict[str, str]) -> None:
    if manager_id is not None and manager_id != ctx.user_id and not can_see_user(ctx, manager_id):
        errors["manager_id"] = _("You cannot give clients to this user")


def add_phone_row(
    session: Session, ctx: Context, company_id: int, number: str, contact_id: int | None = None
) -> Phone:
    phone = Phone(
        company_id=company_id,
        contact_id=contact_id,
        number=number,
        digits=phone_digits(number)[:20],
        phone_kind=PhoneKind.WORK,
        updated_by=ctx.user_id,
    )
    record_create(session, ctx, phone, "phone")
    return phone


def add_email_row(
    session: Session, ctx: Context, company_id: int, address: str, contact_id: int | None = None
) -> Email:
    email = Email(
        company_id=company_id,
        contact_id=contact_id,
        address=address,
        address_key=email_key(address)[:200],
        updated_by=ctx.user_id,
    )
    record_create(session, ctx, email, "email")
    return email


def create_company(ctx: Context, data: CompanyInput, force: bool = False) -> int:
    """Register a company (C3): validated (C4), checked for duplicates — which raise
    ``DuplicatesFound`` unless ``force`` — then saved with its first phone and e-mail,
    search words and audit. Returns the new id. Manager: the user, unless another one
    is given (needs ``reassign``)."""
    ctx.require(R.CLIENTS, R.EDIT)
    if data.manager_id is not None and data.manager_id != ctx.user_id:
        ctx.require(R.REASSIGN)
    clean, errors = company_values({k: getattr(data, k) for k in COMPANY_FIELDS})
    manager_id = clean.pop("manager_id", None)
    if manager_id is None:
        manager_id = ctx.user_id
    _manager_allowed(ctx, manager_id, errors)
    if errors:
        raise ValidationFailed(errors)
    phone, email = clean.pop("phone", None), clean.pop("email", None)
    with writing(ctx) as s:
        lock_for_writing(s.connection(), Company.__table__)  # the check and the insert: one step
        check_references(s, {**clean, "manager_id": manager_id}, errors)
        if errors:
            raise ValidationFailed(errors)
        if not force:
            hits = duplicate_hits(s, ctx, clean["name"], clean.get("inn"), phone, email)
            if hits:
                raise DuplicatesFound(hits)
        company = Company(
            **clean, manager_id=manager_id, created_by=ctx.user_id, updated_by=ctx.user_id
        )
        for key, value in derived_columns(company).items():
            setattr(company, key, value)
        record_create(s, ctx, company, "company")
        if phone:
            add_phone_row(s, ctx, company.id, phone)
        if email:
            add_email_row(s, ctx, company.id, email)
        refresh_companies(s, [company.id])
        return company.id


def _main_row(session: Session, model: Any, company_id: int) -> Any:
    return session.scalar(
        select(model)
        .where(model.company_id == company_id, model.contact_id.is_(None))
        .order_by(model.id)
        .limit(1)
    )


def _set_main(
    session: Session,
    ctx: Context,
    company_id: int,
    kind: str,
    value: str | None,
) -> bool:
    """Make the company's first own phone (``kind`` "phone") or e-mail ("email")
    ``value`` (None: remove it). Changed?"""
    model, field, add_row, derived = _MAIN_ROWS[kind]
    row = _main_row(session, model, company_id)
    if value is None:
        if row is None:
            return False
        record_delete(session, ctx, row, kind)
        return True
    if row is None:
        add_row(session, ctx, company_id, value)
        return True
    return bool(apply_changes(session, ctx, row, {field: value}, kind, derived=derived))


# kind → (model, its value column, how a new row is added, columns derived from the value)
_MAIN_ROWS: dict[str, tuple[Any, str, Callable[..., Any], Callable[[Any], dict[str, Any]]]] = {
    "phone": (Phone, "number", add_phone_row, lambda p: {"digits": phone_digits(p.number)[:20]}),
    "email": (
        Email,
        "address",
        add_email_row,
        lambda e: {"address_key": email_key(e.address)[:200]},
    ),
}


_WORD_FIELDS = frozenset({"name", "full_name", "inn", "ogrn"})


def update_company(ctx: Context, company_id: int, version: int, **changes: Any) -> int:
    """Save changed fields of a company (``CompanyInput`` names; ``phone``/``email``
    replace its first own phone / e-mail, an empty value removes it). ``version`` is
    the one the user started editing from: if someone saved meanwhile, ``Conflict``
    ("changed by X at T") and nothing is written. Returns the new version."""
    ctx.require(R.CLIENTS, R.EDIT)
    unknown = sorted(set(changes) - set(COMPANY_FIELDS))
    if unknown:
        raise ValidationFailed({key: _("Unknown field") for key in unknown})
    clean, errors = company_values(changes, partial=True)
    if errors:
        raise ValidationFailed(errors)
    phone = clean.pop("phone", _MISSING)
    email = clean.pop("email", _MISSING)
    with writing(ctx, Company, company_id) as s:
        company = visible_company(s, ctx, company_id)
        if company.version != version:
            raise conflict_for(s, Company, company_id)
        if "manager_id" in clean:
            if clean["manager_id"] is None:
                clean.pop("manager_id")
            elif clean["manager_id"] != company.manager_id:
                ctx.require(R.REASSIGN)
                _manager_allowed(ctx, clean["manager_id"], errors)
        check_references(s, clean, errors, current=company)
        if errors:
            raise ValidationFailed(errors)
        diff = apply_changes(s, ctx, company, clean, "company", derived=derived_columns)
        reach = False
        if phone is not _MISSING:
            reach |= _set_main(s, ctx, company.id, "phone", phone)  # type: ignore[arg-type]
        if email is not _MISSING:
            reach |= _set_main(s, ctx, company.id, "email", email)  # type: ignore[arg-type]
        if reach and not diff:
            new_version(s, ctx, company)  # its phone or e-mail changed
        if reach or _WORD_FIELDS & set(diff):
            refresh_companies(s, [company.id])
        return company.version


def delete_company(ctx: Context, company_id: int, version: int) -> None:
    """Delete a company with everything that belongs to it (needs ``delete``)."""
    ctx.require(R.CLIENTS, R.DELETE)
    with writing(ctx, Company, company_id) as s:
        company = visible_company(s, ctx, company_id)
        if company.version != version:
            raise conflict_for(s, Company, company_id)
        drop_company_words(s, company_id)
        # the database deletes its contact persons and deals with it; their values too
        drop_values(s, FieldEntity.COMPANY, [company_id])
        for model, entity in ((Contact, FieldEntity.CONTACT), (Deal, FieldEntity.DEAL)):
            owned = s.scalars(select(model.id).where(model.company_id == company_id)).all()
            drop_values(s, entity, owned)
        s.execute(
            delete(OnecLink)
            .where(OnecLink.object_kind == "company", OnecLink.object_id == company_id)
            .execution_options(synchronize_session=False)
        )
        record_delete(s, ctx, company, "company")


def reassign(ctx: Context, company_ids: Sequence[int], manager_id: int) -> int:
    """Give companies to another manager (needs ``reassign``; the user must see both
    the companies and the manager). Returns how many changed hands."""
    ctx.require(R.CLIENTS, R.EDIT, R.REASSIGN)
    wanted = sorted(set(company_ids))
    with writing(ctx) as s:
        if s.scalar(select(AppUser.id).where(AppUser.id == manager_id)) is None or not (
            can_see_user(ctx, manager_id)
        ):
            raise NotFound(_("User"), manager_id)
        missing = sorted(set(wanted) - visible_ids(s, ctx, wanted))
        if missing:
            raise NotFound(_("Company"), missing[0])
        changed = 0
        for chunk in chunks(wanted):
            for company in s.scalars(select(Company).where(id_in(Company.id, chunk))):
                if company.manager_id != manager_id:
                    apply_changes(s, ctx, company, {"manager_id": manager_id}, "company")
                    changed += 1
        return changed
