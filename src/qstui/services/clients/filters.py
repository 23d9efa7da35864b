"""The filtered client query (C1) and saved filters.

``restriction(ctx, flt)`` turns a ``ClientFilter`` into what a query on ``Company``
needs: WHERE conditions (visibility always first) and derived tables of matching
company ids to join (``Restriction.apply(stmt)``). Everything the user typed is bound
as a parameter and matched on normalized, indexed columns (ARCHITECTURE rule 7).

- The quick filter ``text``: every typed word must be the start of a word in
  ``search_words`` of the company (its name, INN, OGRN, own phones and e-mails) or of
  one of its contact persons (name, phones, e-mails), or the start of its city. A word
  with ``@`` or an inner dot (``info@romashka.ru``, ``romashka.ru``) is matched whole,
  as the index keeps e-mails and domains; a number typed like a phone
  (``8 495 123-45-67``) is matched as phone digits; a word of punctuation only (``%``,
  ``_``, ``'``) is looked for literally inside the company name.
- ``name``, ``inn``, ``city``: start of the name (as written, or without the legal
  form), of the INN, of the city; ``phone``: digits anywhere in a phone of the company
  or its people; ``email``: start of an address; ``contact``: every word is the start
  of a word of one and the same contact person (name, phones, e-mails); ``custom``: start
  of a custom field's value; ``group_id``: a group the user sees.

How it runs: each word of the quick filter (and the contact, phone, e-mail, group and
custom filters) is one derived table of company ids, read through an index once (the
word prefix is a range on ``search_words.word``) and joined to ``companies`` by primary
key — not a correlated EXISTS per company, which Firebird 3 would evaluate for every
row (it has no semi-join) and SQLite too when counting. The exception is a page of the
list for a wide prefix, one that matches most companies (``wide_prefixes``): there the
EXISTS per company, walked in the list's order, stops after a page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session, aliased

from qstui.db.compat import chunks, contains, id_in, no_index, prefix_match
from qstui.db.models import (
    ClientGroup,
    Company,
    CustomField,
    CustomValue,
    Email,
    GroupMember,
    Phone,
    SavedFilter,
    SearchWord,
)
from qstui.domain.clients import ClientFilter, SavedFilterInfo
from qstui.domain.clock import utcnow
from qstui.domain.enums import AuditAction, FieldEntity
from qstui.domain.errors import NotFound, ValidationFailed
from qstui.domain.normalize import (
    company_name,
    email_key,
    fold,
    phone_digits,
    search_prefix,
    words,
)
from qstui.i18n import _
from qstui.services import audit
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.search import index as si
from qstui.services.visibility import company_visible

SCREEN = "clients"
WIDE_WORDS = 3000  # a prefix of this many index words or more is "wide"
MAX_TERMS = 10  # words of a filter that count; the rest is ignored
_PHONE_LIKE = re.compile(r"\+?[\d\s().\-]+")
_SEARCHED_KINDS = (si.COMPANY, si.CONTACT)


@dataclass
class Restriction:
    """WHERE conditions on ``Company`` and derived tables (with a ``company_id``
    column) that a matching company must be found in."""

    where: list[ColumnElement[bool]] = field(default_factory=list)
    sources: list[Any] = field(default_factory=list)

    def apply(self, stmt: Select[Any]) -> Select[Any]:
        """``stmt`` (a select from ``companies``) narrowed to the matching companies."""
        for source in self.sources:
            stmt = stmt.join(source, source.c.company_id == Company.id)
        return stmt.where(*self.where)


def _words_of(prefixes: list[str], with_city: bool = False) -> Any:
    """Companies with a company or contact word starting with any of ``prefixes`` (or,
    with ``with_city``, whose city starts with one of them): a derived table."""
    parts: list[Any] = [
        select(SearchWord.company_id.label("company_id")).where(
            prefix_match(SearchWord.word, p[: si.WORD_MAX]),
            no_index(SearchWord.object_kind).in_(_SEARCHED_KINDS),
        )
        for p in prefixes
    ]
    if with_city:
        parts += [
            select(Company.id.label("company_id")).where(prefix_match(Company.city_fold, p[:100]))
            for p in prefixes
        ]
    return union(*parts).subquery() if len(parts) > 1 else parts[0].distinct().subquery()


def _has_word(prefix: str) -> ColumnElement[bool]:
    """The company has a word starting with ``prefix``, or its city does: checked per
    company, which is quicker than the derived table when most companies match."""
    word = (
        select(SearchWord.id)
        .where(
            SearchWord.company_id == Company.id,
            prefix_match(SearchWord.word, prefix),
            no_index(SearchWord.object_kind).in_(_SEARCHED_KINDS),
        )
        .exists()
    )
    return or_(prefix_match(Company.city_fold, prefix[:100]), word)


def wide_prefixes(session: Session, flt: ClientFilter) -> frozenset[str]:
    """The quick filter's prefixes that start ``WIDE_WORDS`` index words or more.

        A wide prefix («р», «ром») matches most companies: a page of the list is found
        soonest by walking the list in its order and checking each company (``_has_word``,
        one probe of the ``(company_id, word)`` index). A narrow one («7707») matches few:
        its companies are read from the word index first (``_words_of``). Measured on
        100 000 companies (4.8 M words): «р» 470 → 36 ms on Firebird; the break-even is near
        2 500 words. Counting up to ``WIDE_WORDS`` words (~20 ms on Firebird) is done once
    per prefix and database in a process."""
    if not flt.text or not flt.text.strip():
        return frozenset()
    prefixes, _literal, phone = quick_terms(flt.text)
    if phone is not None:
        return frozenset()
    return frozenset(p for p in prefixes if _is_wide(session, p))


# (database, prefix) -> wide: how many words a prefix starts changes slowly, and a stale
# answer only picks the slower of two right plans
_widths: dict[tuple[str, str], bool] = {}


def _is_wide(session: Session, prefix: str) -> bool:
    key = (str(session.get_bind().url), prefix)
    if key not in _widths:
        first = (
            select(SearchWord.id)
            .where(prefix_match(SearchWord.word, prefix[: si.WORD_MAX]))
            .limit(WIDE_WORDS)
            .subquery()
        )
        if len(_widths) >= 4096:
            _widths.clear()
        _widths[key] = session.scalar(select(func.count()).select_from(first)) >= WIDE_WORDS
    return _widths[key]


def _phone_terms(text: str) -> list[str] | None:
    """Prefixes to look for when ``text`` looks like a phone number (≥ 5 digits, or
    ≥ 4 after a "+")."""
    stripped = text.strip()
    if not _PHONE_LIKE.fullmatch(stripped):
        return None
    raw = "".join(ch for ch in stripped if ch.isdigit())
    # "+7 495" is the start of a number already: its words "7" and "495" would match
    # every INN and number that begins so (slow on 100 000 clients, and not meant)
    if len(raw) < (4 if stripped.startswith("+") else 5):
        return None
    return sorted({raw, phone_digits(stripped)} - {""})


def quick_terms(text: str) -> tuple[list[str], list[str], list[str] | None]:
    """The quick filter read: (word prefixes, literal name fragments, phone prefixes)."""
    phone = _phone_terms(text)
    if phone is not None:
        return [], [], phone
    prefixes: list[str] = []
    literal: list[str] = []
    for term in search_prefix(text, 1000).split()[:MAX_TERMS]:
        term = term[: si.WORD_MAX]
        tokens = words(term)
        whole = term.strip(".,;:!?")
        if not tokens:
            literal.append(term)
        elif "@" in whole or "." in whole:
            prefixes.append(whole)
        else:
            prefixes.extend(t[: si.WORD_MAX] for t in tokens)
    unique = list(dict.fromkeys(prefixes))
    # a prefix of another typed word adds nothing («ром ромашка»)
    kept = [p for p in unique if not any(o != p and o.startswith(p) for o in unique)]
    return kept[:MAX_TERMS], literal[:MAX_TERMS], None


def _contact_source(text: str) -> Any | None:
    """Companies with one contact person who has a word starting with every word."""
    tokens = [t[: si.WORD_MAX] for t in words(text)][:MAX_TERMS]
    if not tokens:
        return None
    first = aliased(SearchWord)
    stmt = select(first.company_id.label("company_id")).where(
        no_index(first.object_kind) == si.CONTACT, prefix_match(first.word, tokens[0])
    )
    for token in tokens[1:]:
        other = aliased(SearchWord)
        stmt = stmt.join(
            other,
            and_(
                other.object_kind == si.CONTACT,
                other.object_id == first.object_id,
                prefix_match(other.word, token),
            ),
        )
    return stmt.distinct().subquery()


def group_visible(ctx: Context) -> ColumnElement[bool]:
    """Shared groups, and the user's own personal ones (the admin CLI sees all)."""
    if ctx.is_system:
        return ClientGroup.id.is_not(None)
    return or_(ClientGroup.is_shared.is_(True), ClientGroup.owner_id == ctx.user_id)


