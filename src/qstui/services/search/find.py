"""Find anything: companies (name, INN, OGRN, phones, e-mails), contact persons, deals,
products and knowledge-base articles, by word prefix over the word index
(``search_words``, made by ``services.search_index``).

How a query is read:

- The text is split into terms: normally the words of ``normalize.words`` (folded, so
  the search is case- and ё-insensitive). A phone number typed with separators
  ("+7 (495) 123-45-67", "8 495 123", "925-94-55") is one term of its digits (a Russian
  number without its leading 7/8: the index keeps the 10-digit form of every number).
  A word with "@" is one e-mail term and a dotted Latin word ("mail.ru", "ivan.petrov")
  stays whole, as the index keeps e-mails and domains whole.
- A term that is the prefix of another term adds nothing and is dropped; at most
  ``MAX_TERMS`` terms are used (the longest ones). Each is cut like the index words.
- An object is found when EVERY term is the prefix of some word of that same object
  («ромаш плюс» finds «Ромашка-Плюс», not «Ромашка»). Every value is a bound parameter
  and matched with ``compat.prefix_match`` (``STARTING WITH`` on Firebird, a range on
  SQLite): ``%``, ``_``, quotes are plain text; never LIKE.

How it runs (a few queries, whatever the size of the database):

1. With several terms, each term's index words are counted up to ``COUNT_CAP`` (an
   index-only range scan) and the rarest term drives; with one term nothing is counted.
2. One query reads the driving term's rows of ``search_words`` in word order through
   the index on ``word`` — filtered by the kinds the user may see, by visibility
   (``search_words.company_id``; for deals also the deal's manager) and, per row, by
   the other terms (EXISTS through the index on ``(object_kind, object_id)``) — and
   stops after ``max(MIN_CANDIDATES, limit × CANDIDATES_PER_HIT)`` rows. Whole-word
   matches sort first in word order, so they are always among the rows read.
3. Titles are loaded per kind, in listing order, for the kinds among the candidates
   and only while they can still make it into the list: up to ``IN_SMALL`` ids by an
   IN list, more by joining the candidates query by primary key (sorted and cut to
   ``limit`` in SQL). Visibility is checked again on the real rows.

So a term that matches a huge number of objects ("а", "ооо") costs a bounded amount:
the hits are then the best-ranked among the first candidates in word order, not
necessarily the alphabetically first of all matches — typing more narrows them.

Rights: companies and contacts need ``R.CLIENTS``, deals ``R.DEALS``, products
``R.CLIENTS`` or ``R.DEALS``, articles ``R.KNOWLEDGE``; a user without a module gets no
hits of it; only a user with none of them is refused. Companies and contacts are found
when the company is visible; deals when ``visibility.deal_visible`` (the company is
visible, or the deal's manager is a visible one). Products and articles (published ones,
and one's own drafts) are found by everyone with the module.

Order: hits where a typed word equals a whole word first, then by kind (company,
contact, deal, product, article), then by title.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from qstui.db.compat import no_index, prefix_match
from qstui.db.models import Company, Contact, Deal, KbArticle, KbCategory, Product, SearchWord
from qstui.domain.enums import DealStatus
from qstui.domain.errors import AccessDenied
from qstui.domain.formatting import money
from qstui.domain.names import person_name
from qstui.domain.normalize import email_key, fold, search_prefix, words
from qstui.domain.search import KIND_ORDER, HitKind, SearchHit
from qstui.i18n import N_, _
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.search.index import WORD_MAX
from qstui.services.visibility import company_visible, deal_visible, owned_by_visible, sees_all

MAX_TERMS = 5
MAX_TEXT = 1000  # characters of the typed text that are looked at
MAX_LIMIT = 500
COUNT_CAP = 3000  # index words counted per term to choose the driving one
IN_SMALL = 50  # up to this many candidates of a kind are loaded by an IN list
MIN_CANDIDATES = 500  # index rows of the driving term read at most: max(this, limit × 25)
CANDIDATES_PER_HIT = 25
SEPARATOR = " · "


_PHONE_TEXT = re.compile(r"\+?[\d\s().\-]+")
_PHONE_SEPARATORS = re.compile(r"[\s().\-+]")
_DOTTED = re.compile(r"[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.[a-z][a-z0-9\-]+")
_EDGE_PUNCTUATION = "<>()[]{},;:\"'«»“”„`"

STATUS_LABELS = {
    DealStatus.OPEN: N_("open"),
    DealStatus.WON: N_("won"),
    DealStatus.LOST: N_("lost"),
}


# --- reading the query -------------------------------------------------------------------


def _cut(text: str) -> str:
    return search_prefix(text, WORD_MAX)


def _phone_term(text: str) -> str | None:
    """A phone number typed as one term, or None when ``text`` is not one.

    The index keeps a Russian number as 11 digits, as the 10 digits without the country
    code and as the last seven (``search_index.phone_words``), so a number written the
    Russian way (+7…, 8…, 7… with separators, or 11 bare digits) is searched by its 10
    digits: "+7 (495) 123-45-67" and "8 495 123" both find "+7 495 123-45-67".
    """
    stripped = text.strip()
    if not _PHONE_TEXT.fullmatch(stripped):
        return None
    digits = "".join(ch for ch in stripped if "0" <= ch <= "9")
    if not 5 <= len(digits) <= 15:
        return None
    if stripped.startswith("+"):
        return digits[1:] if digits.startswith("7") else digits
    formatted = bool(_PHONE_SEPARATORS.search(stripped))
    if digits[0] in "78" and (formatted or len(digits) == 11):
        return digits[1:]
    return digits


def _chunk_terms(chunk: str) -> list[str]:
    if "@" in chunk:
        key = email_key(chunk).strip(_EDGE_PUNCTUATION)
        local, _at, domain = key.partition("@")
        key = _cut(key if local else domain)
        return [key] if key and key != "@" else []
    folded = fold(chunk).strip(_EDGE_PUNCTUATION).rstrip(".")
    if _DOTTED.fullmatch(folded):
        return [_cut(folded)]
    return [cut for cut in (_cut(word) for word in words(chunk)) if cut]


def terms(text: Any) -> list[str]:
    """The terms of a typed query, longest first (ties in typed order); [] for nothing.
    A term that is the prefix of another one adds nothing and is dropped."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = text[:MAX_TEXT]
    phone = _phone_term(text)
    found = [phone] if phone else [t for chunk in text.split() for t in _chunk_terms(chunk)]
    unique = list(dict.fromkeys(found))
    kept = [t for t in unique if not any(o != t and o.startswith(t) for o in unique)]
    kept.sort(key=lambda t: -len(t))  # stable
    return kept[:MAX_TERMS]


