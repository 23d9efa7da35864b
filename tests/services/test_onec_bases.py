"""Bases of 1C in the services: rights, validation, no password in the database, and
``check_base`` against the simulator on loopback; the seed of the simulator from this
database."""

from __future__ import annotations

from pathlib import Path

import pytest
from client_support import company, inn10, make_team
from sqlalchemy import select

from qstui.db.engine import Database
from qstui.db.models import OnecBase
from qstui.domain.errors import AccessDenied, ValidationFailed
from qstui.onec.errors import OnecAuthError
from qstui.onec.secrets import Secrets
from qstui.onec.simulator import Simulator, Store
from qstui.onec.simulator.seed import seed
from qstui.services.context import Context
from qstui.services.onec import bases
from qstui.services.onec.bases import PasswordMissing
from qstui.services.onec.simulator_seed import seed_records

PASSWORD = "1С-пароль-Zq9"


@pytest.fixture
def secrets(tmp_path: Path) -> Secrets:
    return Secrets.of(tmp_path / "config.toml", env={})


def test_only_admin_manages_bases(db: Database, secrets: Secrets) -> None:
    team = make_team(db)
    for manager in (team.ivanov, team.head):
        with pytest.raises(AccessDenied):
            bases.add_base(manager, "bp", "http://h/b/odata/standard.odata/", "bp30", "u")
        with pytest.raises(AccessDenied):
            bases.list_bases(manager)
    bases.add_base(team.system, "bp", "http://h/b/odata/standard.odata", "bp30", "u")
    with pytest.raises(AccessDenied):
        bases.check_base(team.ivanov, "bp", secrets)
    with pytest.raises(AccessDenied):
        bases.remove_base(team.ivanov, "bp")
    (info,) = bases.list_bases(team.system)
    assert info.url == "http://h/b/odata/standard.odata/" and info.login == "u"


@pytest.mark.parametrize(
    ("name", "url", "config", "field"),
    [
        ("база", "http://h/b/", "bp30", "name"),
        ("bp", "ftp://h/b/", "bp30", "url"),
        ("bp", "http://user:secret@h/b/", "bp30", "url"),
        ("bp", "http://h/b/", "bp20", "config"),
    ],
)
def test_bad_input_is_refused(db: Database, name: str, url: str, config: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        bases.add_base(Context.system(db), name, url, config, "u")
    assert set(caught.value.errors) == {field}
    with db.reader() as s:
        assert s.scalars(select(OnecBase)).all() == []


def test_a_name_is_taken_once(db: Database) -> None:
    ctx = Context.system(db)
    bases.add_base(ctx, "bp", "http://h/b/", "bp30", "u")
    with pytest.raises(ValidationFailed, match="exists"):
        bases.add_base(ctx, "bp", "http://h/c/", "unf", "u")


def test_base_test_reports_published_and_missing(db: Database, secrets: Secrets) -> None:
    ctx = Context.system(db)
    store = Store("ut11")
    store.unpublish("Catalog_Партнеры", "Document_СчетФактураВыданный")
    with Simulator(store, user="Админ", password=PASSWORD) as sim:
        bases.add_base(ctx, "ut", sim.url, "ut11", "Админ")
        with pytest.raises(PasswordMissing, match="QSTUI_ONEC_UT_PASSWORD"):
            bases.check_base(ctx, "ut", secrets)
        secrets.store("ut", "wrong")
        with pytest.raises(OnecAuthError) as caught:
            bases.check_base(ctx, "ut", secrets)
        assert "wrong" not in str(caught.value)
        secrets.store("ut", PASSWORD)
        check = bases.check_base(ctx, "ut", secrets)
    assert not check.ok
    assert {o.entity_set for o in check.missing} == {
        "Catalog_Партнеры",
        "Document_СчетФактураВыданный",
    }
    assert "Document_СчетНаОплатуКлиенту" in {o.entity_set for o in check.objects if o.published}
    assert "Настройка стандартного интерфейса OData" in check.menu_path
    with db.reader() as s:
        (row,) = s.scalars(select(OnecBase)).all()
        assert row.secret is None


def test_environment_password_comes_first(db: Database, tmp_path: Path) -> None:
    ctx = Context.system(db)
    file_secrets = Secrets.of(tmp_path / "c.toml", env={"QSTUI_ONEC_BP_MAIN_PASSWORD": PASSWORD})
    file_secrets.store("bp-main", "stale")
    with Simulator(Store("bp30"), user="u", password=PASSWORD) as sim:
        bases.add_base(ctx, "bp-main", sim.url, "bp30", "u")
        assert bases.check_base(ctx, "bp-main", file_secrets).ok
    assert bases.get_base(ctx, "bp-main", file_secrets).password_source == "env"


def test_seed_from_this_database(db: Database) -> None:
    team = make_team(db)
    for n in range(12):
        company(team.ivanov, f"Фирма {n}", inn=inn10(n + 1), kpp="773601001")
    company(team.ivanov, "Без ИНН")
    with pytest.raises(AccessDenied):
        seed_records(team.ivanov)
    companies, products = seed_records(team.system)
    assert len(companies) == 12 and products == []
    summary = seed(Store("bp30"), companies, products)
    assert len(summary.same) == 6 and summary.other_name and summary.other_kpp
    assert set(summary.only_here) == {inn10(n + 1) for n in (6, 7, 8, 9)}
