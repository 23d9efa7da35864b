"""``user_lookup.user_id_by_login``: the one lookup of a user by login (``--manager``,
``--user``) and its rule — anyone may name an existing user to filter by; work goes
only to oneself or to a visible, unlocked user."""

from __future__ import annotations

import pytest
from tests.services.calendar_support import make_team

from qstui.domain.errors import NotFound, ValidationFailed
from qstui.services.access.user_lookup import user_id_by_login
from qstui.services.access.users import lock_user


@pytest.fixture
def team(db):
    """anna, boris, head: «Продажи»; vera: «Поддержка»."""
    return make_team(db)


def test_the_login_is_read_as_stored_and_an_unknown_one_is_not_found(db, team):
    assert user_id_by_login(team.system, "  ANNA ") == team.id("anna")
    for bad in ("nobody", "", "   ", None, "a\x00b", "x" * 61, "ы" * 500):
        with pytest.raises(NotFound):  # never a database error, on Firebird too
            user_id_by_login(team.system, bad)


def test_anyone_may_name_any_user_to_filter_by(db, team):
    # the reading service applies its own visibility (a list comes out empty,
    # a calendar of another manager is refused there)
    assert user_id_by_login(team.anna, "vera") == team.id("vera")
    assert user_id_by_login(team.boris, "head") == team.id("head")


def test_work_goes_to_oneself_or_to_a_visible_user(db, team):
    assert user_id_by_login(team.anna, "anna", assigning=True) == team.id("anna")
    assert user_id_by_login(team.head, "anna", assigning=True) == team.id("anna")
    assert user_id_by_login(team.system, "vera", assigning=True) == team.id("vera")
    for who, whom in ((team.anna, "boris"), (team.head, "vera"), (team.vera, "head")):
        with pytest.raises(ValidationFailed) as refused:
            user_id_by_login(who, whom, assigning=True)
        assert refused.value.errors == {"manager": f"You cannot give work to the user {whom}"}


def test_work_never_goes_to_a_locked_user(db, team):
    lock_user(team.system, "boris")
    with pytest.raises(ValidationFailed) as refused:
        user_id_by_login(team.head, "Boris", assigning=True)
    assert refused.value.errors == {"manager": "The user boris is locked: choose another one"}
    with pytest.raises(ValidationFailed):
        user_id_by_login(team.system, "boris", assigning=True)
    # still found as a filter: the clients and deals of a locked manager can be listed
    assert user_id_by_login(team.head, "boris") == team.id("boris")
