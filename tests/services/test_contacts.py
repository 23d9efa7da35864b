"""Contact persons, phones, e-mails and bank accounts (C2, C4), on both backends."""

from __future__ import annotations

import pytest
from client_support import ACCOUNT, BIK, CORR, audit_count, company, make_team, row_counts
from sqlalchemy import select

from qstui.db.models import Contact, Phone, SearchWord
from qstui.domain.clients import BankAccountInput, ClientFilter, ContactInput
from qstui.domain.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from qstui.services import rights as R
from qstui.services.access.users import revoke
from qstui.services.clients import companies as C
from qstui.services.clients import contacts as P
from qstui.services.context import context_for


def found(ctx, text):
    return [r.name for r in C.list_clients(ctx, ClientFilter(text=text)).rows]


def test_contact_person_with_phones_and_emails_is_searchable(db):
    team = make_team(db)
    iv = team.ivanov
    cid = company(iv, "Лютик")
    pid = P.add_contact(
        iv,
        cid,
        ContactInput(last_name=" Фёдоров ", first_name="Пётр", middle_name="Ильич"),
        phones=["+7 916 123-45-67"],
        emails=["P.Fedorov@Lutik.ru"],
    )
    with db.reader() as s:
        row = s.get(Contact, pid)
        assert (row.last_name, row.name_fold) == ("Фёдоров", "федоров петр ильич")
        words = set(
            s.scalars(
                select(SearchWord.word).where(
                    SearchWord.object_kind == "contact", SearchWord.object_id == pid
                )
            )
        )
    assert {"федоров", "петр", "ильич", "79161234567", "p.fedorov@lutik.ru"} <= words
    assert found(iv, "фёдоров пётр") == ["Лютик"]
    assert found(iv, "9161234567") == ["Лютик"]
    assert found(iv, "p.fedorov") == ["Лютик"]

    [person] = P.list_contacts(iv, cid)
    v2 = P.update_contact(iv, pid, person.version, last_name="Сидоренко")
    assert v2 == person.version + 1
    assert found(iv, "федоров") == []
    assert found(iv, "сидоренко") == ["Лютик"]
    phone = person.phones[0]
    P.update_phone(iv, phone.id, phone.version, number="8 (812) 000-00-01")
    assert found(iv, "9161234567") == []
    assert found(iv, "8120000001") == ["Лютик"]

    P.delete_contact(iv, pid, v2)
    assert P.list_contacts(iv, cid) == []
    assert found(iv, "сидоренко") == []
    with db.reader() as s:
        assert s.scalars(select(Phone).where(Phone.contact_id == pid)).all() == []


def test_company_phones_and_emails_feed_the_company_words(db):
    team = make_team(db)
    iv = team.ivanov
    cid = company(iv, "Ромашка")
    phone_id = P.add_phone(iv, cid, "8 495 765-43-21", kind="fax", ext="12")
    email_id = P.add_email(iv, cid, "Zakaz@Romashka.ru", allow_mailing=False)
    card = C.get_card(iv, cid)
    assert [(p.number, p.kind.value, p.ext) for p in card.phones] == [
        ("8 495 765-43-21", "fax", "12")
    ]
    assert [(e.address, e.allow_mailing) for e in card.emails] == [("Zakaz@romashka.ru", False)]
    assert found(iv, "7654321") == ["Ромашка"]
    assert found(iv, "zakaz@romashka.ru") == ["Ромашка"]
    P.delete_phone(iv, phone_id, card.phones[0].version)
    P.delete_email(iv, email_id, card.emails[0].version)
    assert found(iv, "7654321") == []
    assert found(iv, "zakaz") == []


def test_validation_one_message_per_field(db):
    team = make_team(db)
    iv = team.ivanov
    cid = company(iv, "Ромашка")
    before = row_counts(db)
    with pytest.raises(ValidationFailed) as err:
        P.add_contact(
            iv,
            cid,
            ContactInput(last_name="", first_name="x" * 61, birth_date="31.02.2020"),
            phones=["12", "8 495 1234567"],
            emails=["bad"],
        )
    assert set(err.value.errors) == {
        "last_name",
        "first_name",
        "birth_date",
        "phones[0]",
        "emails[0]",
    }
    with pytest.raises(ValidationFailed) as err:
        P.add_phone(iv, cid, "abc", kind="pager", ext="x1")
    assert set(err.value.errors) == {"number", "kind", "ext"}
    with pytest.raises(ValidationFailed) as err:
        P.add_email(iv, cid, "")
    assert set(err.value.errors) == {"address"}
    assert row_counts(db) == before


