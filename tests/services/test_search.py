""" "Find anything" (services.search) on both backends: word-prefix AND matching, typed
hits, rights and visibility, order, limit, and hostile input."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, event, insert, select

from qstui.db.engine import Database
from qstui.db.models import (
    AppUser,
    Company,
    Contact,
    Deal,
    Department,
    KbArticle,
    KbCategory,
    Pipeline,
    Product,
    SearchWord,
    UserRight,
)
from qstui.domain.enums import DealStatus, Role
from qstui.domain.errors import AccessDenied
from qstui.domain.normalize import company_name, fold
from qstui.domain.search import HitKind, SearchHit
from qstui.services import rights as R
from qstui.services.context import Context, context_for
from qstui.services.search import index as si
from qstui.services.search.find import MAX_LIMIT, MAX_TERMS, find_anything, terms

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"


# --- building test data with the ORM and search_index.rows ------------------------------


class Data:
    """Rows written straight to the database, with their search words."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def department(self, name: str) -> int:
        with self.db.transaction() as s:
            dep = Department(name=name)
            s.add(dep)
            s.flush()
            return dep.id

    def user(
        self,
        login: str,
        rights: Iterable[str] = R.PRESETS[Role.MANAGER],
        department_id: int | None = None,
    ) -> int:
        with self.db.transaction() as s:
            user = AppUser(
                login=login,
                full_name=login.title(),
                role=Role.MANAGER,
                pass_hash=HASH,
                department_id=department_id,
            )
            s.add(user)
            s.flush()
            s.add_all(UserRight(user_id=user.id, right_code=code) for code in set(rights))
            return user.id

    def _words(self, s, kind: str, object_id: int, company_id: int | None, found) -> None:
        s.add_all(SearchWord(**row) for row in si.rows(kind, object_id, company_id, found))

    def company(
        self,
        name: str,
        manager_id: int | None = None,
        inn: str | None = None,
        ogrn: str | None = None,
        city: str | None = None,
        phones: Iterable[str] = (),
        emails: Iterable[str] = (),
    ) -> int:
        with self.db.transaction() as s:
            company = Company(
                name=name,
                name_fold=fold(name),
                name_key=company_name(name),
                inn=inn,
                ogrn=ogrn,
                city=city,
                city_fold=fold(city) if city else None,
                manager_id=manager_id,
            )
            s.add(company)
            s.flush()
            found = si.company_words(name, None, inn, ogrn)
            for number in phones:
                found |= si.phone_words(number)
            for address in emails:
                found |= si.email_words(address)
            self._words(s, si.COMPANY, company.id, company.id, found)
            return company.id

    def contact(
        self,
        company_id: int,
        last: str,
        first: str | None = None,
        middle: str | None = None,
        job_title: str | None = None,
        phones: Iterable[str] = (),
        emails: Iterable[str] = (),
    ) -> int:
        with self.db.transaction() as s:
            full = " ".join(p for p in (last, first, middle) if p)
            person = Contact(
                company_id=company_id,
                last_name=last,
                first_name=first,
                middle_name=middle,
                name_fold=fold(full),
                job_title=job_title,
            )
            s.add(person)
            s.flush()
            found = si.contact_words(last, first, middle)
            for number in phones:
                found |= si.phone_words(number)
            for address in emails:
                found |= si.email_words(address)
            self._words(s, si.CONTACT, person.id, company_id, found)
            return person.id

    def deal(
        self,
        company_id: int,
        title: str,
        manager_id: int | None = None,
        amount: str = "0",
        status: DealStatus = DealStatus.OPEN,
    ) -> int:
        with self.db.transaction() as s:
            pipeline_id = s.scalar(select(Pipeline.id).order_by(Pipeline.id).limit(1))
            deal = Deal(
                title=title,
                title_fold=fold(title),
                company_id=company_id,
                manager_id=manager_id,
                pipeline_id=pipeline_id,
                started_on=date(2026, 1, 15),
                status=status,
                amount=Decimal(amount),
            )
            s.add(deal)
            s.flush()
            self._words(s, si.DEAL, deal.id, company_id, si.text_words(title))
            return deal.id

    def product(self, name: str, sku: str | None = None, price: str = "0") -> int:
        with self.db.transaction() as s:
            product = Product(name=name, name_fold=fold(name), sku=sku, price=Decimal(price))
            s.add(product)
            s.flush()
            found = si.text_words(name, sku) | ({fold(sku)} if sku else set())
            self._words(s, si.PRODUCT, product.id, None, found)
            return product.id

    def article(
        self, title: str, category: str = "Сервис", published: bool = True, author_id=None
    ) -> int:
        with self.db.transaction() as s:
            cat = s.scalar(select(KbCategory).where(KbCategory.name == category))
            if cat is None:
                cat = KbCategory(name=category)
                s.add(cat)
                s.flush()
            article = KbArticle(
                category_id=cat.id,
                title=title,
                title_fold=fold(title),
                body="…",
                is_published=published,
                author_id=author_id,
            )
            s.add(article)
            s.flush()
            self._words(s, si.ARTICLE, article.id, None, si.text_words(title))
            return article.id


