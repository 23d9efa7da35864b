"""Deals (D1, D2, D7) in the service layer, on both backends: create, card, list and
count, edit with versions, stages, win / lose / reopen, overdue, visibility and rights."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from deal_support import (
    audit_count,
    company,
    contact,
    count,
    default_pipeline,
    make_team,
    product,
    row,
    without_right,
)
from sqlalchemy import select
from tests.conftest import FROZEN_NOW

from qstui.db.models import (
    AuditEntry,
    Deal,
    DealItem,
    DealStage,
    Payment,
    RefusalReason,
    SearchWord,
    Source,
    Stage,
)
from qstui.domain.deals import DealCard, DealFilter, DealRow
from qstui.domain.enums import AuditAction, DealStatus
from qstui.domain.errors import AccessDenied, Conflict, NotFound, ServiceError, ValidationFailed
from qstui.services import deals as D
from qstui.services.context import Context
from qstui.services.deals import items as I
from qstui.services.deals import payments as P

pytestmark = pytest.mark.usefixtures("frozen_clock")  # "today" is the frozen day
TODAY = FROZEN_NOW.date()


def _stage_rows(db, deal_id: int) -> dict[int, DealStage]:
    with db.reader() as s:
        rows = {
            r.stage_id: r for r in s.scalars(select(DealStage).where(DealStage.deal_id == deal_id))
        }
        s.expunge_all()
        return rows


def _stage_days(db, stage_id: int) -> int | None:
    return row(db, Stage, stage_id).days


def _reason_id(db) -> int:
    with db.reader() as s:
        found = s.scalar(select(RefusalReason.id).order_by(RefusalReason.sort_no).limit(1))
    assert found is not None
    return found


# --- create and read ---------------------------------------------------------------------


def test_create_deal_starts_at_the_first_stage_of_the_default_pipeline(db):
    team = make_team(db)
    client = company(db, "ООО «Ромашка»", team.id("anna"))
    pipeline_id, stages = default_pipeline(db)
    before = audit_count(db)

    deal_id = D.create_deal(team.anna, client, "  Поставка ноутбуков  ")

    deal = row(db, Deal, deal_id)
    assert deal.title == "Поставка ноутбуков"
    assert deal.title_fold == "поставка ноутбуков"
    assert (deal.pipeline_id, deal.stage_id) == (pipeline_id, stages[0])
    assert deal.manager_id == team.id("anna")  # the company's manager
    assert deal.status == DealStatus.OPEN
    assert deal.started_on == TODAY
    assert deal.currency_code == "RUB"
    assert deal.amount == Decimal("0.00")
    first = _stage_rows(db, deal_id)[stages[0]]
    assert first.responsible_id == team.id("anna")
    assert first.started_on == TODAY
    assert first.due_on == TODAY + timedelta(days=_stage_days(db, stages[0]))
    assert first.done_on is None
    with db.reader() as s:
        words = set(
            s.scalars(
                select(SearchWord.word).where(
                    SearchWord.object_kind == "deal",
                    SearchWord.object_id == deal_id,
                    SearchWord.company_id == client,
                )
            )
        )
        kinds = [
            (e.action, e.object_kind)
            for e in s.scalars(select(AuditEntry).where(AuditEntry.id > 0).order_by(AuditEntry.id))
        ][before:]
    assert words == {"поставка", "ноутбуков"}
    assert kinds == [(AuditAction.CREATE, "deal"), (AuditAction.CREATE, "deal_stage")]


def test_create_deal_with_every_field_and_the_card_names_them(db):
    team = make_team(db)
    client = company(db, "ООО «Ромашка»", team.id("anna"))
    person = contact(db, client, "Смирнов", "Олег")
    with db.reader() as s:
        source_id, source_name = s.execute(select(Source.id, Source.name).limit(1)).one()
    started = TODAY - timedelta(days=40)
    deal_id = D.create_deal(
        team.anna,
        client,
        "Серверная",
        contact_id=person,
        source_id=source_id,
        reason="Открытие филиала",
        started_on=started,
        planned_end_on=started + timedelta(days=60),
        currency_code="usd",
        notes="Срочно",
    )

    card = D.get_deal(team.anna, deal_id)
    assert isinstance(card, DealCard)
    assert (card.company_name, card.contact_name, card.manager_name) == (
        "ООО «Ромашка»",
        "Смирнов Олег",
        "Анна Иванова",
    )
    assert card.pipeline_name == "Продажа"
    assert card.stage_name == "Первичный контакт"
    assert card.source_name == source_name
    assert (card.reason, card.notes, card.currency_code) == ("Открытие филиала", "Срочно", "USD")
    assert (card.started_on, card.planned_end_on) == (started, started + timedelta(days=60))
    assert card.status == DealStatus.OPEN and card.version == 1
    names = [st.name for st in card.stages]
    assert names[:3] == ["Первичный контакт", "Выявление потребности", "Коммерческое предложение"]
    first = card.stages[0]
    assert first.is_current and first.responsible_name == "Анна Иванова"
    # started 40 days ago, the first stage lasts 3 days: it is overdue
    assert first.due_on == started + timedelta(days=3)
    assert first.is_overdue and card.is_overdue
    assert all(st.deal_stage_id is None and not st.is_overdue for st in card.stages[1:])
    assert card.items == () and card.payments == () and card.documents == ()
    assert card.debt is not None and card.debt.debt == Decimal("0.00")


def test_create_deal_validates_every_field_and_writes_nothing(db):
    team = make_team(db)
    client = company(db, "Ромашка", team.id("anna"))
    other = company(db, "Лютик", team.id("anna"))
    stranger = contact(db, other, "Чужой")
    before = audit_count(db)

    with pytest.raises(ValidationFailed) as err:
        D.create_deal(
            team.anna,
            client,
            "  ",
            reason="x" * 501,
            started_on=TODAY,
            planned_end_on=TODAY - timedelta(days=1),
        )
    assert set(err.value.errors) == {"title", "reason", "planned_end_on"}
    with pytest.raises(ValidationFailed) as err:
        D.create_deal(
            team.anna, client, "Сделка", contact_id=stranger, currency_code="XXX", source_id=-5
        )
    assert set(err.value.errors) == {"contact_id", "currency_code", "source_id"}
    with pytest.raises(ValidationFailed) as err:
        D.create_deal(team.anna, client, "t" * 251)
    assert set(err.value.errors) == {"title"}
    assert count(db, Deal) == 0 and audit_count(db) == before


def test_a_deal_goes_only_to_a_manager_one_sees(db):
    team = make_team(db)
    client = company(db, "Ромашка", team.id("anna"))
    with pytest.raises(AccessDenied):  # a manager gives nothing away (no "reassign")
        D.create_deal(team.anna, client, "Сделка", manager_id=team.id("boris"))
    deal_id = D.create_deal(team.anna, client, "Сделка")
    version = D.get_deal(team.head, deal_id).version
    before = audit_count(db)
    with pytest.raises(ValidationFailed):  # head may reassign, but not out of sight
        D.update_deal(team.head, deal_id, version, manager_id=team.id("vera"))
    assert row(db, Deal, deal_id).manager_id == team.id("anna")
    assert audit_count(db) == before
    # head sees the department: boris is in it, vera is not
    head_deal = D.create_deal(team.head, client, "Ещё сделка", manager_id=team.id("boris"))
    assert row(db, Deal, head_deal).manager_id == team.id("boris")
    with pytest.raises(ValidationFailed):
        D.create_deal(team.head, client, "Третья", manager_id=team.id("vera"))
    assert count(db, Deal) == 2


# --- list, count, paging, filters ---------------------------------------------------------


def _deals_for_listing(db, team):
    client = company(db, "Ромашка", team.id("anna"))
    other = company(db, "Лютик", team.id("boris"))
    ids = {}
    for n, (title, ctx, firm) in enumerate(
        (
            ("Поставка ноутбуков", team.anna, client),
            ("Монтаж сети", team.anna, client),
            ("Поставка серверов", team.anna, client),
            ("Обучение персонала", team.boris, other),
            ("Аудит безопасности", team.anna, client),
        )
    ):
        ids[title] = D.create_deal(ctx, firm, title, started_on=TODAY - timedelta(days=n * 10))
    return client, other, ids


def test_list_deals_pages_with_a_keyset_cursor_newest_first(db):
    team = make_team(db)
    _client, _other, ids = _deals_for_listing(db, team)
    # two deals on the same day: the larger id comes first
    same_day = D.create_deal(
        team.system,
        row(db, Deal, ids["Монтаж сети"]).company_id,
        "Ещё",
        started_on=TODAY - timedelta(days=10),
    )

    seen: list[DealRow] = []
    cursor = None
    pages = 0
    while True:
        page = D.list_deals(team.system, DealFilter(), cursor=cursor, limit=2)
        pages += 1
        seen += page.rows
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert pages == 3
    assert [r.id for r in seen] == [
        ids["Поставка ноутбуков"],
        same_day,
        ids["Монтаж сети"],
        ids["Поставка серверов"],
        ids["Обучение персонала"],
        ids["Аудит безопасности"],
    ]
    assert len({r.id for r in seen}) == 6
    first = seen[0]
    assert (first.company_name, first.manager_name, first.stage_name) == (
        "Ромашка",
        "Анна Иванова",
        "Первичный контакт",
    )
    assert D.count_deals(team.system) == 6
    assert len(page.cursors) == len(page.rows) and page.is_last

    # backward from the end: the last rows first, each page in display order
    back: list[list[int]] = []
    cursor = None
    while True:
        page = D.list_deals(team.system, DealFilter(), cursor=cursor, limit=4, backward=True)
        back.append([r.id for r in page.rows])
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    expected = [r.id for r in seen]
    assert back == [expected[2:], expected[:2]]
    # from the middle in both directions
    middle = D.list_deals(team.system, DealFilter(), limit=3).next_cursor
    assert [r.id for r in D.list_deals(team.system, cursor=middle, limit=10).rows] == expected[3:]
    before = D.list_deals(team.system, cursor=middle, limit=10, backward=True)
    assert [r.id for r in before.rows] == expected[:2] and before.is_last


def test_list_deals_filters(db):
    team = make_team(db)
    _client, other, ids = _deals_for_listing(db, team)
    _pipeline, stages = default_pipeline(db)
    sys = team.system
    deal = row(db, Deal, ids["Монтаж сети"])
    D.move_to_stage(sys, deal.id, deal.version, stages[2])
    lost = row(db, Deal, ids["Поставка серверов"])
    D.lose_deal(sys, lost.id, lost.version, _reason_id(db))

    def titles(flt: DealFilter) -> set[str]:
        page = D.list_deals(sys, flt)
        assert D.count_deals(sys, flt) == len(page.rows)
        return {r.title for r in page.rows}

    assert titles(DealFilter(manager_id=team.id("boris"))) == {"Обучение персонала"}
    assert titles(DealFilter(company_id=other)) == {"Обучение персонала"}
    assert titles(DealFilter(status=DealStatus.LOST)) == {"Поставка серверов"}
    assert titles(DealFilter(stage_id=stages[2])) == {"Монтаж сети"}
    assert titles(DealFilter(stage_name="коммерческое ПРЕДЛОЖЕНИЕ")) == {"Монтаж сети"}
    assert titles(DealFilter(stage_name="Нет такого этапа")) == set()
    assert titles(DealFilter(text="постав")) == {"Поставка ноутбуков", "Поставка серверов"}
    assert titles(DealFilter(text="ПОСТАВ НОУТ")) == {"Поставка ноутбуков"}
    assert titles(DealFilter(text="100%_'--")) == set()
    assert titles(
        DealFilter(started_from=TODAY - timedelta(days=25), started_to=TODAY - timedelta(days=5))
    ) == {"Монтаж сети", "Поставка серверов"}
    # overdue: an open deal whose current stage's deadline has passed. Started 30 and 40
    # days ago with a 3-day first stage: Обучение and Аудит; Монтаж moved today (not late),
    # Поставка серверов is lost.
    assert titles(DealFilter(overdue_only=True)) == {"Обучение персонала", "Аудит безопасности"}
    flags = {r.title: r.is_overdue for r in D.list_deals(sys).rows}
    assert flags == {
        "Поставка ноутбуков": False,
        "Монтаж сети": False,
        "Поставка серверов": False,
        "Обучение персонала": True,
        "Аудит безопасности": True,
    }
    assert titles(DealFilter(overdue_only=True, manager_id=team.id("anna"))) == {
        "Аудит безопасности"
    }


# --- visibility --------------------------------------------------------------------------


def test_a_manager_never_gets_another_managers_deal(db):
    team = make_team(db)
    mine = company(db, "Моя фирма", team.id("anna"))
    theirs = company(db, "Чужая фирма", team.id("boris"))
    old = TODAY - timedelta(days=30)
    my_deal = D.create_deal(team.anna, mine, "Моя сделка", started_on=old)
    their_deal = D.create_deal(team.boris, theirs, "Чужая сделка", started_on=old)

    assert D.get_deal(team.anna, my_deal).title == "Моя сделка"
    with pytest.raises(NotFound):
        D.get_deal(team.anna, their_deal)
    with pytest.raises(NotFound):
        D.get_deal(team.anna, 999_999)  # the same answer as a missing id
    assert [r.id for r in D.list_deals(team.anna).rows] == [my_deal]
    assert D.count_deals(team.anna) == 1
    assert D.list_deals(team.anna, DealFilter(company_id=theirs)).rows == []
    assert D.count_deals(team.anna, DealFilter(text="чужая")) == 0
    assert [o.deal_id for o in D.overdue_stages(team.anna)] == [my_deal]
    assert [o.deal_id for o in D.overdue_stages(team.anna, team.id("boris"))] == []
    # a manager cannot create a deal on another manager's client, nor edit their deal
    with pytest.raises(NotFound):
        D.create_deal(team.anna, theirs, "Попытка")
    theirs_row = row(db, Deal, their_deal)
    with pytest.raises(NotFound):
        D.update_deal(team.anna, their_deal, theirs_row.version, title="Взлом")
    _pipeline, stages = default_pipeline(db)
    with pytest.raises(NotFound):
        D.move_to_stage(team.anna, their_deal, theirs_row.version, stages[1])
    assert row(db, Deal, their_deal).title == "Чужая сделка"
    assert count(db, Deal) == 2


def test_a_head_sees_the_departments_deals_only(db):
    team = make_team(db)
    anna_deal = D.create_deal(team.anna, company(db, "А", team.id("anna")), "Сделка Анны")
    boris_deal = D.create_deal(team.boris, company(db, "Б", team.id("boris")), "Сделка Бориса")
    vera_deal = D.create_deal(team.vera, company(db, "В", team.id("vera")), "Сделка Веры")

    assert {r.id for r in D.list_deals(team.head).rows} == {anna_deal, boris_deal}
    assert D.count_deals(team.head) == 2
    assert D.get_deal(team.head, boris_deal).title == "Сделка Бориса"
    with pytest.raises(NotFound):
        D.get_deal(team.head, vera_deal)
    assert D.count_deals(team.system) == 3


def test_a_capped_count_says_more_than_the_cap_without_counting_on(db):
    """The list's total is counted up to cap + 1: own deals first, then the others'
    deals of the manager's clients."""
    team = make_team(db)
    mine = company(db, "Моя фирма", team.id("anna"))
    for n in range(3):
        D.create_deal(team.anna, mine, f"Своя {n}")
    for n in range(2):  # Boris's deals on Anna's client: Anna sees them
        D.create_deal(team.system, mine, f"Чужая {n}", manager_id=team.id("boris"))
    assert D.count_deals(team.anna) == 5
    assert [D.count_deals(team.anna, cap=cap) for cap in (1, 2, 3, 4, 5, 6)] == [2, 3, 4, 5, 5, 5]
    flt = DealFilter(text="чужая")
    assert [D.count_deals(team.anna, flt, cap=cap) for cap in (0, 1, 2)] == [1, 2, 2]
    assert [D.count_deals(team.system, cap=cap) for cap in (3, 10)] == [4, 5]