# --- the queries -------------------------------------------------------------------------


def _rows_visible(ctx: Context, kinds: Sequence[HitKind]) -> ColumnElement[bool]:
    """Condition on ``search_words`` rows: of an open kind and visible to ``ctx``."""
    word = SearchWord
    kind = no_index(word.object_kind)
    parts: list[ColumnElement[bool]] = []
    clients = [k.value for k in kinds if k in (HitKind.COMPANY, HitKind.CONTACT)]
    if clients:
        parts.append(and_(kind.in_(clients), company_visible(ctx, word.company_id)))
    if HitKind.DEAL in kinds:
        managed = exists().where(Deal.id == word.object_id, owned_by_visible(ctx, Deal.manager_id))
        deal_ok = true() if sees_all(ctx) else or_(company_visible(ctx, word.company_id), managed)
        parts.append(and_(kind == HitKind.DEAL.value, deal_ok))
    public = [k.value for k in kinds if k in (HitKind.PRODUCT, HitKind.ARTICLE)]
    if public:
        parts.append(kind.in_(public))
    return or_(*parts)


def _count_capped(s: Session, term: str) -> int:
    """How many index words start with ``term``, counted up to ``COUNT_CAP``."""
    sample = select(literal_column("1").label("one")).where(prefix_match(SearchWord.word, term))
    return s.scalar(select(func.count()).select_from(sample.limit(COUNT_CAP).subquery())) or 0


def _drive_first(s: Session, found: Sequence[str]) -> list[str]:
    """The terms with the rarest one first (it drives the query); the others are then
    checked per object. One term: nothing to count."""
    if len(found) < 2:
        return list(found)
    counts = [_count_capped(s, term) for term in found]
    return [found[i] for i in sorted(range(len(found)), key=lambda i: (counts[i], i))]


