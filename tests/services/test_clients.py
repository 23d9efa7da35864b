"""Companies in the service layer (C1, C3, C4, C8): list, count, card, create, edit,
delete, reassign, idle clients — on SQLite and Firebird."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from client_support import (
    INN_A,
    INN_B,
    INN_BAD,
    KPP_A,
    OGRN_A,
    audit_count,
    company,
    make_team,
    row_counts,
)
from sqlalchemy import select, update

from qstui.db.engine import Database
from qstui.db.models import AuditEntry, Company, Email, Phone, SearchWord
from qstui.domain.clients import (
    ClientFilter,
    ClientSort,
    CompanyInput,
    SortKey,
)
from qstui.domain.clock import utcnow
from qstui.domain.enums import AuditAction, ClientKind
from qstui.domain.errors import AccessDenied, Busy, Conflict, NotFound, ValidationFailed
from qstui.domain.normalize import fold
from qstui.services import rights as R
from qstui.services.access.users import revoke
from qstui.services.clients import companies as C
from qstui.services.clients.contacts import add_contact, add_phone
from qstui.services.context import Context


def names(page_or_rows) -> list[str]:
    rows = getattr(page_or_rows, "rows", page_or_rows)
    return [r.name for r in rows]


def all_rows(ctx, flt=None, sort=None, limit=3):
    """Every row across pages (and the number of pages)."""
    rows, cursor, pages = [], None, 0
    while True:
        page = C.list_clients(ctx, flt or ClientFilter(), sort or ClientSort(), cursor, limit)
        rows.extend(page.rows)
        pages += 1
        if page.next_cursor is None:
            return rows, pages
        cursor = page.next_cursor


# --- create and validation (C3, C4) ---------------------------------------------------------


def test_create_company_saves_columns_phone_email_words_and_audit(db):
    team = make_team(db)
    cid = C.create_company(
        team.ivanov,
        CompanyInput(
            name=' ООО "Ромашка" ',
            inn=INN_A,
            kpp=KPP_A,
            ogrn=OGRN_A,
            city="Москва",
            phone="+7 (495) 123-45-67",
            email="Info@Romashka.RU",
            rating=4,
        ),
    )
    with db.reader() as s:
        c = s.get(Company, cid)
        assert (c.name, c.name_fold, c.name_key) == ('ООО "Ромашка"', 'ооо "ромашка"', "ромашка")
        assert (c.inn, c.kpp, c.ogrn, c.city_fold, c.rating) == (
            INN_A,
            KPP_A,
            OGRN_A,
            "москва",
            4,
        )
        assert c.manager_id == team.ivanov.user_id
        assert c.created_by == team.ivanov.user_id
        assert c.last_contact_at is None
        phone = s.scalar(select(Phone).where(Phone.company_id == cid))
        assert (phone.number, phone.digits, phone.contact_id) == (
            "+7 (495) 123-45-67",
            "74951234567",
            None,
        )
        email = s.scalar(select(Email).where(Email.company_id == cid))
        assert (email.address, email.address_key) == ("Info@romashka.ru", "info@romashka.ru")
        words = set(
            s.scalars(
                select(SearchWord.word).where(
                    SearchWord.object_kind == "company", SearchWord.object_id == cid
                )
            )
        )
        assert {"ооо", "ромашка", INN_A, OGRN_A, "74951234567", "1234567"} <= words
        assert "info@romashka.ru" in words
        kinds = {
            (a.object_kind, a.action)
            for a in s.scalars(select(AuditEntry).where(AuditEntry.user_id == team.ivanov.user_id))
        }
        assert kinds == {
            ("company", AuditAction.CREATE),
            ("phone", AuditAction.CREATE),
            ("email", AuditAction.CREATE),
        }


def test_validation_reports_one_message_per_bad_field_and_writes_nothing(db):
    team = make_team(db)
    before = row_counts(db)
    with pytest.raises(ValidationFailed) as err:
        C.create_company(
            team.ivanov,
            CompanyInput(
                name="",
                inn=INN_BAD,
                kpp="12",
                ogrn="123",
                phone="12",
                email="not-an-email",
                city="x" * 101,
                rating=9,
            ),
        )
    errors = err.value.errors
    assert set(errors) == {"name", "inn", "kpp", "ogrn", "phone", "email", "city", "rating"}
    assert "checksum" in errors["inn"]
    assert all(isinstance(m, str) and m for m in errors.values())
    with pytest.raises(ValidationFailed) as err:
        C.create_company(team.ivanov, CompanyInput(name="Ok", inn=INN_BAD))
    assert set(err.value.errors) == {"inn"}
    with pytest.raises(ValidationFailed) as err:
        C.create_company(team.ivanov, CompanyInput(name="N" * 251))
    assert set(err.value.errors) == {"name"}
    with pytest.raises(ValidationFailed) as err:
        C.create_company(team.ivanov, CompanyInput(name="Ok", region_id=999999))
    assert set(err.value.errors) == {"region_id"}
    assert row_counts(db) == before


# --- visibility (U2) -------------------------------------------------------------------------


def _dataset(team):
    ids = {
        "iv1": company(team.ivanov, "Ивановская один", city="Москва"),
        "iv2": company(team.ivanov, "Ивановская два", city="Тула"),
        "pe1": company(team.petrova, "Петровская", city="Москва"),
        "si1": company(team.sidorov, "Сидоровская", city="Москва"),
        "none": company(team.system, "Ничья"),
    }
    return ids


def test_a_manager_sees_only_own_companies_everywhere(db):
    team = make_team(db)
    ids = _dataset(team)
    iv = team.ivanov
    assert sorted(names(all_rows(iv)[0])) == ["Ивановская два", "Ивановская один"]
    assert C.count_clients(iv) == 2
    assert C.count_clients(iv, ClientFilter(city="моск")) == 1
    assert names(C.list_clients(iv, ClientFilter(text="петровская"))) == []
    assert C.count_clients(iv, ClientFilter(manager_id=team.petrova.user_id)) == 0
    for other in ("pe1", "si1", "none"):
        with pytest.raises(NotFound):
            C.get_card(iv, ids[other])
        with pytest.raises(NotFound):
            C.update_company(iv, ids[other], 1, notes="x")
    assert {r.id for r in C.idle_clients(iv)} == {ids["iv1"], ids["iv2"]}
    with pytest.raises(NotFound):
        C.idle_clients(iv, manager_id=team.petrova.user_id)
    assert C.get_card(iv, ids["iv1"]).name == "Ивановская один"


def test_head_with_department_visibility_sees_exactly_the_department(db):
    team = make_team(db)
    ids = _dataset(team)
    rows, _pages = all_rows(team.head)
    assert {r.id for r in rows} == {ids["iv1"], ids["iv2"], ids["pe1"]}
    assert C.count_clients(team.head) == 3
    assert C.count_clients(team.head, ClientFilter(city="москва")) == 2
    assert C.get_card(team.head, ids["pe1"]).manager == "Пётр Петрова"
    with pytest.raises(NotFound):
        C.get_card(team.head, ids["si1"])
    assert {r.id for r in C.idle_clients(team.head, manager_id=team.petrova.user_id)} == {
        ids["pe1"]
    }
    with pytest.raises(NotFound):
        C.idle_clients(team.head, manager_id=team.sidorov.user_id)
    assert C.count_clients(team.system) == 5


# --- paging and sorting (C1) ---------------------------------------------------------------


@pytest.mark.parametrize("key", list(SortKey))
@pytest.mark.parametrize("descending", [False, True])
def test_keyset_paging_returns_every_visible_company_once(db, key, descending):
    team = make_team(db)
    made = []
    cities = ["Москва", None, "Тула", "москва", None, "Абакан"]
    inns = [INN_A, None, INN_B, None, None, "500100732259"]
    for i in range(11):
        made.append(
            company(
                team.ivanov,
                f"Фирма {i % 4}",  # equal names: ties broken by id
                city=cities[i % 6],
                inn=inns[i % 6],
            )
        )
    company(team.petrova, "Чужая")
    now = utcnow()
    with db.transaction() as s:
        for i, cid in enumerate(made):
            when = None if i % 3 == 0 else now - timedelta(days=i % 4)
            s.execute(update(Company).where(Company.id == cid).values(last_contact_at=when))
    sort = ClientSort(key, descending)
    rows, pages = all_rows(team.ivanov, sort=sort, limit=4)
    assert sorted(r.id for r in rows) == sorted(made)
    assert pages == 3
    single = C.list_clients(team.ivanov, ClientFilter(), sort, None, 100)
    assert [r.id for r in single.rows] == [r.id for r in rows]
    value = {
        SortKey.NAME: lambda r: fold(r.name),
        SortKey.INN: lambda r: r.inn,
        SortKey.CITY: lambda r: fold(r.city) if r.city else None,
        SortKey.LAST_CONTACT: lambda r: r.last_contact_at,
    }.get(key)
    if value is not None:  # NULLs are the smallest values; ties by id
        expected = sorted(
            rows,
            key=lambda r: ((0,) if value(r) is None else (1, value(r)), r.id),
            reverse=descending,
        )
        assert [r.id for r in rows] == [r.id for r in expected]
    assert single.next_cursor is None and len(single.cursors) == len(rows)
    # backward from the end, page by page, gives the same order
    back, cursor = [], None
    while True:
        page = C.list_clients(team.ivanov, ClientFilter(), sort, cursor, 4, backward=True)
        back = page.rows + back
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert [r.id for r in back] == [r.id for r in rows]
    # backward from a row: the rows just before it
    before = C.list_clients(team.ivanov, ClientFilter(), sort, single.cursors[6], 3, backward=True)
    assert [r.id for r in before.rows] == [r.id for r in rows[3:6]]
    assert before.has_more


def test_list_orders_by_name_and_fills_phone_manager_and_debt(db):
    team = make_team(db)
    b = company(team.ivanov, "Бета", phone="8 812 555-44-33")
    a = company(team.ivanov, "альфа")
    add_phone(team.ivanov, a, "+7 495 111-22-33")
    page = C.list_clients(team.ivanov, ClientFilter(), ClientSort(), None, 10)
    assert [r.id for r in page.rows] == [a, b]
    first = page.rows[0]
    assert first.phone == "+7 495 111-22-33"
    assert first.manager == "Иван Иванов"
    assert first.debt == Decimal("0.00")
    assert page.rows[1].phone == "8 812 555-44-33"
    desc = C.list_clients(team.ivanov, ClientFilter(), ClientSort(SortKey.NAME, True))
    assert [r.id for r in desc.rows] == [b, a]


# --- the quick filter (C1) -----------------------------------------------------------------


@pytest.fixture(params=["narrow", "wide"])
def prefix_plan(request, monkeypatch):
    """Both ways a quick-filter word is looked for: from the word index first (a narrow
    prefix), or by checking each company in the list's order (a wide one)."""
    from qstui.services.clients import filters

    monkeypatch.setattr(filters, "WIDE_WORDS", 1 if request.param == "wide" else 10**9)
    monkeypatch.setattr(filters, "_widths", {})
    return request.param