# --- edits, versions, rights --------------------------------------------------------------


def test_update_deal_returns_new_versions_and_a_stale_version_conflicts(db):
    team = make_team(db)
    deal_id = D.create_deal(team.anna, company(db, "Ромашка", team.id("anna")), "Старое")
    v1 = row(db, Deal, deal_id).version

    v2 = D.update_deal(team.anna, deal_id, v1, title="Первое", notes="от Анны")
    assert v2 == v1 + 1
    with pytest.raises(Conflict) as err:
        D.update_deal(team.anna, deal_id, v1, title="Второе", notes="тоже от Анны")
    assert "Анна Иванова" in str(err.value)
    deal = row(db, Deal, deal_id)
    assert (deal.title, deal.notes, deal.version) == ("Первое", "от Анны", v2)
    with db.reader() as s:
        words = set(s.scalars(select(SearchWord.word).where(SearchWord.object_id == deal_id)))
    assert words == {"первое"}
    # the screen keeps editing with the version it got back
    v3 = D.update_deal(team.anna, deal_id, v2, planned_end_on=TODAY + timedelta(days=5))
    assert v3 == v2 + 1
    assert D.update_deal(team.anna, deal_id, v3, title="Первое") == v3  # nothing changed


def test_update_deal_validation_writes_nothing(db):
    team = make_team(db)
    client = company(db, "Ромашка", team.id("anna"))
    deal_id = D.create_deal(team.anna, client, "Сделка", started_on=TODAY)
    stranger = contact(db, company(db, "Лютик", team.id("anna")), "Чужой")
    version = row(db, Deal, deal_id).version
    before = audit_count(db)

    with pytest.raises(ValidationFailed) as err:
        D.update_deal(
            team.anna,
            deal_id,
            version,
            title="",
            contact_id=stranger,
            currency_code="ZZZ",
            planned_end_on=TODAY - timedelta(days=3),
            notes="n" * 4001,
        )
    assert set(err.value.errors) == {
        "title",
        "contact_id",
        "currency_code",
        "planned_end_on",
        "notes",
    }
    with pytest.raises(TypeError):
        D.update_deal(team.anna, deal_id, version, status="won")
    deal = row(db, Deal, deal_id)
    assert (deal.title, deal.version) == ("Сделка", version)
    assert audit_count(db) == before