@pytest.fixture
def data(db: Database) -> Data:
    return Data(db)


def ids(hits: list[SearchHit], kind: HitKind | None = None) -> set[int]:
    return {h.id for h in hits if kind is None or h.kind == kind}


def kinds(hits: list[SearchHit]) -> list[tuple[HitKind, int]]:
    return [(h.kind, h.id) for h in hits]


# --- matching ---------------------------------------------------------------------------


def test_word_prefix_case_and_yo_insensitive(db, data):
    ctx = Context.system(db)
    romashka = data.company('ООО "Ромашка"', city="Москва")
    fedorov_co = data.company("Альфа")
    fedorov = data.contact(fedorov_co, "ФЕДОРОВ", "Пётр")
    data.company("Василёк")

    assert kinds(find_anything(ctx, "ромаш")) == [(HitKind.COMPANY, romashka)]
    assert kinds(find_anything(ctx, "РОМАШКА")) == [(HitKind.COMPANY, romashka)]
    assert kinds(find_anything(ctx, "фёдоров")) == [(HitKind.CONTACT, fedorov)]
    assert kinds(find_anything(ctx, "федор петр")) == [(HitKind.CONTACT, fedorov)]
    assert kinds(find_anything(ctx, "пётр")) == [(HitKind.CONTACT, fedorov)]
    assert ids(find_anything(ctx, "ВАСИЛЕК")) == ids(find_anything(ctx, "василёк"))
    assert len(find_anything(ctx, "василек")) == 1
    assert find_anything(ctx, "машка") == []  # prefix of a word, not a substring


def test_every_typed_word_must_match_the_same_object(db, data):
    ctx = Context.system(db)
    plus = data.company("Ромашка-Плюс")
    plain = data.company("Ромашка")
    other = data.company("Плюс Сервис")

    assert ids(find_anything(ctx, "ромаш плюс")) == {plus}
    assert ids(find_anything(ctx, "плюс ромаш")) == {plus}
    assert ids(find_anything(ctx, "ромаш")) == {plus, plain}
    assert ids(find_anything(ctx, "плюс")) == {plus, other}
    assert find_anything(ctx, "ромаш сервис") == []
    # words of a company and of its contact are different objects
    data.contact(plain, "Сервисов")
    assert find_anything(ctx, "ромашка сервисов") == []


def test_inn_ogrn_phones_and_emails(db, data):
    ctx = Context.system(db)
    alpha = data.company(
        "Альфа",
        inn="7707083893",
        ogrn="1027700132195",
        phones=["+7 (495) 123-45-67"],
        emails=["Info@Alpha-Trade.ru"],
    )
    beta = data.company("Бета", inn="7736207543")
    person = data.contact(
        beta, "Иванов", "Иван", phones=["8 916 555-44-33"], emails=["ivan.petrov@mail.ru"]
    )

    assert ids(find_anything(ctx, "7707083893")) == {alpha}
    assert ids(find_anything(ctx, "77")) == {alpha, beta}
    assert ids(find_anything(ctx, "1027700")) == {alpha}
    for typed in ("+7 (495) 123-45-67", "8 495 123-45-67", "84951234567", "495 123", "1234567"):
        assert kinds(find_anything(ctx, typed)) == [(HitKind.COMPANY, alpha)], typed
    for typed in ("+7 916 555", "89165554433", "5554433"):
        assert kinds(find_anything(ctx, typed)) == [(HitKind.CONTACT, person)], typed
    for typed in ("info@alpha-trade.ru", "INFO@ALPHA", "alpha-trade.ru", "@alpha-trade.ru", "info"):
        assert kinds(find_anything(ctx, typed)) == [(HitKind.COMPANY, alpha)], typed
    for typed in ("ivan.petrov@mail.ru", "ivan.pe", "mail.ru", "иванов иван"):
        assert kinds(find_anything(ctx, typed)) == [(HitKind.CONTACT, person)], typed


