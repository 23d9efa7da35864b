"""The knowledge base (B1): articles in categories, found in Russian by word prefixes
(case- and ё-insensitive, ranked title over body, more words first) through the word
index, written only with ``knowledge.edit`` and saved against the version edited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from qstui.db.engine import Database
from qstui.db.models import AppUser, AuditEntry, SearchWord, UserRight
from qstui.domain.enums import Role
from qstui.domain.errors import AccessDenied, Conflict, ValidationFailed
from qstui.domain.search import HitKind
from qstui.services import rights as R
from qstui.services.context import Context, context_for
from qstui.services.knowledge.articles import (
    create_article,
    delete_article,
    get_article,
    list_articles,
    update_article,
)
from qstui.services.knowledge.categories import create_category, delete_category, list_categories
from qstui.services.knowledge.search import search_articles
from qstui.services.search.find import find_anything

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"


def _user(db: Database, login: str, role: Role) -> Context:
    with db.transaction() as s:
        user = AppUser(login=login, full_name=login.title(), role=role, pass_hash=HASH)
        s.add(user)
        s.flush()
        s.add_all(UserRight(user_id=user.id, right_code=c) for c in R.PRESETS[role])
    return context_for(db, login)


@pytest.fixture
def people(db: Database) -> tuple[Context, Context]:
    return _user(db, "olga", Role.HEAD), _user(db, "ivan", Role.MANAGER)


@pytest.fixture
def base(people: tuple[Context, Context]) -> dict[str, int]:
    head, _manager = people
    contracts = create_category(head, "Договоры")
    sales = create_category(head, "Продажи")
    made = {
        "supply": create_article(
            head, contracts, "Договоры поставки", "Проверьте **реквизиты** и сроки."
        ),
        "service": create_article(
            head, contracts, "ДОГОВОР НА СЕРВИС", "Абонентское обслуживание на год."
        ),
        "talks": create_article(head, sales, "Как вести переговоры", "Не называйте скидку первым."),
        "body": create_article(
            head, sales, "Холодный звонок", "Договоритесь о встрече, запишите итог."
        ),
        "hedgehog": create_article(head, sales, "Ёжик в тумане", "Тёмный лес.", tags="ёлка, ель"),
    }
    return {"contracts": contracts, "sales": sales, **made}


def _ids(hits) -> list[int]:
    return [h.row.id for h in hits]


def test_dogovor_finds_contracts_not_talks_ranked_title_over_body(db, people, base):
    _head, manager = people
    hits = search_articles(manager, "договор")
    # both titles first (by title), the body-only hit after, never «переговоры»
    assert _ids(hits) == [base["service"], base["supply"], base["body"]]
    assert [h.in_title for h in hits] == [1, 1, 0]
    assert base["talks"] not in _ids(search_articles(manager, "говор"))
    assert _ids(search_articles(manager, "ДОГОВОРЫ")) == [base["supply"]]


def test_more_words_matched_first(db, people, base):
    _head, manager = people
    hits = search_articles(manager, "договор сервис абонент")
    assert hits[0].row.id == base["service"] and hits[0].matched == 3 and hits[0].of == 3
    assert _ids(hits)[1:] == [base["supply"], base["body"]]


def test_yo_and_case_do_not_matter(db, people, base):
    _head, manager = people
    for text in ("ежик", "ЁЖИК", "темн", "елк"):
        assert _ids(search_articles(manager, text)) == [base["hedgehog"]], text
    assert get_article(manager, base["hedgehog"]).row.tags == ("ёлка", "ель")
    assert search_articles(manager, "   ") == []


def test_editing_moves_the_words_and_is_audited(db, people, base):
    head, manager = people
    article = get_article(manager, base["talks"])
    version = update_article(
        head, base["talks"], article.row.version, title="Переговоры о цене", body="Торг уместен"
    )
    assert version == article.row.version + 1
    assert _ids(search_articles(manager, "торг")) == [base["talks"]]
    assert search_articles(manager, "скидку") == []
    # "find anything" reads the same words
    assert (HitKind.ARTICLE, base["talks"]) in {
        (h.kind, h.id) for h in find_anything(manager, "торг")
    }
    delete_article(head, base["talks"], version)
    assert search_articles(manager, "переговор") == []
    with db.reader() as s:
        assert not s.scalars(
            select(SearchWord.id).where(
                SearchWord.object_id == base["talks"], SearchWord.object_kind == "article"
            )
        ).all()
        actions = s.scalars(
            select(AuditEntry.action).where(
                AuditEntry.object_kind == "kb_article", AuditEntry.object_id == base["talks"]
            )
        ).all()
    assert sorted(a.value for a in actions) == ["create", "delete", "update"]


def test_two_editors_the_second_is_told_and_nothing_is_lost(db, people, base):
    head, _manager = people
    other = _user(db, "anna", Role.HEAD)
    start = get_article(head, base["supply"]).row.version
    update_article(head, base["supply"], start, body="Первая правка")
    with pytest.raises(Conflict) as caught:
        update_article(other, base["supply"], start, body="Вторая правка")
    assert caught.value.changed_by == "Olga"
    assert get_article(other, base["supply"]).body == "Первая правка"


def test_a_manager_reads_but_cannot_write(db, people, base):
    _head, manager = people
    assert not manager.has(R.KNOWLEDGE_EDIT)
    assert [c.name for c in list_categories(manager)] == ["Договоры", "Продажи"]
    assert [c.articles for c in list_categories(manager)] == [2, 3]
    assert [a.title for a in list_articles(manager, base["contracts"])] == [
        "ДОГОВОР НА СЕРВИС",
        "Договоры поставки",
    ]
    version = get_article(manager, base["supply"]).row.version
    with pytest.raises(AccessDenied):
        create_article(manager, base["contracts"], "Мой договор", "")
    with pytest.raises(AccessDenied):
        update_article(manager, base["supply"], version, title="Чужая правка")
    with pytest.raises(AccessDenied):
        delete_article(manager, base["supply"], version)
    with pytest.raises(AccessDenied):
        create_category(manager, "Мои статьи")
    assert get_article(manager, base["supply"]).row.title == "Договоры поставки"


def test_bad_input_is_one_message(db, people, base):
    head, _manager = people
    with pytest.raises(ValidationFailed) as caught:
        create_article(head, 999_999, "  ", "")
    assert set(caught.value.errors) == {"title", "category"}
    with pytest.raises(ValidationFailed):
        create_category(head, "договоры")
    with pytest.raises(ValidationFailed):
        delete_category(head, base["contracts"])


def test_a_claim_links_the_article_that_answers_it(db, people, base):
    from qstui.domain.clients import CompanyInput
    from qstui.services.clients.claims import get_claim, register_claim
    from qstui.services.clients.companies import create_company

    _head, manager = people
    company = create_company(manager, CompanyInput(name="Ромашка"))
    with pytest.raises(ValidationFailed) as caught:
        register_claim(manager, company, "Сломался сервер", kb_article_id=999_999)
    assert set(caught.value.errors) == {"kb_article"}
    claim = register_claim(manager, company, "Сломался сервер", kb_article_id=base["service"])
    card = get_claim(manager, claim)
    assert (card.kb_article_id, card.kb_article_title) == (base["service"], "ДОГОВОР НА СЕРВИС")
    delete_article(_head, base["service"])  # the claim stays, unlinked
    assert get_claim(manager, claim).kb_article_id is None