def test_refused_calls_write_nothing(db):
    team = make_team(db)
    client = company(db, "Ромашка", team.id("anna"))
    deal_id = D.create_deal(team.anna, client, "Сделка")
    version = row(db, Deal, deal_id).version
    before = audit_count(db)
    deals_before = count(db, Deal)

    # no right to delete
    with pytest.raises(AccessDenied):
        D.delete_deal(team.anna, deal_id, version)
    # no right to give the deal to someone else
    with pytest.raises(AccessDenied):
        D.update_deal(team.anna, deal_id, version, manager_id=team.id("boris"), title="Новое")
    with pytest.raises(AccessDenied):
        D.create_deal(team.anna, client, "Для Бориса", manager_id=team.id("boris"))
    # no right to edit at all
    viewer = without_right(db, "anna", "edit")
    with pytest.raises(AccessDenied):
        D.create_deal(viewer, client, "Ещё одна")
    with pytest.raises(AccessDenied):
        D.update_deal(viewer, deal_id, version, title="Новое")
    _pipeline, stages = default_pipeline(db)
    with pytest.raises(AccessDenied):
        D.move_to_stage(viewer, deal_id, version, stages[1])
    with pytest.raises(AccessDenied):
        D.win_deal(viewer, deal_id, version)
    with pytest.raises(AccessDenied):
        I.add_item(viewer, deal_id, version, product(db, "Ноутбук"), 1)
    with pytest.raises(AccessDenied):
        P.add_payment(viewer, deal_id, "planned", TODAY, Decimal("10.00"))
    # no module right: not even reading
    outsider = without_right(db, "boris", "deals")
    with pytest.raises(AccessDenied):
        D.list_deals(outsider)

    deal = row(db, Deal, deal_id)
    assert (deal.title, deal.manager_id, deal.version, deal.stage_id, deal.status) == (
        "Сделка",
        team.id("anna"),
        version,
        stages[0],
        DealStatus.OPEN,
    )
    assert count(db, Deal) == deals_before
    assert count(db, DealItem) == 0 and count(db, Payment) == 0
    assert audit_count(db) == before + 2  # only the two revokes