def test_quick_filter_matches_word_prefixes_of_names_contacts_phones_emails(db, prefix_plan):
    team = make_team(db)
    iv = team.ivanov
    rom = company(iv, 'ООО "Ромашка"', inn=INN_A, email="info@romashka.ru")
    fed = company(iv, "Лютик", phone="+7 (495) 765-43-21")
    add_contact(iv, fed, _person("ФЕДОРОВ", "Иван"))
    company(iv, "Василёк", city="Тверь")

    def found(text):
        return sorted(C.list_clients(iv, ClientFilter(text=text)).rows, key=lambda r: r.id)

    assert [r.id for r in found("ромаш")] == [rom]
    assert [r.id for r in found("РОМАШКА ооо")] == [rom]
    assert [r.id for r in found("фёдоров")] == [fed]
    assert [r.id for r in found("федоров иван")] == [fed]
    assert [r.id for r in found("федоров ромашка")] == []
    assert [r.id for r in found(INN_A[:5])] == [rom]
    assert [r.id for r in found("info@romashka.ru")] == [rom]
    assert [r.id for r in found("romashka.ru")] == [rom]
    assert [r.id for r in found("8 495 765-43-21")] == [fed]
    assert [r.id for r in found("765-43-21")] == [fed]
    assert [r.name for r in found("твер")] == ["Василёк"]
    assert [r.name for r in found("василек")] == ["Василёк"]
    assert C.count_clients(iv, ClientFilter(text="ромаш")) == 1
    assert [C.count_clients(iv, cap=cap) for cap in (1, 2, 3, 4)] == [2, 3, 3, 3]
    assert C.count_clients(iv, ClientFilter(text="ромаш"), cap=0) == 1
    assert C.count_clients(iv, ClientFilter(contact="фёдор")) == 1
    assert C.count_clients(iv, ClientFilter(contact="иван федоров")) == 1
    assert C.count_clients(iv, ClientFilter(contact="ромашка")) == 0