def _candidates(ctx: Context, kinds: Sequence[HitKind], found: Sequence[str], cap: int) -> Any:
    """Subquery ``(kind, oid, exact)``: at most ``cap`` index rows of the driving term in
    word order (so whole-word matches come first) whose object is of an open kind,
    visible, and matches every other term."""
    drive, *rest = found
    word = SearchWord
    conditions = [prefix_match(word.word, drive), _rows_visible(ctx, kinds)]
    for term in rest:
        other = aliased(SearchWord)
        conditions.append(
            exists().where(
                other.object_kind == word.object_kind,
                other.object_id == word.object_id,
                prefix_match(no_index(other.word), term),
            )
        )
    exact = case((word.word == drive, literal_column("1")), else_=literal_column("0"))
    return (
        select(word.object_kind.label("kind"), word.object_id.label("oid"), exact.label("exact"))
        .where(and_(*conditions))
        .order_by(word.word)  # the index order: Firebird navigates it, no sort of the range
        .limit(cap)
        .subquery()
    )


def _matched(candidates: Any, kind: HitKind) -> Any:
    """Subquery ``(oid, exact)``: the candidate objects of ``kind``, once each."""
    return (
        select(candidates.c.oid, func.max(candidates.c.exact).label("exact"))
        .where(candidates.c.kind == kind.value)
        .group_by(candidates.c.oid)
        .subquery()
    )


# --- titles ------------------------------------------------------------------------------
# Per kind: the visible rows with what the title and subtitle need, the id column and
# the sort column. Visibility is checked again on the real rows (the index row's
# company_id could be stale).


def _companies(ctx: Context) -> tuple[Select[Any], Any, Any]:
    query = select(
        Company.id, Company.name, Company.inn, Company.city, Company.name_fold.label("sort_key")
    ).where(company_visible(ctx))
    return query, Company.id, Company.name_fold


def _contacts(ctx: Context) -> tuple[Select[Any], Any, Any]:
    query = (
        select(
            Contact.id,
            Contact.last_name,
            Contact.first_name,
            Contact.middle_name,
            Contact.job_title,
            Contact.company_id,
            Company.name.label("company_name"),
            Contact.name_fold.label("sort_key"),
        )
        .join(Company, Company.id == Contact.company_id)
        .where(company_visible(ctx))
    )
    return query, Contact.id, Contact.name_fold


def _deals(ctx: Context) -> tuple[Select[Any], Any, Any]:
    # An alias: ``deal_visible`` has its own EXISTS over ``companies`` that must not
    # correlate with the company joined here for the name.
    owner = aliased(Company)
    query = (
        select(
            Deal.id,
            Deal.title,
            Deal.status,
            Deal.amount,
            Deal.currency_code,
            Deal.company_id,
            owner.name.label("company_name"),
            Deal.title_fold.label("sort_key"),
        )
        .join(owner, owner.id == Deal.company_id)
        .where(deal_visible(ctx))
    )
    return query, Deal.id, Deal.title_fold


def _products(ctx: Context) -> tuple[Select[Any], Any, Any]:
    query = select(
        Product.id,
        Product.name,
        Product.sku,
        Product.price,
        Product.currency_code,
        Product.name_fold.label("sort_key"),
    )
    return query, Product.id, Product.name_fold


def _articles(ctx: Context) -> tuple[Select[Any], Any, Any]:
    query = select(
        KbArticle.id,
        KbArticle.title,
        KbCategory.name.label("category"),
        KbArticle.title_fold.label("sort_key"),
    ).join(KbCategory, KbCategory.id == KbArticle.category_id)
    if not ctx.is_system:  # drafts: only their author sees them
        query = query.where(
            or_(KbArticle.is_published == true(), KbArticle.author_id == ctx.user_id)
        )
    return query, KbArticle.id, KbArticle.title_fold


_LOADERS = {
    HitKind.COMPANY: _companies,
    HitKind.CONTACT: _contacts,
    HitKind.DEAL: _deals,
    HitKind.PRODUCT: _products,
    HitKind.ARTICLE: _articles,
}


def _subtitle(*parts: Any) -> str:
    return SEPARATOR.join(str(p) for p in parts if p not in (None, ""))