def test_special_characters_match_literally(db, data):
    ctx = Context.system(db)
    percent = data.company("100% Качество")
    quote = data.company("O'Brien & Co")
    underscore = data.company("A_B Trade")
    data.company("1000 мелочей")
    data.company("Obrien Ltd")
    data.company("AB Group")

    assert ids(find_anything(ctx, "100% Качество")) == {percent}
    assert ids(find_anything(ctx, "100% кач")) == {percent}
    assert ids(find_anything(ctx, "O'Brien")) == {quote}
    assert ids(find_anything(ctx, "o'brien & co")) == {quote}
    assert ids(find_anything(ctx, "A_B")) == {underscore}
    assert ids(find_anything(ctx, "a_b trade")) == {underscore}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "%",
        "_",
        "'",
        "\\",
        "%%__''",
        "'; DROP TABLE companies; --",
        "!!! ??? ...",
        "\x00\x01\x02",
        "\u200b\ufeff",
        "«»—–",
        "@",
        "+",
        "()-",
    ],
)
def test_empty_or_punctuation_finds_nothing(db, data, text):
    data.company("Ромашка")
    assert find_anything(Context.system(db), text) == []


def test_hostile_text_is_just_text(db, data):
    ctx = Context.system(db)
    romashka = data.company("Ромашка")
    long_word = "ромашка" * 300
    assert find_anything(ctx, long_word) == []
    assert find_anything(ctx, "ромашка " * 5000) != []
    assert ids(find_anything(ctx, "ром\x00аш\x07ка")) == {romashka}
    assert ids(find_anything(ctx, "\tРОМАШКА\n")) == {romashka}
    assert find_anything(ctx, "ром%") != []  # the % is punctuation, "ром" the word
    assert find_anything(ctx, "р\\о") == []
    assert find_anything(ctx, "\ud800ромашка") != []  # a lone surrogate is dropped
    assert find_anything(ctx, "x' OR '1'='1") == []
    assert find_anything(ctx, None) == []  # type: ignore[arg-type]
    # the company table is still there
    assert ids(find_anything(ctx, "ромашка")) == {romashka}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=300))
def test_any_text_is_accepted(db, text):
    found = terms(text)
    assert len(found) <= MAX_TERMS
    assert all(term and len(term) <= si.WORD_MAX for term in found)
    hits = find_anything(Context.system(db), text)
    assert isinstance(hits, list)


def test_long_index_words_are_found_by_their_cut_prefix(db, data):
    ctx = Context.system(db)
    name = "Сверхдлинноеслово" * 10  # 170 letters: the index keeps 100
    long_one = data.company(name)
    assert ids(find_anything(ctx, name)) == {long_one}
    assert ids(find_anything(ctx, name[:50])) == {long_one}


def test_query_terms_are_limited_and_prefixes_folded_away():
    assert len(terms("один два три четыре пять шесть семь")) == MAX_TERMS
    assert terms("ром ромашка") == ["ромашка"]
    assert terms("плюс Ромашка-Плюс ромаш") == ["ромашка", "плюс"]
    for phone in ("+7 (495) 123-45-67", "8 495 123-45-67", "84951234567", "74951234567"):
        assert terms(phone) == ["4951234567"], phone
    assert terms("+81 3 1234 5678") == ["81312345678"]
    assert terms("925-94-55") == ["9259455"]
    assert terms("7707083893") == ["7707083893"]  # an INN stays as typed
    assert terms("Info@Mail.RU") == ["info@mail.ru"]
    assert terms("@mail.ru mail.ru") == ["mail.ru"]
    assert terms("O'Brien & Co") == ["brien", "co", "o"]


def test_a_six_word_query_works(db, data):
    ctx = Context.system(db)
    six = data.company("Первая Вторая Третья Четвертая Пятая Шестая")
    data.company("Первая Вторая")
    hits = find_anything(ctx, "первая вторая третья четвертая пятая шестая")
    assert ids(hits) == {six}
    assert ids(find_anything(ctx, "перв втор трет четв пят шест")) == {six}


# --- typed hits, order, limit -------------------------------------------------------------