def _person(last, first=None):
    from qstui.domain.clients import ContactInput

    return ContactInput(last_name=last, first_name=first)


def test_hostile_text_is_just_text(db, prefix_plan):
    team = make_team(db)
    iv = team.ivanov
    pct = company(iv, "100% Качество")
    obr = company(iv, "O'Brien")
    ab = company(iv, "A_B")
    company(iv, "AXB")

    def ids(text):
        return sorted(r.id for r in C.list_clients(iv, ClientFilter(text=text)).rows)

    assert ids("%") == [pct]
    assert ids("_") == [ab]
    assert ids("'") == [obr]
    assert ids("o'brien") == [obr]
    assert ids("a_b") == [ab]
    for hostile in ("' OR 1=1 --", "%%%", "\x00\x07\u200b", "я" * 5000, "_%'\"\\;"):
        assert C.count_clients(iv, ClientFilter(text=hostile)) == len(
            C.list_clients(iv, ClientFilter(text=hostile), limit=1000).rows
        )
    assert ids("' OR 1=1 --") == []
    for field in ("name", "inn", "phone", "email", "city", "contact"):
        flt = ClientFilter(**{field: "%' OR '1'='1"})
        assert C.count_clients(iv, flt) == 0, field


def test_structured_filters(db):
    team = make_team(db)
    iv = team.ivanov
    a = company(iv, 'ООО "Ромашка"', inn=INN_A, city="Москва", rating=5, client_kind="partner")
    b = company(iv, "Лютик", phone="+7 812 111-22-33", email="buy@lutik.ru", rating=2)
    with db.transaction() as s:
        s.execute(update(Company).where(Company.id == b).values(last_contact_at=utcnow()))

    def ids(**kw):
        return sorted(r.id for r in C.list_clients(iv, ClientFilter(**kw)).rows)

    assert ids(name="ромашка") == [a]  # without the legal form
    assert ids(name="ооо ром") == [a]
    assert ids(inn=INN_A[:4]) == [a]
    assert ids(phone="111-22") == [b]
    assert ids(email="buy@") == [b]
    assert ids(city="моск") == [a]
    assert ids(rating_min=3) == [a]
    assert ids(client_kind=ClientKind.PARTNER) == [a]
    assert ids(manager_id=iv.user_id) == [a, b]
    assert ids(idle_days=10) == [a]