def test_reassign_with_the_right_moves_the_open_stage_too(db):
    team = make_team(db)
    deal_id = D.create_deal(team.anna, company(db, "Ромашка", team.id("anna")), "Сделка")
    _pipeline, stages = default_pipeline(db)

    D.update_deal(team.head, deal_id, row(db, Deal, deal_id).version, manager_id=team.id("boris"))

    assert row(db, Deal, deal_id).manager_id == team.id("boris")
    assert _stage_rows(db, deal_id)[stages[0]].responsible_id == team.id("boris")
    assert D.get_deal(team.boris, deal_id).manager_name == "Борис Петров"


def test_delete_deal_needs_the_right_and_takes_its_rows(db):
    team = make_team(db)
    deal_id = D.create_deal(team.anna, company(db, "Ромашка", team.id("anna")), "Сделка")
    version = I.add_item(team.anna, deal_id, 1, product(db, "Ноутбук"), 2).deal_version
    P.add_payment(team.anna, deal_id, "planned", TODAY, Decimal("100.00"))

    with pytest.raises(Conflict):
        D.delete_deal(team.head, deal_id, version - 1)
    D.delete_deal(team.head, deal_id, version)

    assert count(db, Deal) == 0
    assert count(db, DealStage) == 0 and count(db, DealItem) == 0 and count(db, Payment) == 0
    assert count(db, SearchWord, SearchWord.object_kind == "deal") == 0
    with db.reader() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert (last.action, last.object_kind, last.object_id) == (
            AuditAction.DELETE,
            "deal",
            deal_id,
        )