def restriction(ctx: Context, flt: ClientFilter, wide: frozenset[str] = frozenset()) -> Restriction:
    """What a query on ``Company`` needs to show the visible companies matching ``flt``;
    the quick filter's ``wide`` prefixes (``wide_prefixes``) are checked per company."""
    out = Restriction(where=[company_visible(ctx)])
    where, sources = out.where, out.sources
    if flt.text and flt.text.strip():
        prefixes, literal, phone = quick_terms(flt.text)
        if phone is not None:
            sources.append(_words_of(phone))
        for prefix in prefixes:
            if prefix in wide:
                where.append(_has_word(prefix))
            else:
                sources.append(_words_of([prefix], with_city=True))
        where.extend(contains(Company.name_fold, piece) for piece in literal)
    if flt.name and search_prefix(flt.name):
        folded = search_prefix(flt.name, 250)
        key = company_name(folded)[:250]
        where.append(
            or_(prefix_match(Company.name_fold, folded), prefix_match(Company.name_key, key))
        )
    if flt.inn and flt.inn.strip():
        where.append(prefix_match(Company.inn, flt.inn.strip()[:12]))
    if flt.city and search_prefix(flt.city):
        where.append(prefix_match(Company.city_fold, search_prefix(flt.city, 100)))
    if flt.phone:
        digits = "".join(ch for ch in flt.phone if ch.isdigit())[:20]
        if digits:
            sources.append(
                select(Phone.company_id.label("company_id"))
                .where(contains(Phone.digits, digits))
                .distinct()
                .subquery()
            )
    if flt.email and email_key(flt.email):
        sources.append(
            select(Email.company_id.label("company_id"))
            .where(prefix_match(Email.address_key, email_key(flt.email)[:200]))
            .distinct()
            .subquery()
        )
    if flt.contact:
        source = _contact_source(flt.contact)
        if source is not None:
            sources.append(source)
    for column, value in (
        (Company.manager_id, flt.manager_id),
        (Company.region_id, flt.region_id),
        (Company.industry_id, flt.industry_id),
        (Company.source_id, flt.source_id),
        (Company.client_kind, flt.client_kind),
    ):
        if value is not None:
            where.append(column == value)
    if flt.group_id is not None:
        sources.append(
            select(GroupMember.company_id.label("company_id"))
            .join(ClientGroup, ClientGroup.id == GroupMember.group_id)
            .where(GroupMember.group_id == flt.group_id, group_visible(ctx))
            .subquery()
        )
    if flt.rating_min is not None:
        where.append(Company.rating >= flt.rating_min)
    if flt.idle_days is not None:
        cutoff = utcnow() - timedelta(days=max(0, flt.idle_days))
        where.append(or_(Company.last_contact_at.is_(None), Company.last_contact_at < cutoff))
    for field_id, value in list((flt.custom or {}).items())[:MAX_TERMS]:
        sources.append(
            select(CustomValue.object_id.label("company_id"))
            .join(CustomField, CustomField.id == CustomValue.field_id)
            .where(
                CustomValue.field_id == int(field_id),
                CustomField.entity == FieldEntity.COMPANY,
                prefix_match(CustomValue.val_fold, fold(str(value or ""))[:250]),
            )
            .subquery()
        )
    return out