def test_the_start_of_a_number_with_its_country_code_filters_by_phone(db):
    team = make_team(db)
    moscow = company(team.ivanov, "Москва-Сервис", phone="+7 495 111-11-11")
    # words that start with "7" and with "495", but not the number +7 495…
    company(team.ivanov, "Питер-Сервис", phone="+7 812 495-00-00")
    company(team.ivanov, "Семьсот", inn=INN_A, phone="8 812 495-11-22")
    found = C.list_clients(team.ivanov, ClientFilter(text="+7 495")).rows
    assert [r.id for r in found] == [moscow]


# --- edit with versions (rule 8) ---------------------------------------------------------------


def test_update_returns_new_version_and_refreshes_words(db):
    team = make_team(db)
    cid = company(team.ivanov, "Старое имя", city="Тула", phone="8 495 111-11-11")
    card = C.get_card(team.ivanov, cid)
    v2 = C.update_company(
        team.ivanov, cid, card.version, name="Новое имя", city="Тверь", phone="8 812 222-22-22"
    )
    assert v2 == card.version + 1
    card = C.get_card(team.ivanov, cid)
    assert (card.name, card.city, card.version) == ("Новое имя", "Тверь", v2)
    assert [p.number for p in card.phones] == ["8 812 222-22-22"]
    assert names(C.list_clients(team.ivanov, ClientFilter(text="нов"))) == ["Новое имя"]
    assert names(C.list_clients(team.ivanov, ClientFilter(text="стар"))) == []
    assert C.count_clients(team.ivanov, ClientFilter(text="8122222222")) == 1
    v3 = C.update_company(team.ivanov, cid, v2, phone="")
    assert C.get_card(team.ivanov, cid).phones == ()
    assert v3 == v2 + 1
    with pytest.raises(ValidationFailed) as err:
        C.update_company(team.ivanov, cid, v3, name=" ", inn=INN_BAD, colour="red")
    assert set(err.value.errors) == {"colour"}
    with pytest.raises(ValidationFailed) as err:
        C.update_company(team.ivanov, cid, v3, name=" ", inn=INN_BAD)
    assert set(err.value.errors) == {"name", "inn"}