def test_a_deal_with_money_received_is_not_deleted(db):
    team = make_team(db)
    deal_id = D.create_deal(team.anna, company(db, "Ромашка", team.id("anna")), "Сделка")
    P.add_payment(team.anna, deal_id, "actual", TODAY, Decimal("100.00"))
    with pytest.raises(ServiceError, match="actual payments"):
        D.delete_deal(team.head, deal_id, row(db, Deal, deal_id).version)
    assert count(db, Deal) == 1 and count(db, Payment) == 1


# --- stages ------------------------------------------------------------------------------


def test_move_forward_marks_the_stages_passed_and_back_restarts(db):
    team = make_team(db)
    started = TODAY - timedelta(days=20)
    deal_id = D.create_deal(
        team.anna, company(db, "Ромашка", team.id("anna")), "Сделка", started_on=started
    )
    _pipeline, stages = default_pipeline(db)
    v = row(db, Deal, deal_id).version

    # forward, skipping stage 2: stages 1 and 2 are done today, stage 3 starts today
    v = D.move_to_stage(team.anna, deal_id, v, stages[2], responsible_id=team.id("boris"))
    rows = _stage_rows(db, deal_id)
    assert rows[stages[0]].done_on == TODAY and rows[stages[0]].started_on == started
    assert (rows[stages[1]].started_on, rows[stages[1]].done_on) == (TODAY, TODAY)
    third = rows[stages[2]]
    assert (third.started_on, third.done_on, third.responsible_id) == (
        TODAY,
        None,
        team.id("boris"),
    )
    assert third.due_on == TODAY + timedelta(days=_stage_days(db, stages[2]))
    assert row(db, Deal, deal_id).stage_id == stages[2]

    v = D.move_to_stage(team.anna, deal_id, v, stages[3], due_on=TODAY + timedelta(days=1))
    assert _stage_rows(db, deal_id)[stages[3]].due_on == TODAY + timedelta(days=1)

    # back to stage 2: it is reused and restarted; the stages ahead are no longer reached
    v = D.move_to_stage(team.anna, deal_id, v, stages[1])
    rows = _stage_rows(db, deal_id)
    assert set(rows) == set(stages[:4])
    assert (rows[stages[1]].done_on, rows[stages[1]].started_on) == (None, TODAY)
    assert rows[stages[0]].done_on == TODAY  # still passed
    for ahead in stages[2:4]:
        assert (rows[ahead].started_on, rows[ahead].due_on, rows[ahead].done_on) == (
            None,
            None,
            None,
        )
    assert rows[stages[2]].responsible_id == team.id("boris")  # kept for when it comes back
    card = D.get_deal(team.anna, deal_id)
    assert card.version == v
    assert [st.stage_id for st in card.stages if st.is_current] == [stages[1]]
    assert not card.is_overdue
    # moving to the stage it is at changes nothing
    assert D.move_to_stage(team.anna, deal_id, v, stages[1]) == v