# --- visible companies -------------------------------------------------------------------


def visible_company(session: Session, ctx: Context, company_id: int) -> Company:
    """The company row if ``ctx`` sees it; NotFound otherwise (never reveal it exists)."""
    company = session.scalar(select(Company).where(Company.id == company_id, company_visible(ctx)))
    if company is None:
        raise NotFound(_("Company"), company_id)
    return company


def visible_ids(session: Session, ctx: Context, company_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(sorted(set(company_ids))):
        found.update(
            session.scalars(
                select(Company.id).where(id_in(Company.id, chunk), company_visible(ctx))
            )
        )
    return found


# --- saved filters -------------------------------------------------------------------------


def _info(row: SavedFilter) -> SavedFilterInfo:
    return SavedFilterInfo(
        id=row.id,
        name=row.name,
        filter=ClientFilter.from_dict(row.definition),
        updated_at=row.updated_at,
    )


def _own(ctx: Context) -> ColumnElement[bool]:
    if ctx.user_id is None:
        return SavedFilter.user_id.is_(None)
    return SavedFilter.user_id == ctx.user_id


def save_filter(ctx: Context, name: str, flt: ClientFilter) -> int:
    """Save ``flt`` under ``name`` for the user (replacing a filter of that name)."""
    ctx.require(R.CLIENTS)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed({"name": _("A name of 1–100 characters is required")})
    definition = flt.to_dict()
    if len(json.dumps(definition, ensure_ascii=False)) > 3500:
        raise ValidationFailed({"filter": _("The filter is too long to be saved")})
    with ctx.db.transaction() as s:
        row = s.scalar(
            select(SavedFilter).where(
                _own(ctx), SavedFilter.screen == SCREEN, SavedFilter.name == name
            )
        )
        if row is None:
            row = SavedFilter(
                user_id=ctx.user_id,
                screen=SCREEN,
                name=name,
                definition=definition,
                updated_by=ctx.user_id,
            )
            s.add(row)
            s.flush()
            audit.record(s, ctx, AuditAction.CREATE, "saved_filter", row.id, {"name": [None, name]})
        elif row.definition != definition:
            old = row.definition
            row.definition = definition
            row.updated_by = ctx.user_id
            s.flush()
            audit.record(
                s,
                ctx,
                AuditAction.UPDATE,
                "saved_filter",
                row.id,
                {"definition": [old, definition]},
            )
        return row.id


def list_filters(ctx: Context) -> list[SavedFilterInfo]:
    ctx.require(R.CLIENTS)
    with ctx.db.reader() as s:
        rows = s.scalars(
            select(SavedFilter)
            .where(_own(ctx), SavedFilter.screen == SCREEN)
            .order_by(SavedFilter.name)
        )
        return [_info(row) for row in rows]


def delete_filter(ctx: Context, filter_id: int) -> None:
    ctx.require(R.CLIENTS)
    with ctx.db.transaction() as s:
        row = s.scalar(
            select(SavedFilter).where(
                SavedFilter.id == filter_id, _own(ctx), SavedFilter.screen == SCREEN
            )
        )
        if row is None:
            raise NotFound(_("Saved filter"), filter_id)
        audit.record(s, ctx, AuditAction.DELETE, "saved_filter", row.id, {"name": [row.name, None]})
        s.delete(row)