def test_titles_subtitles_and_order(db, data):
    ctx = Context.system(db)
    boss = data.user("boss", R.CATALOGUE)
    company = data.company("Север", manager_id=boss, inn="7707083893", city="Мурманск")
    person = data.contact(company, "Северов", "Олег", "Ильич", job_title="Директор")
    deal = data.deal(company, "Поставка на северный склад", boss, "1234567.5", DealStatus.WON)
    product = data.product("Северный насос", sku="SN-1", price="990")
    article = data.article("Монтаж на севере", category="Сервис")
    exact = data.company("Норд Север")  # «север» is a whole word of it: listed first

    hits = find_anything(ctx, "север")
    assert [(h.kind, h.id) for h in hits] == [
        (HitKind.COMPANY, exact),
        (HitKind.COMPANY, company),
        (HitKind.CONTACT, person),
        (HitKind.DEAL, deal),
        (HitKind.PRODUCT, product),
        (HitKind.ARTICLE, article),
    ]
    assert hits[0].exact is True and hits[1].exact is True
    assert all(not h.exact for h in hits[2:])
    by_kind = {h.kind: h for h in hits[1:]}
    assert by_kind[HitKind.COMPANY] == SearchHit(
        HitKind.COMPANY, company, "Север", "7707083893 · Мурманск", company, True
    )
    assert by_kind[HitKind.CONTACT].title == "Северов Олег Ильич"
    assert by_kind[HitKind.CONTACT].subtitle == "Север · Директор"
    assert by_kind[HitKind.CONTACT].company_id == company
    assert by_kind[HitKind.DEAL].title == "Поставка на северный склад"
    assert by_kind[HitKind.DEAL].subtitle == "Север · won · 1,234,567.50\u00a0₽"
    assert by_kind[HitKind.DEAL].company_id == company
    assert by_kind[HitKind.PRODUCT].subtitle == "SN-1 · 990.00\u00a0₽"
    assert by_kind[HitKind.PRODUCT].company_id is None
    assert by_kind[HitKind.ARTICLE].subtitle == "Сервис"
    assert hits[0].subtitle == ""  # no INN, no city
    assert isinstance(hits[0].kind, str) and hits[0].kind == "company"


def test_titles_sort_within_a_kind_and_limit(db, data):
    ctx = Context.system(db)
    names = [f"Тест {chr(ord('А') + i)}" for i in range(25)]
    made = {data.company(name): name for name in reversed(names)}
    data.product("Тестер")
    hits = find_anything(ctx, "тест")
    assert len(hits) == 20  # the default limit
    # all exact («тест» is a word of each company); by title
    assert [h.title for h in hits] == names[:20]
    assert set(ids(hits)) <= set(made)
    assert len(find_anything(ctx, "тест", limit=3)) == 3
    assert [h.kind for h in find_anything(ctx, "тест", limit=100)][-1] == HitKind.PRODUCT
    assert len(find_anything(ctx, "тест", limit=100)) == 26
    assert find_anything(ctx, "тест", limit=0) == []


def test_index_rows_of_deleted_objects_are_ignored(db, data):
    ctx = Context.system(db)
    gone = data.company("Исчезнувшая")
    with db.transaction() as s:
        s.execute(delete(Company).where(Company.id == gone))
    assert find_anything(ctx, "исчез") == []


class Statements:
    """The SQL statements (and their parameters) run on ``db`` meanwhile."""

    def __init__(self, db: Database) -> None:
        self.engine = db.engine
        self.seen: list[tuple[str, object]] = []

    def _remember(self, conn, cursor, statement, parameters, context, executemany):
        self.seen.append((statement, parameters))

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._remember)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._remember)


def test_sql_uses_prefix_match_never_like_and_few_queries(db, data):
    ctx = Context.system(db)
    data.company("Ромашка-Плюс", phones=["+7 495 111-22-33"])
    with Statements(db) as nothing:
        assert find_anything(ctx, "ромаш% плюс_ 'x") == []
    with Statements(db) as one:
        assert len(find_anything(ctx, "ромаш плюс")) == 1
    with Statements(db) as single:
        assert len(find_anything(ctx, "ромашка")) == 1
    # a count per term when there are several, the candidates, one load per kind found
    assert len(nothing.seen) == 3 + 1
    assert len(one.seen) == 2 + 1 + 1
    assert len(single.seen) == 1 + 1
    for sql, _params in nothing.seen + one.seen + single.seen:
        assert "LIKE" not in sql.upper()
        assert "ромаш" not in sql and "плюс" not in sql  # values are bound, never SQL
        if db.backend == "firebird" and "search_words" in sql:
            assert "STARTING WITH" in sql.upper()