def test_move_to_stage_refuses_foreign_stages_and_closed_deals(db):
    team = make_team(db)
    deal_id = D.create_deal(team.anna, company(db, "Ромашка", team.id("anna")), "Сделка")
    v = row(db, Deal, deal_id).version
    with db.reader() as s:
        foreign = s.scalar(
            select(Stage.id).where(Stage.pipeline_id != row(db, Deal, deal_id).pipeline_id)
        )
    with pytest.raises(ValidationFailed) as err:
        D.move_to_stage(team.anna, deal_id, v, foreign)
    assert set(err.value.errors) == {"stage_id"}
    v = D.win_deal(team.anna, deal_id, v)
    _pipeline, stages = default_pipeline(db)
    with pytest.raises(ValidationFailed) as err:
        D.move_to_stage(team.anna, deal_id, v, stages[0])
    assert set(err.value.errors) == {"status"}


def test_set_stage_details_and_overdue_stages(db):
    team = make_team(db)
    late = TODAY - timedelta(days=30)
    mine = D.create_deal(
        team.anna, company(db, "Ромашка", team.id("anna")), "Поздняя", started_on=late
    )
    D.create_deal(team.anna, company(db, "Свежая фирма", team.id("anna")), "Свежая")
    theirs = D.create_deal(
        team.boris, company(db, "Лютик", team.id("boris")), "Чужая поздняя", started_on=late
    )

    found = D.overdue_stages(team.anna)
    assert [o.deal_id for o in found] == [mine]
    first = found[0]
    assert first.due_on == late + timedelta(days=3)
    assert first.days_overdue == 27
    assert (first.deal_title, first.company_name, first.responsible_name) == (
        "Поздняя",
        "Ромашка",
        "Анна Иванова",
    )
    assert {o.deal_id for o in D.overdue_stages(team.head)} == {mine, theirs}
    assert [o.deal_id for o in D.overdue_stages(team.head, team.id("boris"))] == [theirs]

    # the stage is given to Boris with a new deadline: no longer overdue, and Anna's
    # stale edit of the same row conflicts
    v = D.set_stage_details(
        team.anna,
        first.deal_stage_id,
        first.version,
        responsible_id=team.id("boris"),
        due_on=TODAY + timedelta(days=2),
        note="Перезвонить",
    )
    assert v == first.version + 1
    with pytest.raises(Conflict):
        D.set_stage_details(team.anna, first.deal_stage_id, first.version, note="Другое")
    saved = row(db, DealStage, first.deal_stage_id)
    assert (saved.responsible_id, saved.due_on, saved.note) == (
        team.id("boris"),
        TODAY + timedelta(days=2),
        "Перезвонить",
    )
    assert D.overdue_stages(team.anna) == []
    with pytest.raises(NotFound):
        D.set_stage_details(team.vera, first.deal_stage_id, v, note="Чужая")
    # a lost deal's late stage is not "overdue"
    deal = row(db, Deal, theirs)
    D.lose_deal(team.boris, theirs, deal.version, _reason_id(db))
    assert D.overdue_stages(team.head) == []