def test_second_save_from_the_same_version_is_a_conflict_and_nothing_is_lost(db):
    team = make_team(db)
    cid = company(team.ivanov, "Общая", city="Тула", notes="исходно")
    first = C.get_card(team.head, cid)
    second = C.get_card(team.ivanov, cid)
    assert first.version == second.version
    C.update_company(team.head, cid, first.version, city="Тверь", notes="от начальника")
    before = row_counts(db)
    audits = audit_count(db)
    with pytest.raises(Conflict) as err:
        C.update_company(
            team.ivanov, cid, second.version, city="Омск", notes="от менеджера", name="Другое"
        )
    assert "Нина Начальникова" in str(err.value)
    assert err.value.changed_by == "Нина Начальникова"
    card = C.get_card(team.ivanov, cid)
    assert (card.name, card.city, card.notes) == ("Общая", "Тверь", "от начальника")
    assert card.version == first.version + 1
    assert row_counts(db) == before
    assert audit_count(db) == audits
    with pytest.raises(Conflict):
        C.delete_company(team.head, cid, second.version)


def test_a_save_waits_for_an_uncommitted_change_of_the_row_then_gives_up(db):
    """One thread holds an open transaction that changed the row; the other saves. It
    waits for the lock timeout, then says someone is saving right now — not "changed
    by", which is not true yet (here the holder rolls back) — and writes nothing."""
    team = make_team(db)
    cid = company(team.ivanov, "Спорная", notes="исходно")
    version = C.get_card(team.ivanov, cid).version
    quick = Database(db.url, lock_timeout=2)
    holder = Database(db.url, lock_timeout=2)
    ctx = Context(
        quick,
        team.ivanov.user_id,
        team.ivanov.login,
        team.ivanov.full_name,
        team.ivanov.role,
        team.ivanov.rights,
        team.ivanov.department_id,
    )
    locked, release = threading.Event(), threading.Event()

    def hold():
        with holder.engine.connect() as conn:
            conn.execute(
                update(Company.__table__)
                .where(Company.__table__.c.id == cid)
                .values(notes="в другой транзакции", version=version + 1)
            )
            locked.set()
            release.wait(30)
            conn.rollback()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert locked.wait(10)
        with pytest.raises(Busy):
            C.update_company(ctx, cid, version, notes="моя правка", city="Тула")
    finally:
        release.set()
        thread.join(30)
        quick.dispose()
        holder.dispose()
    card = C.get_card(team.ivanov, cid)
    assert (card.notes, card.city, card.version) == ("исходно", None, version)


# --- rights ------------------------------------------------------------------------------------