def test_many_matches_need_no_long_in_lists_and_stop_early(db):
    ctx = Context.system(db)
    names = [f"Чанк {n:04d}" for n in range(1600)]
    with db.transaction() as s:
        s.execute(
            insert(Company),
            [{"name": n, "name_fold": fold(n), "name_key": company_name(n)} for n in names],
        )
        made = dict(s.execute(select(Company.name, Company.id)).all())
        s.execute(
            insert(SearchWord),
            [
                row
                for name, ident in made.items()
                for row in si.rows(si.COMPANY, ident, ident, si.company_words(name))
            ],
        )
    with Statements(db) as run:
        hits = find_anything(ctx, "чанк", limit=500)
    assert [h.title for h in hits] == names[:500]
    assert all(h.exact for h in hits)
    # the candidates, then the companies (joined to the candidates, not an IN list);
    # 500 whole-word company hits: no other kind can make it into the list
    assert len(run.seen) == 2
    assert all(len(params) < 20 for _sql, params in run.seen)
    assert ids(find_anything(ctx, "чанк 1599")) == {made["Чанк 1599"]}
    assert len(find_anything(ctx, "чанк", limit=1000)) == MAX_LIMIT


# --- rights and visibility ----------------------------------------------------------------


@pytest.fixture
def office(db, data):
    """Two departments: sales (head + anna + boris) and south (vera)."""
    sales = data.department("Продажи")
    south = data.department("Юг")
    head_rights = R.PRESETS[Role.HEAD]
    users = {
        "head": data.user("head", head_rights, sales),
        "anna": data.user("anna", R.PRESETS[Role.MANAGER], sales),
        "boris": data.user("boris", R.PRESETS[Role.MANAGER], sales),
        "vera": data.user("vera", R.PRESETS[Role.MANAGER], south),
    }
    made = {}
    for login, user_id in users.items():
        company = data.company(f"Клиент {login}", manager_id=user_id)
        made[login] = {
            "company": company,
            "contact": data.contact(company, f"Клиентов {login}"),
            "deal": data.deal(company, f"Клиент сделка {login}", user_id),
        }
    nobody = data.company("Клиент ничей", manager_id=None)
    made["nobody"] = {"company": nobody, "contact": data.contact(nobody, "Клиентов ничей")}
    return users, made


def _found(ctx: Context, text: str = "клиент") -> set[tuple[HitKind, int]]:
    return {(h.kind, h.id) for h in find_anything(ctx, text, limit=200)}


def _expected(made: dict, *logins: str) -> set[tuple[HitKind, int]]:
    result = set()
    for login in logins:
        for kind, ident in made[login].items():
            result.add((HitKind(kind), ident))
    return result


def test_a_manager_sees_only_own_companies_contacts_and_deals(db, office):
    _users, made = office
    anna = context_for(db, "anna")
    assert _found(anna) == _expected(made, "anna")
    assert _found(anna, "клиентов") == {(HitKind.CONTACT, made["anna"]["contact"])}
    assert _found(anna, "клиент boris") == set()
    assert _found(anna, "клиентов ничей") == set()


def test_a_head_sees_exactly_the_department(db, office):
    _users, made = office
    head = context_for(db, "head")
    assert _found(head) == _expected(made, "head", "anna", "boris")
    assert _found(head, "vera") == set()


def test_see_all_sees_everything_including_unassigned(db, office):
    _users, made = office
    ctx = Context.system(db)
    assert _found(ctx) == _expected(made, "head", "anna", "boris", "vera", "nobody")


def test_a_deal_of_a_visible_manager_on_a_hidden_company(db, data, office):
    users, made = office
    # anna works a deal on vera's company: anna finds the deal, not the company
    deal = data.deal(made["vera"]["company"], "Совместная поставка", users["anna"])
    anna = context_for(db, "anna")
    assert _found(anna, "совместная") == {(HitKind.DEAL, deal)}
    hit = find_anything(anna, "совместная")[0]
    assert hit.company_id == made["vera"]["company"]
    assert _found(anna, "клиент vera") == set()
    assert _found(context_for(db, "vera"), "совместная") == {(HitKind.DEAL, deal)}
    assert _found(context_for(db, "boris"), "совместная") == set()


