"""Typed text is cleaned the same way by every service (``qstui.domain.text``): control
characters never reach the database, multi-line fields keep their lines, and lengths
are counted after trimming. Before, only the client forms stripped control characters;
these are the services that now do it too."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import delete, func, select
from tests.services.calendar_support import company, make_team, moscow_time

from qstui.db.models import (
    AppUser,
    Claim,
    Currency,
    Department,
    Event,
    EventResult,
    EventType,
    Pipeline,
    Stage,
)
from qstui.domain.deals import StageSpec
from qstui.domain.enums import ClaimStatus, Role
from qstui.domain.errors import ValidationFailed
from qstui.services.access import settings
from qstui.services.access.users import create_user
from qstui.services.calendar import event_types
from qstui.services.calendar import events as C
from qstui.services.clients import claims as CL
from qstui.services.context import Context
from qstui.services.refbooks import currency, pipelines

NOW = datetime(2026, 3, 4, 9, 0)
ESC = "\x1b"


@pytest.fixture(autouse=True)
def _moscow():
    with moscow_time():
        yield


@pytest.fixture
def team(db):
    return make_team(db)


def test_interactions_lose_control_characters_and_keep_the_lines_of_their_notes(db, team):
    client = company(db, "Ромашка", team.id("anna"))
    event_id = C.log_interaction(
        team.anna,
        client,
        "call",
        f"  Звонок{ESC}[31m \x00",
        when=NOW,
        result_text="Договорились\r\nо встрече\x07",
        notes="строка 1\n\tстрока 2\u200b",
        now=NOW,
    )
    with db.reader() as s:
        event = s.get(Event, event_id)
        assert event is not None
        assert event.subject == "Звонок [31m"
        assert event.result_text == "Договорились\nо встрече"
        assert event.notes == "строка 1\n\tстрока 2"
        version = event.version
    C.cancel_event(
        team.anna,
        C.plan_event(team.anna, client, "call", "План", datetime(2026, 3, 5, 9, 0)),
        1,
        note=f"отменено{ESC}",
    )
    with db.reader() as s:
        assert s.scalar(select(Event.notes).where(Event.status == "cancelled")) == "отменено"
    # a subject of control characters only is no subject
    with pytest.raises(ValidationFailed) as failed:
        C.update_event(team.anna, event_id, version, subject=f"{ESC}\x00 ")
    assert failed.value.errors == {"subject": "A subject is required"}


def test_claims_lose_control_characters_and_keep_the_lines_of_their_texts(db, team):
    client = company(db, "Ромашка", team.id("anna"))
    claim_id = CL.register_claim(
        team.anna,
        client,
        f"Сорвали{ESC} сроки\n",
        description="первая\r\nвторая\x00",
        now=NOW,
    )
    with db.reader() as s:
        claim = s.get(Claim, claim_id)
        assert claim is not None
        assert (claim.subject, claim.description) == ("Сорвали  сроки", "первая\nвторая")
    with pytest.raises(ValidationFailed) as failed:
        CL.change_status(team.anna, claim_id, 1, ClaimStatus.INVESTIGATING, note="x" * 1001)
    assert failed.value.errors == {"note": "At most 1000 characters"}
    CL.change_status(team.anna, claim_id, 1, ClaimStatus.INVESTIGATING, note="  ок\x00  ")
    assert [h.note for h in CL.get_claim(team.anna, claim_id, now=NOW).history][-1] == "ок"


@pytest.fixture
def added_refbooks(db):
    """Reference books are kept between tests: what a test adds is removed afterwards."""
    yield
    with db.transaction() as s:
        s.execute(delete(EventType).where(EventType.code == "fax"))
        s.execute(delete(EventResult).where(EventResult.name == "Передумал"))
        tenders = select(Pipeline.id).where(Pipeline.name == "Тендеры").scalar_subquery()
        s.execute(delete(Stage).where(Stage.pipeline_id == tenders))
        s.execute(delete(Pipeline).where(Pipeline.name == "Тендеры"))
        s.execute(delete(Currency).where(Currency.code == "XTS"))


def test_reference_books_lose_control_characters(db, added_refbooks):
    system = Context.system(db)
    type_id = event_types.create_event_type(system, f" Fax{ESC} ", f"Факс{ESC}[0m", "Fax\x00")
    event_types.create_event_result(system, "Передумал\u200b")
    pipeline_id = pipelines.create_pipeline(
        system, f"Тендеры{ESC}", [StageSpec(f"Заявка\x00{ESC}", 10)]
    )
    currency.add_currency(system, "XTS", "963", f"Тестовая{ESC}", "¤\x00")
    with db.reader() as s:
        kind = s.get(EventType, type_id)
        assert kind is not None
        assert (kind.code, kind.name, kind.name_en) == ("fax", "Факс [0m", "Fax")
        assert "Передумал" in {r.name for r in event_types.list_event_results(system)}
        assert s.scalar(select(Pipeline.name).where(Pipeline.id == pipeline_id)) == "Тендеры"
        assert s.scalar(select(Stage.name).where(Stage.pipeline_id == pipeline_id)) == "Заявка"
    [xts] = [c for c in currency.list_currencies(system) if c.code == "XTS"]
    assert (xts.name, xts.symbol) == ("Тестовая", "¤")


def test_settings_lose_control_characters(db):
    system = Context.system(db)
    assert settings.set_setting(system, settings.COMPANY_NAME, f"ООО «Наша»{ESC}\n") == (
        "ООО «Наша»"
    )
    with pytest.raises(ValidationFailed) as failed:
        settings.set_setting(system, settings.COMPANY_NAME, "x" * 251)
    assert failed.value.errors == {settings.COMPANY_NAME: "At most 250 characters"}


def test_users_names_are_cleaned_and_measured_after_trimming(db):
    system = Context.system(db)
    # 200 characters of name with spaces around: fine once trimmed (refused before)
    create_user(system, "anna", " " + "А" * 200 + f"{ESC} ", Role.MANAGER, "Secret-123", "  ")
    create_user(system, "boris", f"Борис{ESC}", Role.MANAGER, "Secret-123", " Продажи\x00 ")
    with db.reader() as s:
        users = {u.login: u for u in s.scalars(select(AppUser))}
        assert users["anna"].full_name == "А" * 200
        assert users["anna"].department_id is None  # blank: no department named ""
        assert users["boris"].full_name == "Борис"
        assert (
            s.scalar(select(Department.name).where(Department.id == users["boris"].department_id))
            == "Продажи"
        )
        assert (
            s.scalar(select(func.count()).select_from(Department).where(Department.name == "")) == 0
        )