def test_refused_calls_write_nothing(db):
    team = make_team(db)
    cid = company(team.ivanov, "Моя")
    other = company(team.petrova, "Её")
    version = C.get_card(team.ivanov, cid).version
    revoke(team.system, "ivanov", R.EDIT)
    from qstui.services.context import context_for

    viewer = context_for(db, "ivanov")
    before = row_counts(db)
    with pytest.raises(AccessDenied):
        C.create_company(viewer, CompanyInput(name="Новая"))
    with pytest.raises(AccessDenied):
        C.update_company(viewer, cid, version, name="Правка")
    with pytest.raises(AccessDenied):
        C.delete_company(team.ivanov, cid, version)  # managers have no delete right
    with pytest.raises(AccessDenied):
        C.reassign(team.petrova, [other], team.ivanov.user_id)  # no reassign right
    with pytest.raises(AccessDenied):
        C.create_company(team.petrova, CompanyInput(name="Чужому", manager_id=team.ivanov.user_id))
    assert row_counts(db) == before


def test_delete_needs_the_right_and_removes_the_company_and_its_words(db):
    team = make_team(db)
    cid = company(team.ivanov, "Удаляемая", phone="8 495 333-33-33")
    add_contact(team.ivanov, cid, _person("Смирнов"))
    card = C.get_card(team.head, cid)
    C.delete_company(team.head, cid, card.version)
    with db.reader() as s:
        assert s.get(Company, cid) is None
        assert s.scalars(select(SearchWord).where(SearchWord.company_id == cid)).all() == []
        entry = s.scalar(
            select(AuditEntry).where(
                AuditEntry.object_kind == "company", AuditEntry.action == AuditAction.DELETE
            )
        )
        assert entry.object_id == cid and entry.changes["name"] == ["Удаляемая", None]
    with pytest.raises(NotFound):
        C.get_card(team.head, cid)


def test_reassign_needs_visibility_of_both_sides(db):
    team = make_team(db)
    a = company(team.ivanov, "А")
    b = company(team.ivanov, "Б")
    s = company(team.sidorov, "С")
    assert C.reassign(team.head, [a, b], team.petrova.user_id) == 2
    assert {r.id for r in all_rows(team.petrova)[0]} == {a, b}
    assert C.count_clients(team.ivanov) == 0
    before = row_counts(db)
    with pytest.raises(NotFound):
        C.reassign(team.head, [a, s], team.ivanov.user_id)
    with pytest.raises(NotFound):
        C.reassign(team.head, [a], team.sidorov.user_id)
    assert row_counts(db) == before
    assert C.reassign(team.head, [a], team.petrova.user_id) == 0


def test_create_for_another_manager_needs_reassign(db):
    team = make_team(db)
    cid = C.create_company(
        team.head, CompanyInput(name="Для Ивана", manager_id=team.ivanov.user_id)
    )
    assert C.get_card(team.ivanov, cid).manager_id == team.ivanov.user_id
    with pytest.raises(ValidationFailed) as err:
        C.create_company(
            team.head, CompanyInput(name="Для Сидора", manager_id=team.sidorov.user_id)
        )
    assert set(err.value.errors) == {"manager_id"}


# --- idle clients (C8) -------------------------------------------------------------------------


def test_idle_clients_use_last_contact_and_the_managers_setting(db):
    team = make_team(db)
    never = company(team.ivanov, "Никогда")
    old = company(team.ivanov, "Давно")
    fresh = company(team.ivanov, "Недавно")
    now = utcnow()
    with db.transaction() as s:
        s.execute(
            update(Company).where(Company.id == old).values(last_contact_at=now - timedelta(40))
        )
        s.execute(
            update(Company).where(Company.id == fresh).values(last_contact_at=now - timedelta(5))
        )
    assert [r.id for r in C.idle_clients(team.ivanov)] == [never, old]
    assert [r.id for r in C.idle_clients(team.ivanov, days=3)] == [never, old, fresh]
    from qstui.db.models import AppUser

    with db.transaction() as s:
        s.execute(update(AppUser).where(AppUser.login == "ivanov").values(idle_days=50))
    assert [r.id for r in C.idle_clients(team.ivanov)] == [never]