# --- win, lose, reopen -------------------------------------------------------------------


def test_win_closes_the_deal_with_every_stage_done(db):
    team = make_team(db)
    deal_id = D.create_deal(team.anna, company(db, "Ромашка", team.id("anna")), "Сделка")
    _pipeline, stages = default_pipeline(db)
    v = D.move_to_stage(team.anna, deal_id, row(db, Deal, deal_id).version, stages[1])

    v = D.win_deal(team.anna, deal_id, v)

    deal = row(db, Deal, deal_id)
    assert (deal.status, deal.closed_on, deal.stage_id, deal.version) == (
        DealStatus.WON,
        TODAY,
        stages[-1],
        v,
    )
    rows = _stage_rows(db, deal_id)
    assert set(rows) == set(stages)
    assert all(r.done_on == TODAY for r in rows.values())
    with pytest.raises(ValidationFailed):
        D.win_deal(team.anna, deal_id, v)
    assert D.count_deals(team.anna, DealFilter(status=DealStatus.WON)) == 1


def test_lose_records_reason_and_stage_and_reopen_restores(db):
    team = make_team(db)
    deal_id = D.create_deal(team.anna, company(db, "Ромашка", team.id("anna")), "Сделка")
    _pipeline, stages = default_pipeline(db)
    v = D.move_to_stage(team.anna, deal_id, row(db, Deal, deal_id).version, stages[2])
    reason = _reason_id(db)

    with pytest.raises(ValidationFailed) as err:
        D.lose_deal(team.anna, deal_id, v, -1, note="x" * 1001)
    assert set(err.value.errors) == {"reason_id", "lost_note"}
    v = D.lose_deal(team.anna, deal_id, v, reason, note="Выбрали конкурента")

    card = D.get_deal(team.anna, deal_id)
    assert (card.status, card.closed_on) == (DealStatus.LOST, TODAY)
    assert (card.lost_reason_id, card.lost_stage_id, card.lost_note) == (
        reason,
        stages[2],
        "Выбрали конкурента",
    )
    assert card.lost_stage_name == "Коммерческое предложение"
    with db.reader() as s:
        assert card.lost_reason_name == s.get(RefusalReason, reason).name

    v = D.reopen_deal(team.anna, deal_id, v)
    deal = row(db, Deal, deal_id)
    assert (deal.status, deal.closed_on, deal.lost_reason_id, deal.lost_stage_id) == (
        DealStatus.OPEN,
        None,
        None,
        None,
    )
    assert deal.stage_id == stages[2]
    # lost at an explicit earlier stage
    v = D.lose_deal(team.anna, deal_id, v, reason, stage_id=stages[1])
    assert row(db, Deal, deal_id).lost_stage_id == stages[1]


def test_reopen_a_won_deal_restarts_its_last_stage(db):
    team = make_team(db)
    deal_id = D.create_deal(team.anna, company(db, "Ромашка", team.id("anna")), "Сделка")
    _pipeline, stages = default_pipeline(db)
    v = D.win_deal(team.anna, deal_id, row(db, Deal, deal_id).version)
    D.reopen_deal(team.anna, deal_id, v)
    last = _stage_rows(db, deal_id)[stages[-1]]
    assert (last.done_on, last.started_on) == (None, TODAY)
    assert row(db, Deal, deal_id).status == DealStatus.OPEN


def test_system_context_acts_for_nobody(db):
    team = make_team(db)
    client = company(db, "Без менеджера", None)
    deal_id = D.create_deal(Context.system(db), client, "Ничья сделка")
    assert row(db, Deal, deal_id).manager_id is None
    with pytest.raises(NotFound):
        D.get_deal(team.anna, deal_id)
    # taking an unassigned deal to oneself is not a reassignment… but Anna can't see it;
    # the head of sales (reassign) can give it to her
    D.update_deal(team.system, deal_id, 1, manager_id=team.id("anna"))
    assert D.get_deal(team.anna, deal_id).manager_id == team.id("anna")
