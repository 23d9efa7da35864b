"""Pipelines, stages and refusal reasons (D2, D7, S1) as a reference book, on both
backends. Pipelines are kept between tests (reference books), so every test puts them
back as it found them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from deal_support import audit_count, company, make_team, row
from sqlalchemy import delete, select, update

from qstui.db.models import Deal, Pipeline, Stage
from qstui.domain.deals import StageSpec
from qstui.domain.errors import AccessDenied, Conflict, ValidationFailed
from qstui.services import deals as D
from qstui.services.refbooks import pipelines as PL


@pytest.fixture
def restore_pipelines(db) -> Iterator[None]:
    with db.reader() as s:
        pipelines = {
            p.id: (p.name, p.is_default, p.is_active, p.sort_no)
            for p in s.scalars(select(Pipeline))
        }
        stages = {
            st.id: (st.name, st.sort_no, st.probability, st.days, st.is_active)
            for st in s.scalars(select(Stage))
        }
    yield
    with db.transaction() as s:
        s.execute(delete(Deal))
        s.execute(delete(Stage).where(Stage.id.not_in(list(stages))))
        s.execute(delete(Pipeline).where(Pipeline.id.not_in(list(pipelines))))
        s.execute(update(Stage).values(sort_no=-Stage.id))
        for ident, (name, sort_no, probability, days, active) in stages.items():
            s.execute(
                update(Stage)
                .where(Stage.id == ident)
                .values(
                    name=name, sort_no=sort_no, probability=probability, days=days, is_active=active
                )
            )
        for ident, (name, default, active, sort_no) in pipelines.items():
            s.execute(
                update(Pipeline)
                .where(Pipeline.id == ident)
                .values(name=name, is_default=default, is_active=active, sort_no=sort_no)
            )


def test_default_pipelines_are_listed_with_their_stages(db):
    team = make_team(db)
    pipelines = PL.list_pipelines(team.anna)
    assert [p.name for p in pipelines] == ["Продажа", "Тендер"]
    sale = pipelines[0]
    assert sale.is_default and not pipelines[1].is_default
    assert [st.name for st in sale.stages][:2] == ["Первичный контакт", "Выявление потребности"]
    assert [st.sort_no for st in sale.stages] == list(range(1, len(sale.stages) + 1))
    assert sale.stages[0].probability == 10 and sale.stages[0].days == 3
    assert PL.get_pipeline(team.anna, sale.id) == sale
    reasons = PL.list_refusal_reasons(team.anna)
    assert reasons[0].name == "Высокая цена" and "Выбрали конкурента" in [r.name for r in reasons]


def test_create_a_pipeline_make_it_default_and_deals_use_it(db, restore_pipelines):
    team = make_team(db)
    before = audit_count(db)
    with pytest.raises(AccessDenied):
        PL.create_pipeline(team.head, "Сервис", [StageSpec("Заявка")])
    assert audit_count(db) == before

    new_id = PL.create_pipeline(
        team.system,
        " Сервис ",
        [StageSpec("Заявка", 10, 1), StageSpec("Диагностика", 40, 3), StageSpec("Ремонт", 90)],
        is_default=True,
    )
    pipelines = PL.list_pipelines(team.anna)
    assert [p.name for p in pipelines] == ["Продажа", "Тендер", "Сервис"]
    assert [p.is_default for p in pipelines] == [False, False, True]
    service = pipelines[-1]
    assert service.id == new_id
    assert [(st.name, st.probability, st.days) for st in service.stages] == [
        ("Заявка", 10, 1),
        ("Диагностика", 40, 3),
        ("Ремонт", 90, None),
    ]
    deal_id = D.create_deal(team.anna, company(db, "Ромашка", team.id("anna")), "Ремонт")
    card = D.get_deal(team.anna, deal_id)
    assert (card.pipeline_name, card.stage_name) == ("Сервис", "Заявка")

    with pytest.raises(ValidationFailed) as err:
        PL.create_pipeline(team.system, "Сервис")
    assert set(err.value.errors) == {"name"}
    with pytest.raises(ValidationFailed) as err:
        PL.create_pipeline(team.system, "", [StageSpec("", 101, -1)])
    assert set(err.value.errors) == {"name", "stages.name", "stages.probability", "stages.days"}
    with pytest.raises(ValidationFailed):
        PL.create_pipeline(team.system, "Дубли", [StageSpec("Этап"), StageSpec("этап")])


def test_edit_stages_reorder_and_deactivate(db, restore_pipelines):
    team = make_team(db)
    new_id = PL.create_pipeline(team.system, "Проба", [StageSpec("А"), StageSpec("Б")])
    c_id = PL.add_stage(team.system, new_id, "В", probability=70, days=2)
    a, b, c = PL.get_pipeline(team.system, new_id).stages
    assert (c.id, c.sort_no, c.probability, c.days) == (c_id, 3, 70, 2)

    v = PL.update_stage(team.system, a.id, a.version, name="Старт", probability=5)
    with pytest.raises(Conflict):
        PL.update_stage(team.system, a.id, a.version, name="Другое")
    with pytest.raises(ValidationFailed):
        PL.update_stage(team.system, a.id, v, name="Б")
    with pytest.raises(ValidationFailed) as err:
        PL.update_stage(team.system, a.id, v, probability=150)
    assert set(err.value.errors) == {"probability"}

    PL.reorder_stages(team.system, new_id, [c.id, a.id, b.id])
    assert [(st.name, st.sort_no) for st in PL.get_pipeline(team.system, new_id).stages] == [
        ("В", 1),
        ("Старт", 2),
        ("Б", 3),
    ]
    with pytest.raises(ValidationFailed):
        PL.reorder_stages(team.system, new_id, [c.id, a.id])

    # an inactive stage is skipped by new deals and by the list for forms
    PL.update_stage(team.system, c.id, row(db, Stage, c.id).version, is_active=False)
    assert [st.name for st in PL.list_pipelines(team.anna)[-1].stages] == ["Старт", "Б"]
    assert len(PL.get_pipeline(team.anna, new_id).stages) == 3
    deal_id = D.create_deal(
        team.anna, company(db, "Ромашка", team.id("anna")), "Проба", pipeline_id=new_id
    )
    assert D.get_deal(team.anna, deal_id).stage_name == "Старт"
    PL.update_stage(team.system, b.id, row(db, Stage, b.id).version, is_active=False)
    with pytest.raises(ValidationFailed):  # the last active stage stays
        PL.update_stage(team.system, a.id, row(db, Stage, a.id).version, is_active=False)
    with pytest.raises(AccessDenied):
        PL.add_stage(team.anna, new_id, "Г")

    # the default pipeline cannot be switched off; another one can
    sale = PL.list_pipelines(team.anna)[0]
    with pytest.raises(ValidationFailed):
        PL.update_pipeline(team.system, sale.id, sale.version, is_active=False)
    pipeline = row(db, Pipeline, new_id)
    PL.update_pipeline(team.system, new_id, pipeline.version, is_active=False, name="Архив")
    assert "Архив" not in [p.name for p in PL.list_pipelines(team.anna)]
    assert "Архив" in [p.name for p in PL.list_pipelines(team.anna, include_inactive=True)]
