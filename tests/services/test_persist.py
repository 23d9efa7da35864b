"""``persist.writing``: the one write wrapper. Every kind of write conflict ends as one
``Conflict`` (naming who saved the row last when the row is known); anything else
passes through untouched."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import select, update
from tests.services.calendar_support import make_team

from qstui.db.models import Company
from qstui.domain.errors import Conflict, NotFound
from qstui.domain.formatting import moment
from qstui.domain.normalize import company_name, fold
from qstui.services.context import Context
from qstui.services.persist import apply_changes, writing


def _locked() -> sa_exc.OperationalError:
    return sa_exc.OperationalError("UPDATE …", {}, sqlite3.OperationalError("database is locked"))


@pytest.fixture
def row(db) -> int:
    """A company last saved by anna."""
    team = make_team(db)
    with db.transaction() as s:
        company = Company(
            name="Спорная",
            name_fold=fold("Спорная"),
            name_key=company_name("Спорная"),
            updated_by=team.id("anna"),
        )
        s.add(company)
        s.flush()
        return company.id


def test_a_conflict_found_deeper_in_the_chain_is_a_conflict(db):
    """Before, only ``client_saving.editing`` looked at the causes: ``writing`` let a
    conflict wrapped by a later error through as that error."""
    ctx = Context.system(db)
    with pytest.raises(Conflict) as caught, writing(ctx):
        try:
            raise _locked()
        except sa_exc.OperationalError as exc:
            raise sa_exc.InvalidRequestError("the session is unusable") from exc
    assert (caught.value.changed_by, caught.value.changed_at) == (None, None)


def test_with_the_row_the_conflict_names_who_saved_it_last(db, row):
    ctx = Context.system(db)
    with pytest.raises(Conflict) as caught, writing(ctx, Company, row):
        raise _locked()
    assert caught.value.changed_by == "Anna" and caught.value.changed_at is not None
    with pytest.raises(Conflict) as again, writing(ctx, Company, row):
        raise Conflict(None, None)
    assert again.value.changed_by == "Anna"


def test_a_conflict_message_names_who_and_when_and_never_shows_a_question_mark(db, row):
    """Before, a conflict on an unknown row read "changed by another user at ?"."""
    ctx = Context.system(db)
    with pytest.raises(Conflict) as caught, writing(ctx, Company, row):
        raise _locked()
    with db.reader() as s:
        saved_at = s.scalar(select(Company.updated_at).where(Company.id == row))
    assert f"changed by Anna at {moment(saved_at)}." in str(caught.value)
    assert "?" not in str(Conflict(None, None)) and "another user" in str(Conflict(None, None))
    assert "deleted by Boris" in str(Conflict("Boris", None))


def test_a_stale_version_at_flush_names_who_saved_it(db, row):
    ctx = Context.system(db)
    with pytest.raises(Conflict) as caught, writing(ctx) as s:
        company = s.get(Company, row)
        assert company is not None
        # someone saved meanwhile: the ORM's UPDATE … WHERE version = 1 finds no row
        table = Company.__table__
        s.connection().execute(
            update(table).where(table.c.id == row).values(version=table.c.version + 1)
        )
        apply_changes(s, ctx, company, {"notes": "моя правка"}, "company")
    assert caught.value.changed_by == "Anna"
    with db.reader() as s:
        assert s.scalar(select(Company.notes).where(Company.id == row)) is None  # rolled back


def test_other_errors_pass_through_untouched(db, row):
    ctx = Context.system(db)
    for error in (NotFound("Company", 1), ValueError("no"), Conflict("Boris", None)):
        with pytest.raises(type(error)) as caught, writing(ctx, Company, row):
            raise error
        assert caught.value is error