def test_bank_account_checks_bik_and_the_control_key(db):
    team = make_team(db)
    iv = team.ivanov
    cid = company(iv, "Ромашка")
    good = BankAccountInput(bank_name="Сбербанк", bik=BIK, account_no=ACCOUNT, corr_account=CORR)
    first = P.add_bank_account(iv, cid, good)
    bad_key = ACCOUNT[:-1] + ("2" if ACCOUNT[-1] != "2" else "3")
    with pytest.raises(ValidationFailed) as err:
        P.add_bank_account(iv, cid, BankAccountInput(bank_name="", bik="123", account_no="1"))
    assert set(err.value.errors) == {"bank_name", "bik"}
    with pytest.raises(ValidationFailed) as err:
        P.add_bank_account(iv, cid, BankAccountInput(bank_name="Банк", bik=BIK, account_no=bad_key))
    assert set(err.value.errors) == {"account_no"}
    assert "BIK" in err.value.errors["account_no"]
    with pytest.raises(ValidationFailed) as err:
        P.add_bank_account(
            iv,
            cid,
            BankAccountInput(
                bank_name="Банк", bik=BIK, account_no=ACCOUNT, corr_account="30101810400000000226"
            ),
        )
    assert set(err.value.errors) == {"corr_account"}
    with pytest.raises(ValidationFailed) as err:
        P.add_bank_account(
            iv,
            cid,
            BankAccountInput(bank_name="Банк", bik=BIK, account_no=ACCOUNT, currency_code="XXX"),
        )
    assert set(err.value.errors) == {"currency_code"}
    second = P.add_bank_account(
        iv, cid, BankAccountInput(bank_name="Второй", bik=BIK, account_no=ACCOUNT, is_main=True)
    )
    accounts = {a.id: a for a in C.get_card(iv, cid).bank_accounts}
    assert accounts[second].is_main and not accounts[first].is_main
    with pytest.raises(ValidationFailed) as err:
        P.update_bank_account(iv, first, accounts[first].version, account_no=bad_key)
    assert set(err.value.errors) == {"account_no"}
    v = P.update_bank_account(iv, first, accounts[first].version, bank_name="ПАО Сбербанк")
    with pytest.raises(Conflict):
        P.update_bank_account(iv, first, accounts[first].version, bank_name="Опять")
    P.delete_bank_account(iv, first, v)
    assert [a.id for a in C.get_card(iv, cid).bank_accounts] == [second]


def test_rows_of_invisible_companies_are_not_found_and_refusals_write_nothing(db):
    team = make_team(db)
    theirs = company(team.sidorov, "Чужая")
    pid = P.add_contact(team.sidorov, theirs, ContactInput(last_name="Тайный"))
    phone = P.add_phone(team.sidorov, theirs, "8 495 1112233")
    with pytest.raises(NotFound):
        P.add_contact(team.ivanov, theirs, ContactInput(last_name="Шпион"))
    with pytest.raises(NotFound):
        P.update_contact(team.ivanov, pid, 1, last_name="Шпион")
    with pytest.raises(NotFound):
        P.delete_phone(team.ivanov, phone, 1)
    with pytest.raises(NotFound):
        P.list_contacts(team.ivanov, theirs)
    mine = company(team.ivanov, "Моя")
    with pytest.raises(NotFound):
        P.add_phone(team.ivanov, mine, "8 495 1112233", contact_id=pid)  # another company's
    revoke(team.system, "sidorov", R.EDIT)
    viewer = context_for(db, "sidorov")
    before, audits = row_counts(db), audit_count(db)
    with pytest.raises(AccessDenied):
        P.add_phone(viewer, theirs, "8 495 0000000")
    with pytest.raises(AccessDenied):
        P.delete_contact(viewer, pid, 1)
    assert row_counts(db) == before and audit_count(db) == audits


def test_only_one_primary_contact(db):
    team = make_team(db)
    iv = team.ivanov
    cid = company(iv, "Ромашка")
    a = P.add_contact(iv, cid, ContactInput(last_name="Первый", is_primary=True))
    b = P.add_contact(iv, cid, ContactInput(last_name="Второй", is_primary=True))
    people = {p.id: p for p in P.list_contacts(iv, cid)}
    assert people[b].is_primary and not people[a].is_primary
    assert [p.id for p in P.list_contacts(iv, cid)] == [b, a]  # primary first
