"""Keeping the ``search_words`` of companies and contact persons current.

A company's words: its name, full name, INN, OGRN and its own phones and e-mails
(rows with ``contact_id`` NULL). A contact person's words: the name and the person's
phones and e-mails. Both carry ``company_id`` (visibility, the quick filter). Words are
made only by ``services.search.index``; here they are replaced (``search.store``) in the
caller's transaction, for any number of objects at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qstui.db.compat import chunks, id_in
from qstui.db.models import Company, Contact, Email, Phone, SearchWord
from qstui.services.search import index as si
from qstui.services.search.store import replace_words


def reach_words(session: Session, owner: object, ids: list[int]) -> dict[int, set[str]]:
    """Words of the phones and e-mails of companies (``owner`` = Company, own numbers
    only) or of contact persons (``owner`` = Contact), by owner id."""
    found: dict[int, set[str]] = {}
    if owner is Company:
        phone_key, email_key = Phone.company_id, Email.company_id
        phone_cond = [id_in(Phone.company_id, ids), Phone.contact_id.is_(None)]
        email_cond = [id_in(Email.company_id, ids), Email.contact_id.is_(None)]
    else:
        phone_key, email_key = Phone.contact_id, Email.contact_id
        phone_cond = [id_in(Phone.contact_id, ids)]
        email_cond = [id_in(Email.contact_id, ids)]
    for key, number in session.execute(select(phone_key, Phone.number).where(*phone_cond)):
        found.setdefault(key, set()).update(si.phone_words(number))
    for key, address in session.execute(select(email_key, Email.address).where(*email_cond)):
        found.setdefault(key, set()).update(si.email_words(address))
    return found


def refresh_companies(session: Session, company_ids: Iterable[int]) -> None:
    """Re-make the words of these companies (own words, not their contact persons')."""
    session.flush()
    for chunk in chunks(sorted(set(company_ids))):
        reach = reach_words(session, Company, chunk)
        found: dict[int, tuple[int | None, set[str]]] = {}
        for row in session.execute(
            select(Company.id, Company.name, Company.full_name, Company.inn, Company.ogrn).where(
                id_in(Company.id, chunk)
            )
        ):
            words = si.company_words(row.name, row.full_name, row.inn, row.ogrn)
            found[row.id] = (row.id, words | reach.get(row.id, set()))
        for gone in set(chunk) - set(found):
            found[gone] = (gone, set())
        replace_words(session, si.COMPANY, found)


def refresh_contacts(session: Session, contact_ids: Iterable[int]) -> None:
    """Re-make the words of these contact persons (deleted ones lose their words)."""
    session.flush()
    for chunk in chunks(sorted(set(contact_ids))):
        reach = reach_words(session, Contact, chunk)
        found: dict[int, tuple[int | None, set[str]]] = {}
        for row in session.execute(
            select(
                Contact.id,
                Contact.company_id,
                Contact.last_name,
                Contact.first_name,
                Contact.middle_name,
            ).where(id_in(Contact.id, chunk))
        ):
            words = si.contact_words(row.last_name, row.first_name, row.middle_name)
            found[row.id] = (row.company_id, words | reach.get(row.id, set()))
        for gone in set(chunk) - set(found):
            found[gone] = (None, set())
        replace_words(session, si.CONTACT, found)


def drop_company_words(session: Session, company_id: int) -> None:
    """Every word that belongs to the company (its own, its contacts', its deals')."""
    session.execute(
        delete(SearchWord)
        .where(SearchWord.company_id == company_id)
        .execution_options(synchronize_session=False)
    )