def _hit(kind: HitKind, row: Any, exact: bool) -> SearchHit:
    if kind is HitKind.COMPANY:
        return SearchHit(kind, row.id, row.name, _subtitle(row.inn, row.city), row.id, exact)
    if kind is HitKind.CONTACT:
        name = person_name(row.last_name, row.first_name, row.middle_name) or ""
        subtitle = _subtitle(row.company_name, row.job_title)
        return SearchHit(kind, row.id, name, subtitle, row.company_id, exact)
    if kind is HitKind.DEAL:
        status = _(STATUS_LABELS[row.status]) if row.status in STATUS_LABELS else row.status
        subtitle = _subtitle(row.company_name, status, money(row.amount, row.currency_code))
        return SearchHit(kind, row.id, row.title, subtitle, row.company_id, exact)
    if kind is HitKind.PRODUCT:
        subtitle = _subtitle(row.sku, money(row.price, row.currency_code))
        return SearchHit(kind, row.id, row.name, subtitle, None, exact)
    return SearchHit(kind, row.id, row.title, _subtitle(row.category), None, exact)


def _load(
    s: Session,
    ctx: Context,
    kind: HitKind,
    exact_of: dict[int, bool],
    candidates: Any,
    limit: int,
) -> list[tuple[tuple[Any, ...], SearchHit]]:
    """The best ``limit`` hits of ``kind``, keyed for sorting.

    A few ids are loaded by an IN list; many through the candidates subquery joined by
    primary key (Firebird takes ~0.25 ms per IN element: 100 ids cost as much as
    reading the candidates again), sorted and cut to ``limit`` in SQL.
    """
    rank = KIND_ORDER.index(kind)
    query, id_column, sort_column = _LOADERS[kind](ctx)
    if len(exact_of) <= IN_SMALL:
        rows = [
            (row, exact_of[row.id]) for row in s.execute(query.where(id_column.in_(list(exact_of))))
        ]
    else:
        m = _matched(candidates, kind)
        query = (
            query.add_columns(m.c.exact)
            .join(m, m.c.oid == id_column)
            .order_by(m.c.exact.desc(), sort_column, id_column)
            .limit(limit)
        )
        rows = [(row, bool(row.exact)) for row in s.execute(query)]
    keyed = []
    for row, exact in rows:
        hit = _hit(kind, row, exact)
        keyed.append(((not exact, rank, row.sort_key or "", hit.id), hit))
    return keyed


# --- the service -------------------------------------------------------------------------


def searchable_kinds(ctx: Context) -> list[HitKind]:
    """The kinds of hits ``ctx``'s module rights open, in listing order."""
    kinds = []
    if ctx.has(R.CLIENTS):
        kinds += [HitKind.COMPANY, HitKind.CONTACT]
    if ctx.has(R.DEALS):
        kinds.append(HitKind.DEAL)
    if ctx.has(R.CLIENTS) or ctx.has(R.DEALS):
        kinds.append(HitKind.PRODUCT)
    if ctx.has(R.KNOWLEDGE):
        kinds.append(HitKind.ARTICLE)
    return kinds


def find_anything(ctx: Context, text: str, limit: int = 20) -> list[SearchHit]:
    """The objects matching every word of ``text`` that ``ctx`` may see, at most ``limit``.

    Any text is accepted (an empty one, or one without letters or digits, finds
    nothing); AccessDenied only for a user with none of the searchable modules.
    """
    kinds = searchable_kinds(ctx)
    if not kinds:
        raise AccessDenied(R.CLIENTS)
    found = terms(text)
    limit = min(int(limit), MAX_LIMIT)
    if not found or limit < 1:
        return []
    cap = max(MIN_CANDIDATES, limit * CANDIDATES_PER_HIT)
    keyed: list[tuple[tuple[Any, ...], SearchHit]] = []
    with ctx.db.reader() as s:
        candidates = _candidates(ctx, kinds, _drive_first(s, found), cap)
        by_kind: dict[HitKind, dict[int, bool]] = {}
        for kind, object_id, exact in s.execute(select(candidates)):
            of_kind = by_kind.setdefault(HitKind(kind), {})
            of_kind[object_id] = of_kind.get(object_id, False) or bool(exact)
        for kind in kinds:  # in listing order
            # Whole-word hits of the kinds before outrank everything of this one.
            if sum(1 for key, _loaded in keyed if not key[0]) >= limit:
                break
            if kind in by_kind:
                keyed += _load(s, ctx, kind, by_kind[kind], candidates, limit)
    keyed.sort(key=lambda pair: pair[0])
    return [hit for _key, hit in keyed[:limit]]