def test_products_for_everyone_with_a_module_articles_need_knowledge(db, data, office):
    users, _made = office
    product = data.product("Клиентский насос", sku="KN-7")
    article = data.article("Клиентская поддержка")
    draft = data.article("Клиентский черновик", published=False, author_id=users["vera"])
    for login in ("anna", "head", "vera"):
        found = _found(context_for(db, login), "клиентск")
        assert (HitKind.PRODUCT, product) in found
        assert (HitKind.ARTICLE, article) in found
        assert ((HitKind.ARTICLE, draft) in found) == (login == "vera")
    assert _found(context_for(db, "anna"), "kn-7") == {(HitKind.PRODUCT, product)}


def test_module_rights_decide_the_kinds(db, data, office):
    _users, _made = office
    product = data.product("Клиентский насос")
    article = data.article("Клиентская поддержка")
    kb_only = data.user("kb", [R.KNOWLEDGE, R.SEE_ALL])
    deals_only = data.user("dealer", [R.DEALS, R.SEE_ALL])
    clients_only = data.user("clerk", [R.CLIENTS, R.SEE_ALL])
    data.user("nothing", [R.SEE_ALL, R.EDIT, R.CALENDAR])

    assert _found(context_for(db, "kb")) == {(HitKind.ARTICLE, article)}
    dealer = _found(context_for(db, "dealer"))
    assert {kind for kind, _ in dealer} == {HitKind.DEAL, HitKind.PRODUCT}
    assert (HitKind.PRODUCT, product) in dealer
    clerk = _found(context_for(db, "clerk"))
    assert {kind for kind, _ in clerk} == {HitKind.COMPANY, HitKind.CONTACT, HitKind.PRODUCT}
    with pytest.raises(AccessDenied):
        find_anything(context_for(db, "nothing"), "клиент")
    with pytest.raises(AccessDenied):
        find_anything(context_for(db, "nothing"), "")
    assert kb_only and deals_only and clients_only


def test_visibility_is_applied_before_the_candidate_cap(db, data, office):
    users, _made = office
    names = [f"Шум {n:04d}" for n in range(700)]  # more than the candidates read
    with db.transaction() as s:
        s.execute(
            insert(Company),
            [
                {"name": n, "name_fold": fold(n), "name_key": n, "manager_id": users["vera"]}
                for n in names
            ],
        )
        made = dict(s.execute(select(Company.name, Company.id)).all())
        s.execute(
            insert(SearchWord),
            [
                row
                for name in names
                for row in si.rows(si.COMPANY, made[name], made[name], si.company_words(name))
            ],
        )
    own = data.company("Шум anna", manager_id=users["anna"])  # the highest id: read last
    assert _found(context_for(db, "anna"), "шум") == {(HitKind.COMPANY, own)}
    assert len(find_anything(context_for(db, "vera"), "шум", limit=5)) == 5


def test_many_candidates_of_every_client_kind_respect_visibility(db, data, office):
    users, made = office
    company = made["anna"]["company"]
    with db.transaction() as s:
        pipeline_id = s.scalar(select(Pipeline.id).order_by(Pipeline.id).limit(1))
        s.execute(
            insert(Contact),
            [
                {"company_id": company, "last_name": f"Многов {n}", "name_fold": f"многов {n:02d}"}
                for n in range(60)
            ],
        )
        s.execute(
            insert(Deal),
            [
                {
                    "title": f"Многов заказ {n:02d}",
                    "title_fold": f"многов заказ {n:02d}",
                    "company_id": company,
                    "manager_id": users["anna"],
                    "pipeline_id": pipeline_id,
                    "started_on": date(2026, 1, 1),
                }
                for n in range(60)
            ],
        )
        rows = []
        for ident, name in s.execute(select(Contact.id, Contact.last_name)):
            if name.startswith("Многов"):
                rows += si.rows(si.CONTACT, ident, company, si.contact_words(name))
        for ident, title in s.execute(select(Deal.id, Deal.title)):
            if title.startswith("Многов"):
                rows += si.rows(si.DEAL, ident, company, si.text_words(title))
        s.execute(insert(SearchWord), rows)
    anna = find_anything(context_for(db, "anna"), "многов", limit=200)
    assert [h.kind for h in anna].count(HitKind.CONTACT) == 60
    assert [h.kind for h in anna].count(HitKind.DEAL) == 60
    assert [h.title for h in anna if h.kind == HitKind.DEAL][:2] == [
        "Многов заказ 00",
        "Многов заказ 01",
    ]
    assert find_anything(context_for(db, "boris"), "многов", limit=200) == []
    assert len(find_anything(context_for(db, "head"), "многов", limit=200)) == 120
    assert len(find_anything(context_for(db, "head"), "многов", limit=70)) == 70
